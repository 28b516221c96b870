#!/bin/bash
# Quick start: installs what the build needs, builds jshim, installs it under a private
# prefix, starts a private containerd (its own config, root, state and sockets) with the
# jshim shim on its PATH, and runs a busybox container through
#   ctr run --rm --runtime io.containerd.jshim.v2
# showing its output; then the same bundle once with `jrunc run`, the runc-compatible CLI.
# Runnable from any directory; needs root (containers need it). Leaves nothing behind:
# containerd is stopped by its pid, the shim daemon exits when idle, the temp dir goes.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$REPO/deploy/install-deps.sh"
# shellcheck source=env.sh
. "$REPO/deploy/env.sh"

echo "==> building jshim (mvn package)"
(cd "$REPO" && mvn -B -q -ntp package -DskipTests)

WORK=$(mktemp -d /tmp/jshim-quickstart.XXXXXX)
PREFIX="$WORK/prefix"
ID="quickstart-$$"
CTRD_PID=""
cleanup() {
    if [ -n "$CTRD_PID" ]; then
        ctr --address "$WORK/c.sock" task kill -s 9 "$ID" >/dev/null 2>&1 || true
        kill "$CTRD_PID" 2>/dev/null || true
        wait "$CTRD_PID" 2>/dev/null || true
    fi
    # the shim daemon exits by itself once idle (JSHIM_SHIM_IDLE_TIMEOUT below)
    for pidfile in "$WORK"/jshim/.daemons/*/daemon.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    "$PREFIX/bin/jrunc" --root "$WORK/jrunc" delete --force "$ID" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "==> installing under $PREFIX (deploy/install.sh)"
"$REPO/deploy/install.sh" --prefix "$PREFIX" --no-link >/dev/null

echo "==> making a busybox rootfs"
mkdir -p "$WORK/bundle/rootfs/bin"
cp /bin/busybox "$WORK/bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$WORK/bundle/rootfs/bin/$applet"
done

echo "==> starting a private containerd ($(containerd --version | awk '{print $3}'))"
cat > "$WORK/config.toml" <<EOF
version = 2
root = "$WORK/root"
state = "$WORK/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$WORK/c.sock"
[ttrpc]
  address = "$WORK/c.sock.ttrpc"
EOF
PATH="$PREFIX/bin:$PATH" JSHIM_SHIM_STATE_ROOT="$WORK/jshim" JSHIM_SHIM_IDLE_TIMEOUT=1 \
    containerd --config "$WORK/config.toml" >"$WORK/containerd.log" 2>&1 &
CTRD_PID=$!
for _ in $(seq 100); do
    ctr --address "$WORK/c.sock" version >/dev/null 2>&1 && break
    kill -0 "$CTRD_PID" 2>/dev/null || { cat "$WORK/containerd.log" >&2; exit 1; }
    sleep 0.1
done

echo "==> ctr run --rm --runtime io.containerd.jshim.v2 $ID"
rc=0
ctr --address "$WORK/c.sock" run --rm --runtime io.containerd.jshim.v2 --rootfs "$WORK/bundle/rootfs" \
    "$ID" /bin/sh -c 'echo hello from jshim under containerd; echo "pid $$, hostname $(hostname)"; head -3 /proc/self/cgroup' \
    </dev/null || rc=$?
echo "==> container exited with status $rc"
[ "$rc" -eq 0 ] || { tail -20 "$WORK/containerd.log" >&2; exit "$rc"; }

echo "==> jrunc run $ID (the runc-compatible CLI, same rootfs)"
(cd "$WORK/bundle" && "$PREFIX/bin/jrunc" spec && \
    sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"sh", "-c", "echo hello from jrunc; hostname"/' config.json)
(cd "$WORK/bundle" && "$PREFIX/bin/jrunc" --root "$WORK/jrunc" run "$ID" </dev/null) || rc=$?
echo "==> container exited with status $rc"
exit $rc
