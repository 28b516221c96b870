package io.jshim.engine.linux;

import static io.jshim.engine.linux.Native.INT;
import static io.jshim.engine.linux.Native.fd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * eventfd(2): a kernel counter behind a file descriptor. The cgroup v1 memory
 * controller signals OOMs through one registered in cgroup.event_control
 * (Documentation/admin-guide/cgroup-v1/memory.rst §9 "OOM Control"; runc
 * libcontainer/notify_linux.go). Read with {@link #read}, which returns and resets
 * the counter; poll it with {@link Syscalls#pollOne}.
 */
public final class EventFd {
    /** EFD_CLOEXEC (= O_CLOEXEC): never leak it into a spawned jshim-init or hook. */
    public static final int EFD_CLOEXEC = 0x80000;

    // Linked on first use only, as in Syscalls: a downcall handle costs milliseconds.
    private static final class Create {
        static final MethodHandle H = Native.downcallErrno("eventfd", fd(INT, INT, INT));
    }


    private EventFd() {
    }

    /** eventfd(0, EFD_CLOEXEC). */
    public static int create() throws LinuxException {
        try {
            int fd = (int) Create.H.invokeExact(Native.capture(), 0, EFD_CLOEXEC);
            if (fd < 0) {
                throw new LinuxException("eventfd", "", Native.lastErrno());
            }
            return fd;
        } catch (LinuxException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Reads the 8-byte counter (eventfd(2) "read": returns the value and resets it to 0;
     * blocks while it is 0 unless the fd is non-blocking, so poll first).
     */
    public static long read(int fd) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(ValueLayout.JAVA_LONG);
            int n = Syscalls.read(fd, buf, 8);
            if (n != 8) {
                throw new LinuxException("read eventfd " + fd + ": got " + n + " bytes, want 8", 0, true);
            }
            return buf.get(ValueLayout.JAVA_LONG, 0);
        }
    }
}
