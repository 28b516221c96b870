package io.jshim.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The FFM plumbing for libc downcalls (design.md §6: FFM starts faster and costs
 * less memory than jnr-posix). Calls that can fail capture errno right after the
 * call, before the JVM can clobber it.
 */
final class Native {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private Native() {
    }

    static FunctionDescriptor fd(MemoryLayout ret, MemoryLayout... args) {
        return FunctionDescriptor.of(ret, args);
    }

    static MethodHandle downcall(String name, FunctionDescriptor desc) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), desc);
    }

    /** A downcall whose first argument is the errno capture segment. */
    static MethodHandle downcallErrno(String name, FunctionDescriptor desc) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), desc,
                CAPTURE_ERRNO);
    }

    /** One errno capture segment per thread, shared by every downcall class of this package. */
    private static final ThreadLocal<MemorySegment> THREAD_CAPTURE =
            ThreadLocal.withInitial(() -> captureSegment(Arena.global()));

    static MemorySegment capture() {
        return THREAD_CAPTURE.get();
    }

    /** errno as captured by this thread's last errno-capturing downcall. */
    static int lastErrno() {
        return errno(THREAD_CAPTURE.get());
    }

    static MemorySegment captureSegment(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }
}
