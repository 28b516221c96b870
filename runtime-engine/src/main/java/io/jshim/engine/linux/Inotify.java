package io.jshim.engine.linux;

import static io.jshim.engine.linux.Native.INT;
import static io.jshim.engine.linux.Native.PTR;
import static io.jshim.engine.linux.Native.fd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * inotify(7), just enough to wake up when a cgroup v2 interface file changes: the
 * kernel raises IN_MODIFY on memory.events when a counter in it moves
 * (cgroup-v2.rst "memory.events ... a value change in this file generates a file
 * modified event"; runc libcontainer/notify_v2_linux.go). Callers poll the fd, then
 * {@link #drain} it and re-read the file itself.
 */
public final class Inotify {
    public static final int IN_MODIFY = 0x2;
    private static final int IN_CLOEXEC = 0x80000;
    private static final int IN_NONBLOCK = 0x800;

    private static final class Init {
        static final MethodHandle H = Native.downcallErrno("inotify_init1", fd(INT, INT));
    }

    private static final class AddWatch {
        static final MethodHandle H = Native.downcallErrno("inotify_add_watch", fd(INT, INT, PTR, INT));
    }


    private Inotify() {
    }

    /** inotify_init1(IN_CLOEXEC | IN_NONBLOCK): non-blocking, so {@link #drain} never hangs. */
    public static int init() throws LinuxException {
        try {
            int fd = (int) Init.H.invokeExact(Native.capture(), IN_CLOEXEC | IN_NONBLOCK);
            if (fd < 0) {
                throw new LinuxException("inotify_init1", "", Native.lastErrno());
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

    /** inotify_add_watch(2); returns the watch descriptor. */
    public static int addWatch(int fd, String path, int mask) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            int wd = (int) AddWatch.H.invokeExact(Native.capture(), fd, a.allocateFrom(path), mask);
            if (wd < 0) {
                throw new LinuxException("inotify_add_watch", path, Native.lastErrno());
            }
            return wd;
        } catch (LinuxException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Reads and discards every queued event; returns how many bytes there were. */
    public static int drain(int fd) throws LinuxException {
        int total = 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096, 8);
            while (true) {
                int n;
                try {
                    n = Syscalls.read(fd, buf, buf.byteSize());
                } catch (LinuxException e) {
                    if (e.errno() == Errno.EAGAIN) {
                        return total;
                    }
                    throw e;
                }
                if (n <= 0) {
                    return total;
                }
                total += n;
            }
        }
    }
}
