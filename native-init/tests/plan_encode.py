#!/usr/bin/env python3
"""Encode jshim-init plans (src/sync_protocol.h) and play the engine's part.

Used by run-smoke.sh; needs root and Python 3 only (no third-party modules).

    plan_encode.py smoke --bin build/jshim-init --workdir DIR

runs every case against a busybox rootfs already laid out in DIR/rootfs, and
ends with the line "N passed, M failed".

The tag numbers and flag values are read from sync_protocol.h itself, so this
file cannot drift from the header the C code is built with.
"""
import argparse
import ctypes
import errno
import os
import re
import signal
import socket
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.join(HERE, "..", "src", "sync_protocol.h")


def _read_header(path):
    text = open(path).read()
    consts = {}
    for name, value in re.findall(r"^\s*(\w+)\s*=\s*(\d+)\s*,", text, re.M):
        consts[name] = int(value)
    for name, value in re.findall(r"^#define\s+(\w+)\s+\(?(0x[0-9a-fA-F]+|\d+)u?", text, re.M):
        consts[name] = int(value, 0)
    return consts


P = _read_header(HEADER)
TAG_NAMES = {v: k for k, v in P.items() if k.startswith(("PLAN_", "MSG_"))}

# <sys/mount.h>, <sched.h>, <sys/resource.h>
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC = 32, 4096, 8192, 16384
MS_PRIVATE, MS_SLAVE, MS_SHARED = 1 << 18, 1 << 19, 1 << 20
MS_RELATIME, MS_STRICTATIME = 1 << 21, 1 << 24
CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID = 0x08000000, 0x10000000, 0x20000000
CLONE_NEWNET = 0x40000000
RLIMIT_NOFILE = 7
PR_SET_CHILD_SUBREAPER = 36


# ---------------------------------------------------------------- encoding
def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def cstr(s):
    b = s.encode() if isinstance(s, str) else s
    if b"\0" in b:
        raise ValueError("NUL inside a str")
    return b + b"\0"


def strv(items):
    return u32(len(items)) + b"".join(cstr(s) for s in items)


def frame(tag, payload=b""):
    return struct.pack("<HI", tag, len(payload)) + payload


class Plan:
    """An ordered list of (tag, payload) records, HELLO and END excluded."""

    def __init__(self):
        self.records = []

    def add(self, name, payload=b""):
        self.records.append((P[name], payload))
        return self

    def ns_clone(self, flags):
        return self.add("PLAN_NS_CLONE", u32(flags))

    def ns_join(self, flag, path):
        return self.add("PLAN_NS_JOIN", u32(flag) + cstr(path))

    def mount(self, source, dest, fstype, flags=0, data="", propagation=0, mnt_flags=0):
        return self.add("PLAN_MOUNT", u64(flags) + u64(propagation) + u32(mnt_flags)
                        + cstr(source) + cstr(dest) + cstr(fstype) + cstr(data))

    def device(self, path, kind, major, minor, mode=0o666, uid=0, gid=0, dev_flags=0):
        return self.add("PLAN_DEVICE", u32(ord(kind)) + u32(major) + u32(minor) + u32(mode)
                        + u32(uid) + u32(gid) + u32(dev_flags) + cstr(path))

    def symlink(self, target, linkpath):
        return self.add("PLAN_SYMLINK", cstr(target) + cstr(linkpath))

    def mkdir(self, path, mode=0o755):
        return self.add("PLAN_MKDIR", u32(mode) + cstr(path))

    def user(self, uid, gid, umask=0xFFFFFFFF, gids=()):
        return self.add("PLAN_USER", u32(uid) + u32(gid) + u32(umask) + u32(len(gids))
                        + b"".join(u32(g) for g in gids))

    def rlimit(self, resource, soft, hard):
        return self.add("PLAN_RLIMIT", u32(resource) + u64(soft) + u64(hard))

    def without(self, name):
        self.records = [r for r in self.records if r[0] != P[name]]
        return self

    def encode(self, version=None):
        v = P["JSHIM_SYNC_VERSION"] if version is None else version
        out = frame(P["PLAN_HELLO"], u32(v))
        out += b"".join(frame(t, p) for t, p in self.records)
        return out + frame(P["PLAN_END"])


DEFAULT_ENV = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"]

MASKED = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
          "/proc/scsi"]
READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]


def runc_default_plan(rootfs, fifo, args, cid="smoke", hostname="jshim-smoke"):
    """What the engine makes of `runc spec`'s config.json (cgroup mount aside)."""
    p = Plan()
    p.add("PLAN_MODE", u32(P["MODE_CREATE"]))
    p.add("PLAN_CONTAINER_ID", cstr(cid))
    p.ns_clone(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)
    p.add("PLAN_ROOTFS", cstr(rootfs))
    p.add("PLAN_HOSTNAME", cstr(hostname))
    p.mount("proc", "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV)
    p.mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k")
    p.mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=0620,gid=5")
    p.mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k")
    p.mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV)
    p.mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY)
    for name, major, minor in [("null", 1, 3), ("zero", 1, 5), ("full", 1, 7),
                               ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0)]:
        p.device("/dev/" + name, "c", major, minor, dev_flags=P["JSHIM_DEV_BIND_FALLBACK"])
    for target, link in [("/proc/self/fd", "/dev/fd"), ("/proc/self/fd/0", "/dev/stdin"),
                         ("/proc/self/fd/1", "/dev/stdout"), ("/proc/self/fd/2", "/dev/stderr"),
                         ("pts/ptmx", "/dev/ptmx"), ("/proc/kcore", "/dev/core")]:
        p.symlink(target, link)
    if fifo is not None:
        p.add("PLAN_EXEC_FIFO", cstr(fifo))
    for path in MASKED:
        p.add("PLAN_MASKED_PATH", cstr(path))
    for path in READONLY:
        p.add("PLAN_READONLY_PATH", cstr(path))
    p.rlimit(RLIMIT_NOFILE, 1024, 1024)
    p.user(0, 0, 0o022)
    p.add("PLAN_CWD", cstr("/"))
    p.add("PLAN_ARGS", strv(args))
    p.add("PLAN_ENV", strv(DEFAULT_ENV))
    return p


# ------------------------------------------------------------------ driver
class Result:
    def __init__(self):
        self.helper_status = None   # exit status of the jshim-init parent
        self.pid = None             # from MSG_PID
        self.error = None           # (errno, message) from MSG_ERROR
        self.error_stage = None     # "plan" (before PID) or "setup" (after GO)
        self.ready = False
        self.fifo_byte = None
        self.status = None          # exit status of the container's init
        self.stdout = ""
        self.stderr = ""

    def __repr__(self):
        return repr(self.__dict__)


class Timeout(Exception):
    pass


def _on_alarm(signum, frame_):
    raise Timeout()


def _exit_status(st):
    return os.waitstatus_to_exitcode(st)


def recv_frame(sock):
    def exact(n):
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf
    hdr = exact(6)
    if hdr is None:
        return None
    tag, length = struct.unpack("<HI", hdr)
    payload = exact(length) if length else b""
    if payload is None:
        raise EOFError("stream ended inside a frame")
    return tag, payload


def _decode_error(payload):
    err = struct.unpack("<i", payload[:4])[0]
    msg = payload[4:].rstrip(b"\0").decode(errors="replace")
    return err, msg


