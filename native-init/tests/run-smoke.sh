#!/bin/sh
# Smoke test of jshim-init without Java: a busybox rootfs in a temp dir, and
# tests/plan_encode.py playing the engine. Needs root (namespaces, mounts),
# busybox-static and python3.
#
#   tests/run-smoke.sh [path/to/jshim-init]     (make test does this)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build/jshim-init}
busybox=${BUSYBOX:-/bin/busybox}

if [ "$(id -u)" != 0 ]; then
	echo "run-smoke.sh: needs root (it creates namespaces and mounts)" >&2
	exit 2
fi
[ -x "$bin" ] || { echo "run-smoke.sh: $bin not built (make all)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "run-smoke.sh: python3 not found (apt-get install python3)" >&2; exit 2; }
if ! [ -x "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
	# Without file(1) we cannot tell: trust the package name below.
	if ! [ -x "$busybox" ] || command -v file >/dev/null; then
		echo "run-smoke.sh: a static busybox is needed at $busybox (apt-get install busybox-static)" >&2
		exit 2
	fi
fi

work=$(mktemp -d /tmp/jshim-smoke.XXXXXX)
# Every mount the tests make lives in a mount namespace of its own, gone with
# its container: nothing to unmount here.
trap 'rm -rf "$work"' EXIT INT TERM

rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/etc"
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done

python3 "$here/plan_encode.py" smoke --bin "$bin" --workdir "$work"
