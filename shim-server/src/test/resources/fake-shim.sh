#!/bin/sh
# A stand-in shim binary for the ttrpc interop test: containerd runs it as `<shim> ... start`, and it
# answers with the address of the ttrpc server inside the test JVM ($JSHIM_FAKE_SHIM_SOCKET, inherited
# through containerd's environment). That server plays the Task service, so containerd's own Go ttrpc
# client talks to our Java server. `delete` (cleanup) prints an empty DeleteResponse; the rest fails.
for arg in "$@"; do action=$arg; done
case "$action" in
    start) printf 'unix://%s' "$JSHIM_FAKE_SHIM_SOCKET" ;;
    delete) ;;
    *) exit 1 ;;
esac
