package io.jshim.engine.linux;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/** errno values and their Go-style (lower-case) descriptions, from strerror(3). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ECHILD = 10;
    public static final int ENXIO = 6;

    private static final MethodHandle STRERROR = Native.downcall("strerror",
            Native.fd(Native.PTR, Native.INT));

    private Errno() {
    }

    /** "no such file or directory": strerror with a lower-case first letter, as Go prints errno. */
    public static String describe(int errno) {
        try {
            MemorySegment p = (MemorySegment) STRERROR.invokeExact(errno);
            String s = p.reinterpret(Long.MAX_VALUE).getString(0);
            if (s.isEmpty()) {
                return "errno " + errno;
            }
            return s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
