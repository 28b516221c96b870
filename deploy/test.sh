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
    {
        # mounts under a test work dir, or whose mount point names a test id
        awk '{print $5}' /proc/self/mountinfo | grep -E '^/tmp/jshim-it-|/it-[0-9a-f]{10}-' | sed 's/^/mount /' || true
        # cgroup dirs named after a test id, in any hierarchy
        find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -regextype posix-extended \
            -regex '.*/it-[0-9a-f]{10}-[^/]*' 2>/dev/null | sed 's/^/cgroup /' || true
        # state dirs in the default roots (the tests use private roots under /tmp/jshim-it-*)
        ls -d /run/jrunc/it-* /run/runc/it-* 2>/dev/null | sed 's/^/state /' || true
        # work dirs themselves (the suite removes its own when it ends clean)
        ls -d /tmp/jshim-it-* 2>/dev/null | sed 's/^/workdir /' || true
        # live (non-zombie) processes whose root, cwd or command line lies in a test work dir
        local d pid st
        for d in /proc/[0-9]*; do
            pid=${d#/proc/}
            st=$(sed 's/.*) //' "$d/stat" 2>/dev/null | cut -d' ' -f1) || continue
            [ "$st" = Z ] && continue
            if readlink "$d/root" "$d/cwd" 2>/dev/null | grep -q '^/tmp/jshim-it-' ||
               tr '\0' ' ' < "$d/cmdline" 2>/dev/null | grep -q '/tmp/jshim-it-'; then
                echo "process $pid $(tr '\0' ' ' < "$d/cmdline" 2>/dev/null | cut -c1-120)"
            fi
        done
    } | sort
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
