#!/usr/bin/env python3
"""A minimal seccomp agent (config-linux.md "seccomp", listenerPath) for SecurityIT.

    seccomp_agent.py SOCKET REPORT ERRNO

Listens on the unix stream socket SOCKET, takes ONE runtime connection: the container
process state JSON with the seccomp listener fd attached (SCM_RIGHTS), as runc sends it.
Then answers every notification on that fd with -ERRNO (seccomp_unotify(2):
SECCOMP_IOCTL_NOTIF_RECV / _SEND) until the filtered processes are gone, and writes REPORT:
{"state": <the JSON received>, "fds": <fds received>, "notifications": [syscall numbers]}.
Prints "ready" once listening. Exits by itself at most 60 s after the connection.
"""
import array
import fcntl
import json
import os
import select
import socket
import struct
import sys
import time

# _IOWR('!', 0, struct seccomp_notif) and _IOWR('!', 1, struct seccomp_notif_resp)
NOTIF_RECV = 0xC0502100
NOTIF_SEND = 0xC0182101
NOTIF_SIZE = 80  # u64 id, u32 pid, u32 flags, struct seccomp_data (64 bytes)


def main():
    path, report, answer = sys.argv[1], sys.argv[2], int(sys.argv[3])
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    print("ready", flush=True)
    srv.settimeout(60)
    conn, _ = srv.accept()
    fds = array.array("i")
    msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(16 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    conn.close()
    out = {"state": json.loads(msg.decode()), "fds": len(fds), "notifications": []}
    if fds:
        listener = fds[0]
        poller = select.poll()
        poller.register(listener, select.POLLIN)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            events = poller.poll(1000)
            if not events:
                continue
            if events[0][1] & select.POLLHUP:
                break  # every process using the filter has exited
            buf = bytearray(NOTIF_SIZE)
            try:
                fcntl.ioctl(listener, NOTIF_RECV, buf, True)
            except OSError:
                continue  # the notifying process was killed meanwhile
            notif_id, _pid, _flags, nr = struct.unpack_from("<QIIi", buf)
            out["notifications"].append(nr)
            try:
                fcntl.ioctl(listener, NOTIF_SEND, bytearray(struct.pack("<QqiI", notif_id, 0, -answer, 0)), True)
            except OSError:
                pass
    with open(report + ".tmp", "w") as f:
        json.dump(out, f)
    os.rename(report + ".tmp", report)


if __name__ == "__main__":
    main()
