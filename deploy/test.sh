#!/bin/bash
# Runs every test: the unit tests of every module and, in integration-tests, the root-only
# tests against the freshly built dist/ (`mvn -B verify` from the repository root), then a
# leak check of what the integration tests may leave behind. Runnable from any directory.
#
# Environment: JSHIM_IT_SKIP=1 skips the root-only tests (for a non-root developer);
# extra arguments are passed to Maven (e.g. ./deploy/test.sh -Dtest=IsolationIT -Dsurefire.failIfNoSpecifiedTests=false).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

"$REPO/deploy/install-deps.sh"
# shellcheck source=env.sh
. "$REPO/deploy/env.sh"

# --- leak snapshot -----------------------------------------------------------------------
# Everything the integration tests make carries a recognisable name: work dirs are
# /tmp/jshim-it-*, container ids (hence cgroup and state dir names) start with "it-".
# We compare after against before, so leftovers of an earlier, interrupted run are not blamed.
leak_snapshot() {
    # one python3 process (forks are slow on this VM: a per-pid shell loop took 15 s)
    python3 - <<'PY'
import os, re

ID = re.compile(r"it-[0-9a-f]{10}-")
WORK = "/tmp/jshim-it-"
out = []

def unescape(s):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), s)

# mounts under a test work dir, or whose mount point names a test id
seen = {}
with open("/proc/self/mountinfo") as f:
    for line in f:
        mp = unescape(line.split(" ")[4])
        if mp.startswith(WORK) or ID.search(mp):
            seen[mp] = seen.get(mp, 0) + 1
            out.append("mount %s#%d" % (mp, seen[mp]))

# cgroup dirs named after a test id, in any hierarchy
for top, dirs, _ in os.walk("/sys/fs/cgroup"):
    if top.count("/") > 12:
        dirs[:] = []
        continue
    for d in dirs:
        if ID.match(d):
            out.append("cgroup " + os.path.join(top, d))

# state dirs in the default roots (the tests use private roots under /tmp/jshim-it-*),
# and the work dirs themselves (the suite removes its own when it ends clean)
for root in ("/run/jrunc", "/run/runc"):
    try:
        out += ["state %s/%s" % (root, e) for e in os.listdir(root) if ID.match(e)]
    except OSError:
        pass
out += ["workdir /tmp/" + e for e in os.listdir("/tmp") if e.startswith("jshim-it-")]

# live (non-zombie) processes whose root, cwd, command line or cgroup points at the tests
me = {os.getpid(), os.getppid()}
for pid in os.listdir("/proc"):
    if not pid.isdigit() or int(pid) in me:
        continue
    try:
        with open("/proc/%s/stat" % pid) as f:
            st = f.read()
        if st[st.rindex(")") + 2] in "ZX":
            continue
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        links = []
        for l in ("root", "cwd"):
            try:
                links.append(os.readlink("/proc/%s/%s" % (pid, l)))
            except OSError:
                pass
        with open("/proc/%s/cgroup" % pid) as f:
            cg = f.read()
        if WORK in cmd or any(l.startswith(WORK) for l in links) or ID.search(cg):
            out.append("process %s %s" % (pid, cmd[:120]))
    except (OSError, ValueError):
        pass

for line in sorted(out):
    print(line)
PY
}

BEFORE=$(mktemp)
AFTER=$(mktemp)
trap 'rm -f "$BEFORE" "$AFTER"' EXIT
leak_snapshot > "$BEFORE"

cd "$REPO"
rc=0
mvn -B -ntp verify "$@" || rc=$?

# Orphaned container processes are reaped by PID 1 here only after ~2 s: poll up to 10 s.
leaks=""
for _ in $(seq 1 20); do
    leak_snapshot > "$AFTER"
    leaks=$(comm -13 "$BEFORE" "$AFTER")
    [ -z "$leaks" ] && break
    sleep 0.5
done

echo
if [ -z "$leaks" ]; then
    echo "leak check: clean (no process, mount, cgroup or state dir left by the tests)"
else
    echo "leak check: FAILED, left behind by the tests:"
    echo "$leaks" | sed 's/^/  /'
    [ $rc -ne 0 ] || rc=1
fi
exit $rc
