#!/bin/bash
# Quick start: installs what the build needs, builds jshim, and runs one busybox container
# with dist/bin/jrunc. Runnable from any directory; needs root (containers need it).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$REPO/deploy/install-deps.sh"
# shellcheck source=env.sh
. "$REPO/deploy/env.sh"

echo "==> building jshim (mvn package)"
(cd "$REPO" && mvn -B -q -ntp package -DskipTests)

JRUNC="$REPO/dist/bin/jrunc"
[ -x "$JRUNC" ] || { echo "quickstart: $JRUNC was not built" >&2; exit 1; }

WORK=$(mktemp -d /tmp/jshim-quickstart.XXXXXX)
ID="quickstart-$$"
ROOT="$WORK/state"
cleanup() {
    "$JRUNC" --root "$ROOT" delete --force "$ID" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "==> making a busybox bundle in $WORK/bundle"
mkdir -p "$WORK/bundle/rootfs/bin"
cp /bin/busybox "$WORK/bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$WORK/bundle/rootfs/bin/$applet"
done
(cd "$WORK/bundle" && "$JRUNC" spec)
python3 - "$WORK/bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    config = json.load(f)
config["process"]["terminal"] = False
config["process"]["args"] = ["sh", "-c", "echo hello from jshim; hostname; cat /proc/self/cgroup | head -3"]
with open(path, "w") as f:
    json.dump(config, f, indent="\t")
PY

echo "==> $JRUNC run $ID"
rc=0
(cd "$WORK/bundle" && "$JRUNC" --root "$ROOT" run "$ID" </dev/null) || rc=$?
echo "==> container exited with status $rc"
exit $rc
