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
[ -x "$busybox" ] || { echo "run-smoke.sh: no busybox at $busybox (apt-get install busybox-static)" >&2; exit 2; }
# The rootfs holds nothing but busybox: it has to be static.
if command -v file >/dev/null && ! file -L "$busybox" | grep -q 'static'; then
	echo "run-smoke.sh: $busybox is not statically linked (apt-get install busybox-static)" >&2
	exit 2
fi

work=$(mktemp -d /tmp/jshim-smoke.XXXXXX)
# Every mount the tests make lives in a mount namespace of its own, gone with
# its container: nothing to unmount here.
trap 'rm -rf --one-file-system "$work"' EXIT INT TERM
# Searchable by everyone: the user-namespace case's root is not uid 0 here.
chmod 0711 "$work"

rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/etc"
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done

python3 "$here/plan_encode.py" smoke --bin "$bin" --workdir "$work"
