#!/bin/bash
# Installs a built dist/ (mvn package) under a prefix, laid out exactly as dist/ is:
#   <prefix>/bin/jrunc, <prefix>/bin/containerd-shim-jshim-v2, <prefix>/lib/jshim/*.jar,
#   <prefix>/libexec/jshim/jshim-init, <prefix>/libexec/jshim/jshim-pause
# then remakes the AOT caches (they are tied to the JDK and to the jars' paths) and makes sure
# containerd finds the shim: containerd looks `containerd-shim-jshim-v2` up on its PATH (or next to
# its own binary), so when <prefix>/bin is not /usr/local/bin or /usr/bin, a symlink goes into
# /usr/local/bin (--no-link to skip).
#
#   deploy/install.sh [--prefix DIR] [--dist DIR] [--destdir DIR] [--no-link] [--no-aot]
#
# Defaults: --prefix /usr/local, --dist <checkout>/dist. --destdir stages the files for a package
# (no symlink, no AOT caches: those are made on the target). Needs root to write under /usr/local.
# Registering jshim for CRI: see deploy/containerd/ (config version 2 for containerd 1.6/1.7,
# version 3 for 2.x). `ctr run --runtime io.containerd.jshim.v2` works without any configuration.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=/usr/local
DIST="$REPO/dist"
DESTDIR=""
LINK=1
AOT=1

usage() {
    sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX=${2:?--prefix needs a directory}; shift 2 ;;
        --prefix=*) PREFIX=${1#*=}; shift ;;
        --dist) DIST=${2:?--dist needs a directory}; shift 2 ;;
        --dist=*) DIST=${1#*=}; shift ;;
        --destdir) DESTDIR=${2:?--destdir needs a directory}; shift 2 ;;
        --destdir=*) DESTDIR=${1#*=}; shift ;;
        --no-link) LINK=0; shift ;;
        --no-aot) AOT=0; shift ;;
        -h|--help) usage 0 ;;
        *) echo "install.sh: unknown argument $1" >&2; usage 2 ;;
    esac
done

case "$PREFIX" in
    /*) ;;
    *) echo "install.sh: --prefix must be an absolute path, got $PREFIX" >&2; exit 2 ;;
esac
for f in bin/jrunc bin/containerd-shim-jshim-v2 libexec/jshim/jshim-init; do
    [ -x "$DIST/$f" ] || { echo "install.sh: $DIST/$f is missing: build first (mvn -B package -DskipTests)" >&2; exit 1; }
done
ls "$DIST"/lib/jshim/*.jar >/dev/null 2>&1 || { echo "install.sh: no jars in $DIST/lib/jshim: build first" >&2; exit 1; }

ROOT="$DESTDIR$PREFIX"
echo "==> installing $DIST into $ROOT"
install -d -m 0755 "$ROOT/bin" "$ROOT/lib/jshim" "$ROOT/libexec/jshim"
install -m 0755 "$DIST/bin/jrunc" "$DIST/bin/containerd-shim-jshim-v2" "$ROOT/bin/"
install -m 0755 "$DIST/libexec/jshim/jshim-init" "$ROOT/libexec/jshim/"
# the pod sandbox program (deploy/pause/build-image.sh packs it into the pause image)
if [ -x "$DIST/libexec/jshim/jshim-pause" ]; then
    install -m 0755 "$DIST/libexec/jshim/jshim-pause" "$ROOT/libexec/jshim/"
fi
# stale jars of an older install would end up on the class path: replace the directory's jars
rm -f "$ROOT"/lib/jshim/*.jar "$ROOT"/lib/jshim/*.aot
install -m 0644 "$DIST"/lib/jshim/*.jar "$ROOT/lib/jshim/"

if [ -n "$DESTDIR" ]; then
    echo "==> staged under $DESTDIR (run '$PREFIX/bin/containerd-shim-jshim-v2 aot-training' and" \
         "'JSHIM_AOT_TRAINING=1 $PREFIX/bin/jrunc' on the target to make the AOT caches)"
    exit 0
fi

if [ "$AOT" = 1 ]; then
    echo "==> making the AOT caches (design.md §6)"
    "$PREFIX/bin/containerd-shim-jshim-v2" aot-training >/dev/null 2>&1 \
        || echo "install.sh: warning: the shim's AOT training failed; the daemon starts slower without it" >&2
    JSHIM_AOT_TRAINING=1 "$PREFIX/bin/jrunc" >/dev/null 2>&1 \
        || echo "install.sh: warning: jrunc's AOT training failed; jrunc starts slower without it" >&2
fi

if [ "$LINK" = 1 ]; then
    case "$PREFIX/bin" in
        /usr/local/bin|/usr/bin) ;;
        *)
            echo "==> linking /usr/local/bin/containerd-shim-jshim-v2 -> $PREFIX/bin/containerd-shim-jshim-v2"
            install -d -m 0755 /usr/local/bin
            ln -sfn "$PREFIX/bin/containerd-shim-jshim-v2" /usr/local/bin/containerd-shim-jshim-v2
            ;;
    esac
fi

"$PREFIX/bin/containerd-shim-jshim-v2" -v
cat <<EOF
==> done. Try it (containerd running, a busybox rootfs in ./rootfs):
    ctr run --rm --runtime io.containerd.jshim.v2 --rootfs \$PWD/rootfs demo /bin/sh -c 'echo hello'
    For CRI, merge $REPO/deploy/containerd/jshim-config-v2.toml (containerd 1.6/1.7)
    or jshim-config-v3.toml (2.x) into /etc/containerd/config.toml and restart containerd
    (or use deploy/kubernetes/install-node.sh; see deploy/README.md).
EOF
