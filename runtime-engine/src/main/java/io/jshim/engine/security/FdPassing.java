package io.jshim.engine.security;

import io.jshim.engine.linux.Errno;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
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
 * File descriptors over AF_UNIX sockets with SCM_RIGHTS (unix(7), cmsg(3)), through FFM:
 * receiving the seccomp listener fd from jshim-init, and passing it on to the agent at
 * {@code listenerPath} in one sendmsg(2), as runc's utils.SendFds does. Layouts are those of
 * 64-bit Linux (struct msghdr, struct cmsghdr, struct sockaddr_un).
 */
public final class FdPassing {
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSG_CTRUNC = 0x8;
    private static final int SUN_PATH_MAX = 108;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout ADDR = ValueLayout.ADDRESS;

    /** struct msghdr on LP64. */
    private static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDR.withName("name"), INT.withName("namelen"), MemoryLayout.paddingLayout(4),
            ADDR.withName("iov"), LONG.withName("iovlen"),
            ADDR.withName("control"), LONG.withName("controllen"),
            INT.withName("flags"), MemoryLayout.paddingLayout(4));
    /** struct iovec. */
    private static final StructLayout IOVEC = MemoryLayout.structLayout(ADDR.withName("base"), LONG.withName("len"));
    /** CMSG_SPACE(sizeof(int)) on LP64: a 16-byte header and the int, aligned to 8. */
    private static final long CMSG_SPACE_INT = 24;
    private static final long CMSG_LEN_INT = 20;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // one holder per function: linking costs milliseconds, and most creates need none of them
    private static final class Socket {
        static final MethodHandle H = downcall("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    }

    private static final class Connect {
        static final MethodHandle H = downcall("connect", FunctionDescriptor.of(INT, INT, ADDR, INT));
    }

    private static final class SendMsg {
        static final MethodHandle H = downcall("sendmsg", FunctionDescriptor.of(LONG, INT, ADDR, INT));
    }

    private static final class RecvMsg {
        static final MethodHandle H = downcall("recvmsg", FunctionDescriptor.of(LONG, INT, ADDR, INT));
    }

    private FdPassing() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)),
                fd, Linker.Option.captureCallState("errno"));
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

    /** A stream socket connected to the unix socket at {@code path} (close-on-exec). */
    public static int connect(String path) throws LinuxException {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length >= SUN_PATH_MAX) {
            throw new LinuxException("connect " + path + ": the path is longer than " + (SUN_PATH_MAX - 1)
                    + " bytes, the limit of a unix socket address", Errno.EINVAL, true);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int fd = (int) Socket.H.invokeExact(cap, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new LinuxException("socket", "", errno(cap));
            }
            MemorySegment addr = a.allocate(2 + SUN_PATH_MAX, 2);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(p, 0, addr, ValueLayout.JAVA_BYTE, 2, p.length);
            int rc = (int) Connect.H.invokeExact(cap, fd, addr, 2 + p.length + 1);
            if (rc < 0) {
                int e = errno(cap);
                Syscalls.close(fd);
                throw new LinuxException("connect", path, e);
            }
            return fd;
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sends {@code data} with {@code passFd} attached (SCM_RIGHTS) in one sendmsg(2). */
    public static void send(int socket, byte[] data, int passFd) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment iov = a.allocate(IOVEC);
            iov.set(ADDR, 0, buf);
            iov.set(LONG, 8, data.length);
            MemorySegment ctl = a.allocate(CMSG_SPACE_INT, 8);
            ctl.set(LONG, 0, CMSG_LEN_INT);
            ctl.set(INT, 8, SOL_SOCKET);
            ctl.set(INT, 12, SCM_RIGHTS);
            ctl.set(INT, 16, passFd);
            MemorySegment msg = a.allocate(MSGHDR);
            msg.set(ADDR, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("iov")), iov);
            msg.set(LONG, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("iovlen")), 1L);
            msg.set(ADDR, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("control")), ctl);
            msg.set(LONG, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("controllen")), CMSG_SPACE_INT);
            long n;
            do {
                n = (long) SendMsg.H.invokeExact(cap, socket, msg, MSG_NOSIGNAL);
            } while (n < 0 && errno(cap) == Errno.EINTR);
            if (n < 0) {
                throw new LinuxException("sendmsg", "", errno(cap));
            }
            if (n != data.length) {
                // the fd went with the first byte; a short write of a small message means the
                // peer's buffer is full, which a fresh connection never has
                throw new LinuxException("sendmsg: sent " + n + " of " + data.length + " bytes", Errno.EAGAIN, true);
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** What {@link #receive} read: the byte count (0 at end of stream) and a passed fd, or -1. */
    public record Received(int bytes, int fd) {
    }

    /**
     * recvmsg(2) of up to {@code len} bytes into {@code buf}, taking one fd passed with them
     * (close-on-exec). Extra fds, which no peer of ours sends, are closed.
     */
    public static Received receive(int socket, MemorySegment buf, long len) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment iov = a.allocate(IOVEC);
            iov.set(ADDR, 0, buf);
            iov.set(LONG, 8, len);
            long ctlLen = 64;
            MemorySegment ctl = a.allocate(ctlLen, 8);
            MemorySegment msg = a.allocate(MSGHDR);
            msg.set(ADDR, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("iov")), iov);
            msg.set(LONG, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("iovlen")), 1L);
            msg.set(ADDR, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("control")), ctl);
            msg.set(LONG, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("controllen")), ctlLen);
            long n;
            do {
                n = (long) RecvMsg.H.invokeExact(cap, socket, msg, MSG_CMSG_CLOEXEC);
            } while (n < 0 && errno(cap) == Errno.EINTR);
            if (n < 0) {
                throw new LinuxException("recvmsg", "fd " + socket, errno(cap));
            }
            int fd = -1;
            long controllen = msg.get(LONG, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("controllen")));
            long off = 0;
            while (off + 16 <= controllen) {
                long cmsgLen = ctl.get(LONG, off);
                int level = ctl.get(INT, off + 8);
                int type = ctl.get(INT, off + 12);
                if (cmsgLen < 16 || off + cmsgLen > controllen) {
                    break;
                }
                if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                    for (long p = off + 16; p + 4 <= off + cmsgLen; p += 4) {
                        int got = ctl.get(INT, p);
                        if (fd < 0) {
                            fd = got;
                        } else {
                            Syscalls.close(got);
                        }
                    }
                }
                off += (cmsgLen + 7) & ~7L;
            }
            int flags = msg.get(INT, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("flags")));
            if ((flags & MSG_CTRUNC) != 0 && fd < 0) {
                throw new LinuxException("recvmsg: control data truncated", Errno.EINVAL, true);
            }
            return new Received((int) n, fd);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
