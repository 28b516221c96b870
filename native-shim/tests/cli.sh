#!/bin/bash
# Command-line checks of the built front end that need neither root nor containerd:
# -v, -info (RuntimeInfo bytes on stdout, nothing on stderr), bad flags, no action.
set -euo pipefail
bin=$1
fail() { echo "cli.sh: FAILED: $*" >&2; exit 1; }

out=$("$bin" -v)
[[ $out == containerd-shim-jshim-v2:* ]] || fail "-v printed: $out"

err=$("$bin" -info 2>&1 >/dev/null </dev/null)
[[ -z $err ]] || fail "-info wrote to stderr: $err"
hex=$("$bin" -info </dev/null | od -An -tx1 | tr -d ' \n')
[[ $hex == 0a16696f2e636f6e7461696e6572642e6a7368696d2e7632* ]] || fail "-info bytes: $hex"

if "$bin" -bogus start 2>/dev/null; then fail "-bogus accepted"; fi
rc=0; "$bin" -bogus start 2>/dev/null || rc=$?
[[ $rc == 2 ]] || fail "bad flag: exit $rc, want 2"
if "$bin" -namespace x 2>/dev/null; then fail "no action accepted"; fi
if "$bin" -namespace x frobnicate 2>/dev/null; then fail "unknown action accepted"; fi
echo "native-shim cli tests: ok"
