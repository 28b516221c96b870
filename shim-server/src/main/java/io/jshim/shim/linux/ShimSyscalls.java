package io.jshim.shim.linux;

import io.jshim.engine.linux.LinuxException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The system calls the shim daemon needs and the engine's {@code Syscalls} does not offer: waitid with
 * WNOWAIT (to look at a zombie before deciding whether it is ours to reap), mount and umount2 for the
 * task's rootfs, fcntl, and a non-blocking write for log FIFOs. FFM downcalls with errno captured
 * right after the call (design.md §6), one holder class per call so that a handle is linked on first use.
 */
public final class ShimSyscalls {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0x40;
    public static final int O_APPEND = 0x400;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    public static final int EINTR = 4;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int EINVAL = 22;
    public static final int ENOENT = 2;
    public static final int EPIPE = 32;

    public static final int MS_RDONLY = 1;
    public static final int MS_NOSUID = 2;
    public static final int MS_NODEV = 4;
    public static final int MS_NOEXEC = 8;
    public static final int MS_SYNCHRONOUS = 16;
    public static final int MS_REMOUNT = 32;
    public static final int MS_MANDLOCK = 64;
    public static final int MS_DIRSYNC = 128;
    public static final int MS_NOATIME = 1024;
    public static final int MS_NODIRATIME = 2048;
    public static final int MS_BIND = 4096;
    public static final int MS_REC = 16384;
    public static final int MS_UNBINDABLE = 1 << 17;
    public static final int MS_PRIVATE = 1 << 18;
    public static final int MS_SLAVE = 1 << 19;
    public static final int MS_SHARED = 1 << 20;
    public static final int MS_RELATIME = 1 << 21;
    public static final int MS_STRICTATIME = 1 << 24;

    public static final int MNT_DETACH = 2;
    public static final int UMOUNT_NOFOLLOW = 8;

    private static final int P_ALL = 0;
    private static final int WNOHANG = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final int CLD_EXITED = 1;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    /** siginfo_t is 128 bytes; si_pid at 16, si_status at 24, si_code at 8 (x86_64 and aarch64). */
    private static final long SIGINFO_SIZE = 128;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout PTR = ValueLayout.ADDRESS;

    private ShimSyscalls() {
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)),
                fd, Linker.Option.captureCallState("errno"));
    }

    private static final class Waitid {
        static final MethodHandle H = errnoCall("waitid", FunctionDescriptor.of(INT, INT, INT, PTR, INT));
    }

    private static final class Mount {
        static final MethodHandle H = errnoCall("mount", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, PTR));
    }

    private static final class Umount2 {
        static final MethodHandle H = errnoCall("umount2", FunctionDescriptor.of(INT, PTR, INT));
    }

    private static final class Fcntl {
        // fcntl is variadic: the third argument is the variadic one.
        static final MethodHandle H = LINKER.downcallHandle(
                LINKER.defaultLookup().find("fcntl").orElseThrow(() -> new UnsatisfiedLinkError("fcntl")),
                FunctionDescriptor.of(INT, INT, INT, INT), Linker.Option.captureCallState("errno"),
                Linker.Option.firstVariadicArg(2));
    }

    private static final class Write {
        static final MethodHandle H = errnoCall("write", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    }

    private static final class Fchown {
        static final MethodHandle H = errnoCall("fchown", FunctionDescriptor.of(INT, INT, INT, INT));
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
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

    /** A child that has exited, as waitid(2) reports it. */
    public record ChildExit(int pid, int exitStatus) {
    }

    /**
     * waitid(P_ALL, WEXITED | WNOHANG | WNOWAIT): the first child that has exited, left a zombie (not
     * reaped), or null when none has. Throws with ECHILD when there are no children at all.
     */
    public static ChildExit peekExitedChild() throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment info = a.allocate(SIGINFO_SIZE, 8);
            while (true) {
                info.fill((byte) 0);
                int rc = (int) Waitid.H.invokeExact(cap, P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT);
                if (rc == 0) {
                    int pid = info.get(INT, 16);
                    if (pid == 0) {
                        return null;
                    }
                    int code = info.get(INT, 8);
                    int status = info.get(INT, 24);
                    return new ChildExit(pid, code == CLD_EXITED ? status & 0xff : 128 + status);
                }
                int e = errno(cap);
                if (e != EINTR) {
                    throw new LinuxException("waitid", "", e);
                }
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mount(2); null strings are passed as NULL. */
    public static void mount(String source, String target, String type, long flags, String data)
            throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int rc = (int) Mount.H.invokeExact(cap, str(a, source), str(a, target), str(a, type), flags, str(a, data));
            if (rc < 0) {
                throw new LinuxException("mount", describeMount(source, target, type), errno(cap));
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static String describeMount(String source, String target, String type) {
        return (source == null || source.isEmpty() ? "" : source + " ") + "on " + target
                + (type == null || type.isEmpty() ? "" : " type " + type);
    }

    /** umount2(2); returns the errno (0 on success) so callers can loop until EINVAL. */
    public static int umount2(String target, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int rc = (int) Umount2.H.invokeExact(cap, a.allocateFrom(target), flags);
            return rc < 0 ? errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Clears O_NONBLOCK on an fd's open file description. */
    public static void clearNonBlocking(int fd) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int flags = (int) Fcntl.H.invokeExact(cap, fd, F_GETFL, 0);
            if (flags < 0) {
                throw new LinuxException("fcntl", "F_GETFL fd " + fd, errno(cap));
            }
            int rc = (int) Fcntl.H.invokeExact(cap, fd, F_SETFL, flags & ~O_NONBLOCK);
            if (rc < 0) {
                throw new LinuxException("fcntl", "F_SETFL fd " + fd, errno(cap));
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * One write(2) of {@code text}: returns the errno (0 when written, possibly short). For log FIFOs
     * opened O_NONBLOCK: EAGAIN (full) and EPIPE (no reader: containerd is down) are for the caller to
     * ignore. SIGPIPE does not kill the JVM, which ignores it.
     */
    public static int writeOnce(int fd, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment buf = a.allocate(bytes.length == 0 ? 1 : bytes.length);
            MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, bytes.length);
            while (true) {
                long rc = (long) Write.H.invokeExact(cap, fd, buf, (long) bytes.length);
                if (rc >= 0) {
                    return 0;
                }
                int e = errno(cap);
                if (e != EINTR) {
                    return e;
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fchown(2): the runc option IoUid/IoGid applied to a container's stdio pipe or FIFO. */
    public static void fchown(int fd, int uid, int gid) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int rc = (int) Fchown.H.invokeExact(cap, fd, uid, gid);
            if (rc < 0) {
                throw new LinuxException("fchown", "fd " + fd + " to " + uid + ":" + gid, errno(cap));
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment str(Arena a, String s) {
        return s == null ? MemorySegment.NULL : a.allocateFrom(s);
    }
}