def drive(binary, plan_bytes, fifo=None, send_go=True, helper_env=None, preserve=None,
          leak=None, eof_after_plan=False, before_go=None, timeout=20):
    """Spawns jshim-init as the engine does and plays the conversation.

    preserve: path of a file the helper gets as fd 3 (with PLAN_PRESERVE_FDS=1
    in the plan); leak: path of a file the helper gets, inheritable, as fd 11:
    it must not reach the container. The sync socket is fd 10.
    """
    res = Result()
    parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    env = {"JSHIM_SYNC_FD": "10", "PATH": "/nonexistent-helper-path"}
    env.update(helper_env or {})
    extra = []
    if preserve:
        extra.append((os.open(preserve, os.O_RDONLY), 3))
    if leak:
        extra.append((os.open(leak, os.O_RDONLY), 11))
    pid = os.fork()
    if pid == 0:
        try:
            # Everything to fds >= 100 first, so the dup2s below cannot collide.
            srcs = [(fcntl_dup(child_sock.fileno()), 10)] + [(fcntl_dup(s), t) for s, t in extra]
            os.dup2(os.open("/dev/null", os.O_RDONLY), 0)
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            for src, target in srcs:
                os.dup2(src, target, inheritable=True)
            os.execve(binary, ["jshim-init", "smoke"], env)
        finally:
            os._exit(111)
    child_sock.close()
    for fd, _ in extra:
        os.close(fd)
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(timeout)
    cpid = None
    try:
        parent_sock.sendall(plan_bytes)
        if eof_after_plan:
            parent_sock.shutdown(socket.SHUT_WR)
        f = recv_frame(parent_sock)
        res.helper_status = _exit_status(os.waitpid(pid, 0)[1])
        if f is not None and f[0] == P["MSG_ERROR"]:
            res.error, res.error_stage = _decode_error(f[1]), "plan"
        elif f is not None and f[0] == P["MSG_PID"]:
            res.pid = cpid = struct.unpack("<I", f[1])[0]
            if not send_go:
                parent_sock.close()
            else:
                if before_go:
                    before_go(cpid)  # the engine's part: cgroups, id maps
                parent_sock.sendall(frame(P["MSG_GO"]))
                f = recv_frame(parent_sock)
                if f is not None and f[0] == P["MSG_ERROR"]:
                    res.error, res.error_stage = _decode_error(f[1]), "setup"
                elif f is not None and f[0] == P["MSG_READY"]:
                    res.ready = True
                    parent_sock.close()
                    if fifo:
                        # What `start` does: open for reading releases the init.
                        fd = os.open(fifo, os.O_RDONLY)
                        res.fifo_byte = os.read(fd, 1)
                        os.close(fd)
            # The container's init is ours to reap: we are its subreaper.
            res.status = _exit_status(os.waitpid(cpid, 0)[1])
            cpid = None
    except Timeout:
        res.error = (0, "driver: timed out")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        if cpid:
            try:
                os.kill(cpid, signal.SIGKILL)
                os.waitpid(cpid, 0)
            except OSError:
                pass
        if res.helper_status is None:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            res.helper_status = _exit_status(os.waitpid(pid, 0)[1])
        try:
            parent_sock.close()
        except OSError:
            pass
    out.seek(0)
    err.seek(0)
    res.stdout = out.read().decode(errors="replace")
    res.stderr = err.read().decode(errors="replace")
    return res


def fcntl_dup(fd):
    import fcntl
    return fcntl.fcntl(fd, fcntl.F_DUPFD, 100)


