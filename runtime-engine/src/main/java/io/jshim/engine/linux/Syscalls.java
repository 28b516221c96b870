package io.jshim.engine.linux;

import static io.jshim.engine.linux.Native.INT;
import static io.jshim.engine.linux.Native.LONG;
import static io.jshim.engine.linux.Native.PTR;
import static io.jshim.engine.linux.Native.fd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * The handful of libc calls the engine makes itself, through FFM. Everything that
 * touches namespaces, mounts or credentials happens in jshim-init instead
 * (design.md §3: a multi-threaded JVM must not fork, unshare or setns).
 */
public final class Syscalls {
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int POLLIN = 0x1;
    public static final int POLLHUP = 0x10;
    public static final int WNOHANG = 1;
    public static final int PR_SET_CHILD_SUBREAPER = 36;
    public static final int PR_SET_PDEATHSIG = 1;

    private static final int F_DUPFD = 0;

    // One holder class per libc function: a downcall handle costs milliseconds to
    // link, so each is made on first use only (a jrunc call needs a handful).
    private static final class Socketpair {
        static final MethodHandle H = Native.downcallErrno("socketpair", fd(INT, INT, INT, INT, PTR));
    }

    private static final class FcntlInt {
        static final MethodHandle H = Native.downcallErrno("fcntl", fd(INT, INT, INT, INT));
    }

    private static final class Close {
        static final MethodHandle H = Native.downcallErrno("close", fd(INT, INT));
    }

    private static final class Read {
        static final MethodHandle H = Native.downcallErrno("read", fd(LONG, INT, PTR, LONG));
    }

    private static final class Write {
        static final MethodHandle H = Native.downcallErrno("write", fd(LONG, INT, PTR, LONG));
    }

    private static final class Poll {
        static final MethodHandle H = Native.downcallErrno("poll", fd(INT, PTR, LONG, INT));
    }

    private static final class Open {
        static final MethodHandle H = Native.downcallErrno("open", fd(INT, PTR, INT, INT));
    }

    private static final class Mkfifo {
        static final MethodHandle H = Native.downcallErrno("mkfifo", fd(INT, PTR, INT));
    }

    private static final class Kill {
        static final MethodHandle H = Native.downcallErrno("kill", fd(INT, INT, INT));
    }

    private static final class Waitpid {
        static final MethodHandle H = Native.downcallErrno("waitpid", fd(INT, INT, PTR, INT));
    }

    private static final class Prctl {
        static final MethodHandle H = Native.downcallErrno("prctl", fd(INT, INT, LONG, LONG, LONG, LONG));
    }

    private static final class Geteuid {
        static final MethodHandle H = Native.downcall("geteuid", fd(INT));
    }

    private static final class Getpid {
        static final MethodHandle H = Native.downcall("getpid", fd(INT));
    }

    private static final class PosixSpawn {
        static final MethodHandle H = Native.downcall("posix_spawn",
            fd(INT, PTR, PTR, PTR, PTR, PTR, PTR));
    }


    private Syscalls() {
    }

    private static MemorySegment cap() {
        return Native.capture();
    }

