package io.jshim.engine.linux;

import static io.jshim.engine.linux.Native.INT;
import static io.jshim.engine.linux.Native.LONG;
import static io.jshim.engine.linux.Native.PTR;
import static io.jshim.engine.linux.Native.fd;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Terminal control through FFM (termios(3), ioctl_tty(2)): raw mode for the
 * caller's terminal while a container's pty is relayed to it, and window sizes.
 */
public final class Tty {
    private static final int TCSANOW = 0;
    private static final long TIOCGWINSZ = 0x5413;
    private static final long TIOCSWINSZ = 0x5414;
    /** struct termios is 60 bytes on Linux (glibc); c_oflag is at offset 4. */
    private static final long TERMIOS_SIZE = 64;
    private static final long C_OFLAG = 4;
    private static final int ONLCR = 0x4;
    private static final int OPOST = 0x1;

    private static final class H {
        static final MethodHandle ISATTY = Native.downcall("isatty", fd(INT, INT));
        static final MethodHandle TCGETATTR = Native.downcallErrno("tcgetattr", fd(INT, INT, PTR));
        static final MethodHandle TCSETATTR = Native.downcallErrno("tcsetattr", fd(INT, INT, INT, PTR));
        static final MethodHandle CFMAKERAW = Native.downcall("cfmakeraw", java.lang.foreign.FunctionDescriptor
                .ofVoid(PTR));
        // ioctl(2) is variadic: fd and request are fixed, the pointer is the variadic part.
        static final MethodHandle IOCTL = Native.LINKER.downcallHandle(
                Native.LIBC.find("ioctl").orElseThrow(() -> new UnsatisfiedLinkError("ioctl")),
                fd(INT, INT, LONG, PTR), Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
    }

    /** A terminal's saved settings, to be put back with {@link #restore}. */
    public record Saved(int fd, byte[] termios) {
    }

    /** A window size in character cells. */
    public record WinSize(int rows, int cols) {
    }

    private Tty() {
    }

    public static boolean isatty(int fd) {
        try {
            return (int) H.ISATTY.invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Puts {@code fd}'s terminal in raw mode (cfmakeraw(3)) but keeps output
     * processing (OPOST), as containerd/console's SetRaw does for runc: the relayed
     * pty has ONLCR cleared ({@link #clearOnlcr}), so this terminal turns "\n" into
     * "\r\n" once. Returns what to restore.
     */
    public static Saved makeRaw(int fd) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Native.captureSegment(a);
            MemorySegment t = a.allocate(TERMIOS_SIZE, 4);
            if ((int) H.TCGETATTR.invokeExact(cap, fd, t) < 0) {
                throw new LinuxException("tcgetattr", "fd " + fd, Native.errno(cap));
            }
            byte[] saved = t.toArray(ValueLayout.JAVA_BYTE);
            H.CFMAKERAW.invokeExact(t);
            t.set(INT, C_OFLAG, t.get(INT, C_OFLAG) | OPOST);
            if ((int) H.TCSETATTR.invokeExact(cap, fd, TCSANOW, t) < 0) {
                throw new LinuxException("tcsetattr", "fd " + fd, Native.errno(cap));
            }
            return new Saved(fd, saved);
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static void restore(Saved s) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Native.captureSegment(a);
            MemorySegment t = a.allocate(TERMIOS_SIZE, 4);
            MemorySegment.copy(s.termios(), 0, t, ValueLayout.JAVA_BYTE, 0, s.termios().length);
            if ((int) H.TCSETATTR.invokeExact(cap, s.fd(), TCSANOW, t) < 0) {
                throw new LinuxException("tcsetattr", "fd " + s.fd(), Native.errno(cap));
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Clears ONLCR on a pty (containerd/console's ClearONLCR, which runc applies to
     * the master it relays): Linux ptys start with +onlcr, and the bytes are
     * relayed to a terminal that does its own output processing.
     */
    public static void clearOnlcr(int fd) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Native.captureSegment(a);
            MemorySegment t = a.allocate(TERMIOS_SIZE, 4);
            if ((int) H.TCGETATTR.invokeExact(cap, fd, t) < 0) {
                throw new LinuxException("tcgetattr", "fd " + fd, Native.errno(cap));
            }
            t.set(INT, C_OFLAG, t.get(INT, C_OFLAG) & ~ONLCR);
            if ((int) H.TCSETATTR.invokeExact(cap, fd, TCSANOW, t) < 0) {
                throw new LinuxException("tcsetattr", "fd " + fd, Native.errno(cap));
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static WinSize getSize(int fd) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Native.captureSegment(a);
            MemorySegment ws = a.allocate(8, 2);
            if ((int) H.IOCTL.invokeExact(cap, fd, TIOCGWINSZ, ws) < 0) {
                throw new LinuxException("ioctl TIOCGWINSZ", "fd " + fd, Native.errno(cap));
            }
            return new WinSize(Short.toUnsignedInt(ws.get(ValueLayout.JAVA_SHORT, 0)),
                    Short.toUnsignedInt(ws.get(ValueLayout.JAVA_SHORT, 2)));
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static void setSize(int fd, WinSize size) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Native.captureSegment(a);
            MemorySegment ws = a.allocate(8, 2);
            ws.set(ValueLayout.JAVA_SHORT, 0, (short) size.rows());
            ws.set(ValueLayout.JAVA_SHORT, 2, (short) size.cols());
            if ((int) H.IOCTL.invokeExact(cap, fd, TIOCSWINSZ, ws) < 0) {
                throw new LinuxException("ioctl TIOCSWINSZ", "fd " + fd, Native.errno(cap));
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