# ------------------------------------------------------------------- smoke
class Smoke:
    def __init__(self, binary, workdir):
        self.bin = os.path.abspath(binary)
        self.work = os.path.abspath(workdir)
        self.rootfs = os.path.join(self.work, "rootfs")
        self.passed = self.failed = 0
        self.n = 0

    def fifo(self):
        self.n += 1
        d = os.path.join(self.work, "state%d" % self.n)
        os.makedirs(d)
        path = os.path.join(d, "exec.fifo")
        os.mkfifo(path)
        os.chmod(path, 0o622)  # as runc makes it: the container's user writes it
        return path

    def check(self, name, cond, res, why=""):
        if cond:
            self.passed += 1
            print("ok    %s" % name)
        else:
            self.failed += 1
            print("FAIL  %s %s\n      %r" % (name, why, res))

    def run_default(self, args, tweak=None, **kw):
        fifo = self.fifo()
        plan = runc_default_plan(self.rootfs, fifo, args)
        if tweak:
            tweak(plan)
        if P["PLAN_EXEC_FIFO"] not in [t for t, _ in plan.records]:
            fifo = None
        return drive(self.bin, plan.encode(), fifo=fifo, **kw)

    def expect_error(self, name, res, stage, err, message):
        self.check(name, res.error == (err, message) and res.error_stage == stage
                   and (res.status == 1 if stage == "setup" else res.helper_status == 1),
                   res, "want %s error (%d, %r)" % (stage, err, message))

    def all(self):
        host_mounts = open("/proc/self/mountinfo").read()
        self.basics()
        self.container_view()
        self.user_and_readonly_root()
        self.no_pivot()
        self.user_namespace()
        self.ns_extra()
        self.features()
        self.lifecycle()
        self.lookup_errors()
        self.setup_errors()
        self.plan_errors()
        self.join()
        self.escape()
        self.check("the host's mount table is as it was", open("/proc/self/mountinfo").read()
                   == host_mounts, None)
        print("%d passed, %d failed" % (self.passed, self.failed))
        return self.failed == 0

    def basics(self):
        r = self.run_default(["sh", "-c", "hostname; echo $$; ls /"])
        lines = r.stdout.split("\n")
        self.check("default config: pid, ready, fifo byte, exit 0",
                   r.helper_status == 0 and r.pid and r.ready and r.fifo_byte == b"0"
                   and r.status == 0 and r.error is None, r)
        self.check("default config: hostname, pid 1, ls /",
                   lines[:2] == ["jshim-smoke", "1"]
                   and {"bin", "dev", "proc", "sys"} <= set(lines[2:]), r)
        r = self.run_default(["sh", "-c", "exit 42"])
        self.check("exit status of the container's process", r.status == 42, r)
        r = self.run_default(["sh", "-c", "echo to-stderr >&2; echo $HOME-$TERM"],
                             tweak=lambda p: p.without("PLAN_EXEC_FIFO"))
        self.check("no exec fifo: exec right after READY; env is the plan's",
                   r.ready and r.status == 0 and r.stdout == "-xterm\n"
                   and r.stderr == "to-stderr\n", r)

    def container_view(self):
        preserved = os.path.join(self.work, "preserved-canary")
        leak = os.path.join(self.work, "leak-canary")
        for f in (preserved, leak):
            open(f, "w").close()
        script = r"""
echo "timer_list $(cat /proc/timer_list | wc -c)"
echo "acpi $(ls -A /proc/acpi 2>/dev/null | wc -l)"
grep ' /proc/sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1 | sed 's/^/procsys /'
grep ' /sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1 | sed 's/^/sys /'
echo "null $(stat -c '%F %t:%T %a %u:%g' /dev/null)"
echo "urandom $(head -c 4 /dev/urandom | wc -c)"
echo "fdlink $(readlink /dev/fd)"
echo "ptmx $(readlink /dev/ptmx)"
echo "pts $(grep -c ' /dev/pts devpts ' /proc/mounts)"
echo "mqueue $(grep -c ' /dev/mqueue mqueue ' /proc/mounts)"
echo "nofile $(ulimit -n)"
echo "umask $(umask)"
echo "pwd $(pwd)"
echo "net $(ls /sys/class/net | tr '\n' ' ')"
"""
        # What crossed execve: the container's first process lists its own
        # fds (ls's directory fd aside).
        r = self.run_default(["ls", "-l", "/proc/self/fd"],
                             tweak=lambda p: p.add("PLAN_PRESERVE_FDS", u32(1)),
                             preserve=preserved, leak=leak)
        fds = {}
        for line in r.stdout.splitlines():
            m = re.search(r" (\d+) -> (.*)$", line)
            if m and not re.match(r"/proc/\d+/fd$", m.group(2)):
                fds[int(m.group(1))] = m.group(2)
        self.check("fds: stdio and the preserved fd 3 only, no sync socket, no leak "
                   "(CVE-2024-21626)",
                   sorted(fds) == [0, 1, 2, 3] and fds[3].endswith("preserved-canary")
                   and not any("socket:" in t or "leak-canary" in t for t in fds.values()),
                   r, "fds=%r" % fds)
        r = self.run_default(["sh", "-c", script])
        facts = {}
        for line in r.stdout.splitlines():
            k, _, v = line.partition(" ")
            facts[k] = v.strip()
        self.check("ran", r.status == 0, r)
        self.check("masked paths: /proc/timer_list empty, /proc/acpi an empty tmpfs",
                   facts.get("timer_list") == "0" and facts.get("acpi") == "0", r)
        self.check("readonly paths: /proc/sys ro; sysfs ro",
                   facts.get("procsys") == "ro" and facts.get("sys") == "ro", r)
        self.check("devices: /dev/null 1:3 0666 root",
                   facts.get("null") == "character special file 1:3 666 0:0", r)
        self.check("devices: /dev/urandom reads", facts.get("urandom") == "4", r)
        self.check("symlinks: /dev/fd, /dev/ptmx",
                   facts.get("fdlink") == "/proc/self/fd" and facts.get("ptmx") == "pts/ptmx", r)
        self.check("mounts: devpts and mqueue",
                   facts.get("pts") == "1" and facts.get("mqueue") == "1", r)
        self.check("rlimit NOFILE 1024, umask 0022, cwd /",
                   facts.get("nofile") == "1024" and facts.get("umask") == "0022"
                   and facts.get("pwd") == "/", r)
        self.check("new net namespace: lo only", facts.get("net") == "lo", r)

    def user_and_readonly_root(self):
        def tweak(p):
            p.without("PLAN_USER").without("PLAN_CWD")
            p.user(1000, 1000, 0o027, gids=[10, 20])
            p.add("PLAN_CWD", cstr("/tmp"))
            p.add("PLAN_ROOTFS_READONLY")
        r = self.run_default(["sh", "-c", "id; umask; pwd; touch /x 2>&1; echo rc=$?"],
                             tweak=tweak)
        lines = r.stdout.splitlines()
        self.check("user 1000:1000 groups 10,20, umask 0027, cwd /tmp",
                   r.status == 0 and lines[:3] == ["uid=1000 gid=1000 groups=10,20", "0027", "/tmp"],
                   r)
        self.check("read-only rootfs", "Read-only file system" in r.stdout and "rc=1" in r.stdout, r)

    def no_pivot(self):
        r = self.run_default(["sh", "-c", "hostname; echo $$; ls /"],
                             tweak=lambda p: p.add("PLAN_NO_PIVOT"))
        self.check("no pivot (MS_MOVE + chroot)",
                   r.status == 0 and r.stdout.split("\n")[:2] == ["jshim-smoke", "1"], r)

    def features(self):
        hostdir = os.path.join(self.work, "hostdir")
        os.makedirs(hostdir, exist_ok=True)
        with open(os.path.join(hostdir, "hello"), "w") as f:
            f.write("hello\n")
        hostfile = os.path.join(self.work, "hostfile")
        with open(hostfile, "w") as f:
            f.write("file\n")

        def tweak(p):
            p.mount(hostdir, "/data/ro", "bind", MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID)
            p.mount(hostdir, "/data/ro2", "bind", MS_BIND, mnt_flags=P["JSHIM_MNT_REMOUNT_RO"],
                    propagation=MS_PRIVATE)
            p.mount(hostfile, "/etc/deep/hostfile", "bind", MS_BIND,
                    mnt_flags=P["JSHIM_MNT_BIND_FILE"])
            p.mkdir("/var/lib/secret", 0o700)
            p.without("PLAN_ROOTFS_PROPAGATION").add("PLAN_ROOTFS_PROPAGATION",
                                                     u64(MS_SHARED | MS_REC))
            p.add("PLAN_DOMAINNAME", cstr("example.test"))
        script = r"""
cat /data/ro/hello; touch /data/ro/x 2>/dev/null || echo ro-refused
touch /data/ro2/x 2>/dev/null || echo ro2-refused
grep ' /data/ro ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1,2
cat /etc/deep/hostfile
stat -c '%a %F' /var/lib/secret
cat /proc/sys/kernel/domainname
awk '$5 == "/" && / shared:/' /proc/self/mountinfo | wc -l
"""
        r = self.run_default(["sh", "-c", script], tweak=tweak)
        self.check("bind mounts (ro, REMOUNT_RO, file), mkdir mode, domainname, "
                   "rshared root",
                   r.status == 0 and r.stdout.splitlines() == [
                       "hello", "ro-refused", "ro2-refused", "ro,nosuid", "file",
                       "700 directory", "example.test", "1"]
                   and not os.path.exists(os.path.join(hostdir, "x")), r)
        # The engine's cgroup v1 layout without a cgroup namespace: a tmpfs,
        # one read-only bind per hierarchy, then the tmpfs remounted read-only.
        if os.path.isdir("/sys/fs/cgroup/cpu"):
            cg = MS_NOSUID | MS_NOEXEC | MS_NODEV

            def cgroups(p):
                p.mount("tmpfs", "/sys/fs/cgroup", "tmpfs", cg, "mode=755")
                p.mount("/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu", "",
                        cg | MS_RELATIME | MS_RDONLY | MS_BIND | MS_REC)
                p.mount("tmpfs", "/sys/fs/cgroup", "tmpfs", cg | MS_REMOUNT | MS_RDONLY, "mode=755")
            r = self.run_default(["sh", "-c", "ls /sys/fs/cgroup; test -e /sys/fs/cgroup/cpu/tasks "
                                  "&& echo tasks; mkdir /sys/fs/cgroup/x 2>/dev/null || echo ro"],
                                 tweak=cgroups)
            self.check("cgroup v1 layout: tmpfs, ro bind, tmpfs remounted ro",
                       r.status == 0 and r.stdout == "cpu\ntasks\nro\n", r)
        r = self.run_default(["true"], tweak=lambda p: p.mount("/nonexistent", "/x", "", MS_BIND))
        self.expect_error("bind with an empty fstype is named a bind", r, "setup", errno.ENOENT,
                          "mount /nonexistent to /x (type bind, flags 0x1000): "
                          "no such file or directory")
        r = self.run_default(["true"], tweak=lambda p: p.rlimit(RLIMIT_NOFILE, 2048, 1024))
        self.expect_error("bad rlimit", r, "setup", errno.EINVAL,
                          "setrlimit RLIMIT_NOFILE (soft 2048, hard 1024): invalid argument")

    def user_namespace(self):
        # The engine writes the id maps between MSG_PID and MSG_GO; in the new
        # user namespace mknod is refused, so the devices are host binds.
        def maps(pid):
            for f in ("uid_map", "gid_map"):
                with open("/proc/%d/%s" % (pid, f), "w") as m:
                    m.write("0 100000 65536\n")

        def tweak(p):
            p.without("PLAN_NS_CLONE").ns_clone(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS
                                                | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)
        r = self.run_default(["sh", "-c", "id -u; cat /proc/self/uid_map; "
                              "stat -c '%F %t:%T' /dev/null; echo x > /dev/null && echo wrote"],
                             tweak=tweak, before_go=maps)
        lines = [" ".join(l.split()) for l in r.stdout.splitlines()]
        self.check("user namespace: maps from the engine, devices bound from the host",
                   r.status == 0 and lines == ["0", "0 100000 65536",
                                               "character special file 1:3", "wrote"], r)
        r = self.run_default(["true"], tweak=tweak)
        self.expect_error("user namespace without id maps", r, "setup", errno.EINVAL,
                          "setresgid 0 in the user namespace (is the gid map written?): "
                          "invalid argument")

    def ns_extra(self):
        # PLAN_* 50..59 (nsextra.c): time namespace, sysctl, personality, scheduler, ioprio
        year = 365 * 86400
        with open("/proc/uptime") as f:
            host_up = float(f.read().split()[0])

        def tweak(p):
            p.add("PLAN_TIME_OFFSETS", u64(7) + u64(0) + u64(year) + u64(0))
            p.add("PLAN_SYSCTL", cstr("net/ipv4/ip_forward") + cstr("1"))
            p.add("PLAN_PERSONALITY", u32(0x0008))  # PER_LINUX32
            # SCHED_BATCH, nice 5, priority 0, no flags, no deadline times
            p.add("PLAN_SCHEDULER", u32(3) + struct.pack("<i", 5) + u32(0) + u64(0) * 4)
            p.add("PLAN_IO_PRIORITY", u32(3) + u32(0))  # IOPRIO_CLASS_IDLE
        r = self.run_default(["sh", "-c", "cut -d' ' -f1 /proc/uptime; cat /proc/sys/net/ipv4/ip_forward; "
                              "uname -m; grep -E '^policy ' /proc/self/sched | tr -s ' '; ionice"], tweak=tweak)
        lines = r.stdout.splitlines()
        self.check("time namespace, sysctl, personality, scheduler, ioprio", r.status == 0 and len(lines) == 5
                   and host_up + year <= float(lines[0]) < host_up + year + 60
                   and lines[1:] == ["1", "i686", "policy : 3", "idle"], r)

        def bad_sysctl(p):
            p.add("PLAN_SYSCTL", cstr("net/../../kernel/core_pattern") + cstr("x"))
        r = self.run_default(["true"], tweak=bad_sysctl)
        self.expect_error("a sysctl path leaving /proc/sys", r, "plan", errno.EINVAL,
                          'plan record PLAN_SYSCTL: "net/../../kernel/core_pattern" has an empty, "." '
                          'or ".." component')

        def missing_sysctl(p):
            p.add("PLAN_SYSCTL", cstr("net/ipv4/no_such_key") + cstr("1"))
        r = self.run_default(["true"], tweak=missing_sysctl)
        self.expect_error("a sysctl the kernel does not have", r, "setup", errno.ENOENT,
                          "open /proc/sys/net/ipv4/no_such_key: no such file or directory")

    def lifecycle(self):
        r = self.run_default(["true"], send_go=False)
        self.check("socket closed instead of GO: init exits 1 silently",
                   r.pid and r.status == 1 and r.stderr == "" and not r.ready, r)
        garbage = os.path.join(self.rootfs, "bin", "garbage")
        with open(garbage, "w") as f:
            f.write("not an executable\n")
        os.chmod(garbage, 0o755)
        r = self.run_default(["/bin/garbage"])
        self.check("execve fails after READY: exit 127, message on stderr",
                   r.ready and r.status == 127
                   and r.stderr == "jshim-init: exec /bin/garbage: exec format error\n", r)

    def lookup_errors(self):
        r = self.run_default(["nosuchcmd"])
        self.expect_error("args[0] not in $PATH", r, "setup", errno.ENOENT,
                          'exec: "nosuchcmd": executable file not found in $PATH')
        r = self.run_default(["/nonexistent"])
        self.expect_error("args[0] absolute and missing", r, "setup", errno.ENOENT,
                          'exec: "/nonexistent": stat /nonexistent: no such file or directory')
        r = self.run_default(["/bin"])
        self.expect_error("args[0] a directory", r, "setup", errno.EISDIR,
                          'exec: "/bin": is a directory')

        def no_path(p):
            p.without("PLAN_ENV").add("PLAN_ENV", strv(["TERM=xterm"]))
        r = self.run_default(["sh"], tweak=no_path, helper_env={"PATH": "/bin:/usr/bin"})
        self.expect_error("$PATH is the container's, not jshim-init's", r, "setup", errno.ENOENT,
                          'exec: "sh": executable file not found in $PATH')

    def setup_errors(self):
        r = self.run_default(["true"], tweak=lambda p: p.mount("none", "/bad", "nosuchfs"))
        self.expect_error("bad mount names the mount", r, "setup", errno.ENODEV,
                          "mount none to /bad (type nosuchfs, flags 0x0): no such device")
        r = self.run_default(["true"], tweak=lambda p: p.mount(
            "/nonexistent-src", "/mnt", "bind", MS_BIND | MS_REC))
        self.expect_error("bind of a missing source", r, "setup", errno.ENOENT,
                          "mount /nonexistent-src to /mnt (type bind, flags 0x5000): "
                          "no such file or directory")
        r = self.run_default(["true"], tweak=lambda p: p.without("PLAN_CWD").add(
            "PLAN_CWD", cstr("/nope")))
        self.expect_error("missing cwd", r, "setup", errno.ENOENT,
                          'chdir to cwd ("/nope") set in config.json failed: '
                          'no such file or directory')
        os.makedirs(os.path.join(self.rootfs, "etc"), exist_ok=True)
        open(os.path.join(self.rootfs, "etc", "notadev"), "w").close()
        r = self.run_default(["true"], tweak=lambda p: p.device("/etc/notadev", "c", 1, 3))
        self.expect_error("device over a regular file", r, "setup", errno.EEXIST,
                          "create device /etc/notadev: a file that is not a device node is in "
                          "the way")

    def plan_errors(self):
        fifo = self.fifo()
        base = runc_default_plan(self.rootfs, fifo, ["true"])
        r = drive(self.bin, base.encode(version=99), fifo=fifo)
        self.expect_error("protocol version mismatch", r, "plan", errno.EPROTO,
                          "sync protocol version mismatch: engine speaks 99, jshim-init 1")
        r = drive(self.bin, runc_default_plan(self.rootfs, fifo, []).encode(), fifo=fifo)
        self.expect_error("empty args", r, "plan", errno.EINVAL, "args must not be empty")
        p = runc_default_plan(self.rootfs, fifo, ["true"])
        p.records.append((90, b""))  # a tag no range reserves
        r = drive(self.bin, p.encode(), fifo=fifo)
        self.expect_error("unknown tag", r, "plan", errno.EPROTO,
                          "unexpected frame unknown (tag 90) in the plan")
        p = runc_default_plan(self.rootfs, fifo, ["true"]).add("PLAN_ROOTFS", cstr("/"))
        r = drive(self.bin, p.encode(), fifo=fifo)
        self.expect_error("duplicate singleton", r, "plan", errno.EPROTO,
                          "plan record PLAN_ROOTFS appears more than once")
        p = runc_default_plan(self.rootfs, fifo, ["true"]).without("PLAN_CWD")
        p.records.append((P["PLAN_CWD"], b"no-nul"))
        r = drive(self.bin, p.encode(), fifo=fifo)
        self.expect_error("unterminated str", r, "plan", errno.EPROTO,
                          "plan record PLAN_CWD: string not NUL-terminated")
        p = runc_default_plan(self.rootfs, fifo, ["true"]).add("PLAN_PRESERVE_FDS", u32(20))
        r = drive(self.bin, p.encode(), fifo=fifo)
        self.expect_error("sync fd among the preserved fds", r, "plan", errno.EINVAL,
                          "sync fd 10 is among the 20 preserved fds (3..22): "
                          "the engine must place it above them")
        whole = runc_default_plan(self.rootfs, fifo, ["true"]).encode()
        r = drive(self.bin, whole[:-6], fifo=fifo, eof_after_plan=True)
        self.expect_error("plan cut short before PLAN_END", r, "plan", errno.EPIPE,
                          "sync socket closed before PLAN_END")
        r = drive(self.bin, whole[:-9], fifo=fifo, eof_after_plan=True)
        self.expect_error("plan cut inside a frame", r, "plan", errno.EPROTO,
                          "read sync socket: stream ended inside frame PLAN_ENV")
        p = runc_default_plan(self.rootfs, fifo, ["true"]).without("PLAN_NS_CLONE").ns_clone(
            CLONE_NEWPID | CLONE_NEWNS)
        r = drive(self.bin, p.encode(), fifo=fifo)
        self.expect_error("hostname without a uts namespace", r, "plan", errno.EINVAL,
                          "hostname and domainname need a new or joined uts namespace")
        p = runc_default_plan(self.rootfs, fifo, ["true"]).ns_join(CLONE_NEWNET, "/nonexistent/ns")
        r = drive(self.bin, p.encode(), fifo=fifo)
        self.expect_error("setns path missing", r, "plan", errno.ENOENT,
                          "open /nonexistent/ns (net namespace): no such file or directory")

    def join(self):
        # Joining the host's uts namespace instead of making one: the
        # container sees the host's hostname.
        def tweak(p):
            p.without("PLAN_NS_CLONE").without("PLAN_HOSTNAME")
            p.ns_clone(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET)
            p.ns_join(CLONE_NEWUTS, "/proc/%d/ns/uts" % os.getpid())
        r = self.run_default(["hostname"], tweak=tweak)
        self.check("setns into an existing uts namespace",
                   r.status == 0 and r.stdout.strip() == socket.gethostname(), r)

    def escape(self):
        # /escape in the image points, through "..", to a host directory. The
        # mount must land inside the rootfs, at the same path under it.
        outside = os.path.join(self.work, "outside")
        os.makedirs(outside, exist_ok=True)
        os.makedirs(self.rootfs + outside, exist_ok=True)
        link = os.path.join(self.rootfs, "escape")
        if not os.path.islink(link):
            os.symlink("../" * 30 + outside.lstrip("/"), link)
        r = self.run_default(["sh", "-c", "grep -c ' %s/mnt tmpfs ' /proc/mounts" % outside],
                             tweak=lambda p: p.mount("tmpfs", "/escape/mnt", "tmpfs"))
        self.check("symlink to the host in the image: mount stays in the rootfs",
                   r.status == 0 and r.stdout.strip() == "1"
                   and not os.path.exists(os.path.join(outside, "mnt"))
                   and os.path.isdir(os.path.join(self.rootfs + outside, "mnt")), r)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("smoke", help="run the smoke cases")
    s.add_argument("--bin", required=True)
    s.add_argument("--workdir", required=True, help="holds rootfs/ (busybox)")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("plan_encode.py smoke: needs root (namespaces, mounts)", file=sys.stderr)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("prctl(PR_SET_CHILD_SUBREAPER): %s" % os.strerror(ctypes.get_errno()), file=sys.stderr)
        return 2
    return 0 if Smoke(a.bin, a.workdir).all() else 1


if __name__ == "__main__":
    sys.exit(main())