    private static int errno() {
        return Native.lastErrno();
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** socketpair(2); both ends close-on-exec. Returns {ours, theirs}. */
    public static int[] socketpair() throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(INT, 2);
            int rc = (int) Socketpair.H.invokeExact(cap(), AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
            if (rc < 0) {
                throw new LinuxException("socketpair", "", errno());
            }
            return new int[] {fds.getAtIndex(INT, 0), fds.getAtIndex(INT, 1)};
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * fcntl(F_DUPFD): a copy of fd numbered at least {@code min} and without
     * close-on-exec, so a spawned child inherits it.
     */
    public static int dupInheritable(int fd, int min) throws LinuxException {
        try {
            int rc = (int) FcntlInt.H.invokeExact(cap(), fd, F_DUPFD, min);
            if (rc < 0) {
                throw new LinuxException("fcntl F_DUPFD", "fd " + fd, errno());
            }
            return rc;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int rc = (int) Close.H.invokeExact(cap(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2), retrying EINTR. Returns 0 at end of file. */
    public static int read(int fd, MemorySegment buf, long len) throws LinuxException {
        try {
            while (true) {
                long n = (long) Read.H.invokeExact(cap(), fd, buf, len);
                if (n >= 0) {
                    return (int) n;
                }
                int e = errno();
                if (e != Errno.EINTR) {
                    throw new LinuxException("read", "fd " + fd, e);
                }
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Writes all of buf, retrying EINTR and short writes. */
    public static void writeFully(int fd, MemorySegment buf) throws LinuxException {
        long off = 0;
        long len = buf.byteSize();
        try {
            while (off < len) {
                long n = (long) Write.H.invokeExact(cap(), fd, buf.asSlice(off), len - off);
                if (n < 0) {
                    int e = errno();
                    if (e == Errno.EINTR) {
                        continue;
                    }
                    throw new LinuxException("write", "fd " + fd, e);
                }
                off += n;
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** poll(2) on several fds for {@code events}; returns each fd's revents (all 0 on timeout). */
    public static short[] poll(int[] fds, int events, int timeoutMillis) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8L * Math.max(1, fds.length), 4);
            for (int i = 0; i < fds.length; i++) {
                pfd.set(INT, 8L * i, fds[i]);
                pfd.set(ValueLayout.JAVA_SHORT, 8L * i + 4, (short) events);
            }
            while (true) {
                int rc = (int) Poll.H.invokeExact(cap(), pfd, (long) fds.length, timeoutMillis);
                if (rc >= 0) {
                    short[] out = new short[fds.length];
                    for (int i = 0; i < fds.length && rc > 0; i++) {
                        out[i] = pfd.get(ValueLayout.JAVA_SHORT, 8L * i + 6);
                    }
                    return out;
                }
                int e = errno();
                if (e != Errno.EINTR) {
                    throw new LinuxException("poll", fds.length + " fds", e);
                }
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** poll(2) on one fd; returns revents, 0 on timeout. */
    public static int pollOne(int fd, int events, int timeoutMillis) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8, 4);
            pfd.set(INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, (short) events);
            while (true) {
                int rc = (int) Poll.H.invokeExact(cap(), pfd, 1L, timeoutMillis);
                if (rc >= 0) {
                    return rc == 0 ? 0 : pfd.get(ValueLayout.JAVA_SHORT, 6);
                }
                int e = errno();
                if (e != Errno.EINTR) {
                    throw new LinuxException("poll", "fd " + fd, e);
                }
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int open(String path, int flags, int mode) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) Open.H.invokeExact(cap(), a.allocateFrom(path), flags | O_CLOEXEC, mode);
            if (fd < 0) {
                throw new LinuxException("open", path, errno());
            }
            return fd;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void mkfifo(String path, int mode) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) Mkfifo.H.invokeExact(cap(), a.allocateFrom(path), mode);
            if (rc < 0) {
                throw new LinuxException("mkfifo", path, errno());
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** kill(2). Returns false when the process does not exist (ESRCH). */
    public static boolean kill(int pid, int signal) throws LinuxException {
        try {
            int rc = (int) Kill.H.invokeExact(cap(), pid, signal);
            if (rc == 0) {
                return true;
            }
            int e = errno();
            if (e == Errno.ESRCH) {
                return false;
            }
            throw new LinuxException("kill", "pid " + pid, e);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * waitpid(2). Returns the raw wait status, or -1 with WNOHANG when the child has
     * not changed state. Throws on ECHILD.
     */
    public static int waitpid(int pid, int options) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(INT);
            while (true) {
                int rc = (int) Waitpid.H.invokeExact(cap(), pid, status, options);
                if (rc > 0) {
                    return status.get(INT, 0);
                }
                if (rc == 0) {
                    return -1;
                }
                int e = errno();
                if (e != Errno.EINTR) {
                    throw new LinuxException("waitpid", "pid " + pid, e);
                }
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The exit code a shell would report for a wait status: the code, or 128+signal. */
    public static int exitCodeOf(int waitStatus) {
        int sig = waitStatus & 0x7f;
        if (sig == 0) {
            return (waitStatus >> 8) & 0xff;
        }
        return 128 + sig;
    }

    public static void prctl(int option, long arg2) throws LinuxException {
        try {
            int rc = (int) Prctl.H.invokeExact(cap(), option, arg2, 0L, 0L, 0L);
            if (rc < 0) {
                throw new LinuxException("prctl", String.valueOf(option), errno());
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int geteuid() {
        try {
            return (int) Geteuid.H.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int getpid() {
        try {
            return (int) Getpid.H.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * posix_spawn(3) with no file actions or attributes: one downcall handle
     * instead of eleven on the hot path of every create. The child inherits every
     * fd without close-on-exec (see {@link #dupInheritable}) and the calling
     * thread's signal mask; jshim-init resets signal dispositions and the mask and
     * closes every fd it was not told to keep, first thing.
     */
    public static int spawn(String path, List<String> argv, List<String> envp) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pid = a.allocate(INT);
            int rc = (int) PosixSpawn.H.invokeExact(pid, a.allocateFrom(path), MemorySegment.NULL,
                    MemorySegment.NULL, cStringArray(a, argv), cStringArray(a, envp));
            if (rc != 0) {
                throw new LinuxException("posix_spawn", path, rc);
            }
            return pid.get(INT, 0);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- issue 3: pipes, a hook's stdin and captured output, bounded waits ----

    public static final int MFD_CLOEXEC = 1;
    private static final long SYS_PIDFD_OPEN = 434; // x86_64 and every arch since 5.3 (asm-generic)

    private static final class Pipe2 {
        static final MethodHandle H = Native.downcallErrno("pipe2", fd(INT, PTR, INT));
    }

    private static final class MemfdCreate {
        static final MethodHandle H = Native.downcallErrno("memfd_create", fd(INT, PTR, INT));
    }

    private static final class Pread {
        static final MethodHandle H = Native.downcallErrno("pread", fd(LONG, INT, PTR, LONG, LONG));
    }

    private static final class PidfdOpen {
        // syscall(2) is variadic: the number is fixed, the rest are the variadic part.
        static final MethodHandle H = Native.LINKER.downcallHandle(
                Native.LIBC.find("syscall").orElseThrow(() -> new UnsatisfiedLinkError("syscall")),
                fd(LONG, LONG, INT, INT), java.lang.foreign.Linker.Option.captureCallState("errno"),
                java.lang.foreign.Linker.Option.firstVariadicArg(1));
    }

    /** pipe2(2) with O_CLOEXEC and the given extra flags. Returns {read end, write end}. */
    public static int[] pipe2(int flags) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(INT, 2);
            int rc = (int) Pipe2.H.invokeExact(cap(), fds, flags | O_CLOEXEC);
            if (rc < 0) {
                throw new LinuxException("pipe2", "", errno());
            }
            return new int[] {fds.getAtIndex(INT, 0), fds.getAtIndex(INT, 1)};
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** memfd_create(2) with MFD_CLOEXEC: an anonymous file, e.g. to capture a child's output without a reader thread. */
    public static int memfdCreate(String name) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) MemfdCreate.H.invokeExact(cap(), a.allocateFrom(name), MFD_CLOEXEC);
            if (rc < 0) {
                throw new LinuxException("memfd_create", name, errno());
            }
            return rc;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final int MFD_ALLOW_SEALING = 2;
    private static final int MFD_EXEC = 0x10; // Linux 6.3: executable even with vm.memfd_noexec=1
    private static final int F_ADD_SEALS = 1033;
    /** F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE: jshim-init's REQUIRED_SEALS (security.c). */
    private static final int EXEC_SEALS = 1 | 2 | 4 | 8;

    /**
     * A close-on-exec memfd holding {@code content}, sealed against every change (write, grow,
     * shrink, unsealing): an executable that can be run as {@code /proc/self/fd/N} and that nothing
     * can alter through {@code /proc/<pid>/exe} (CVE-2019-5736).
     */
    public static int sealedMemfd(String name, byte[] content) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cname = a.allocateFrom(name);
            int fd = (int) MemfdCreate.H.invokeExact(cap(), cname, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
            if (fd < 0 && errno() == Errno.EINVAL) { // before Linux 6.3
                fd = (int) MemfdCreate.H.invokeExact(cap(), cname, MFD_CLOEXEC | MFD_ALLOW_SEALING);
            }
            if (fd < 0) {
                throw new LinuxException("memfd_create", name, errno());
            }
            try {
                writeFully(fd, a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, content));
                if ((int) FcntlInt.H.invokeExact(cap(), fd, F_ADD_SEALS, EXEC_SEALS) < 0) {
                    throw new LinuxException("fcntl F_ADD_SEALS", name, errno());
                }
            } catch (LinuxException e) {
                close(fd);
                throw e;
            }
            return fd;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pread(2), retrying EINTR. Returns 0 at end of file. */
    public static int pread(int fd, MemorySegment buf, long len, long offset) throws LinuxException {
        try {
            while (true) {
                long n = (long) Pread.H.invokeExact(cap(), fd, buf, len, offset);
                if (n >= 0) {
                    return (int) n;
                }
                int e = errno();
                if (e != Errno.EINTR) {
                    throw new LinuxException("pread", "fd " + fd, e);
                }
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * pidfd_open(2): an fd that polls readable when the process exits (Linux 5.3+),
     * so a child can be waited for with a timeout without a busy loop. Returns -1
     * when the kernel lacks the call (ENOSYS).
     */
    public static int pidfdOpen(int pid) throws LinuxException {
        try {
            long rc = (long) PidfdOpen.H.invokeExact(cap(), SYS_PIDFD_OPEN, pid, 0);
            if (rc >= 0) {
                return (int) rc;
            }
            int e = errno();
            if (e == 38 /* ENOSYS */) {
                return -1;
            }
            throw new LinuxException("pidfd_open", "pid " + pid, e);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void check(String what, int rc) throws LinuxException {
        if (rc != 0) {
            throw new LinuxException(what, "", rc);
        }
    }

    static MemorySegment cStringArray(Arena a, List<String> strings) {
        MemorySegment arr = a.allocate(PTR, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            arr.setAtIndex(PTR, i, a.allocateFrom(strings.get(i)));
        }
        arr.setAtIndex(PTR, strings.size(), MemorySegment.NULL);
        return arr;
    }
}
