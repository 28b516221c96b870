package io.jshim.engine;

/**
 * Phase timings on stderr when {@code JSHIM_TRACE=1}: how long each step of a
 * command took since main started, for start-up work (design.md §5 puts the
 * JVM's share of the critical path under a microscope). Free when off.
 */
public final class Trace {
    private static final boolean ON = "1".equals(System.getenv("JSHIM_TRACE"));
    /** Since this class was first used (jrunc's main marks first); /proc's process start time is too coarse. */
    private static final long T0 = System.nanoTime();

    private Trace() {
    }

    public static void mark(String phase) {
        if (ON) {
            System.err.printf("jshim-trace %6.1f ms %s%n", (System.nanoTime() - T0) / 1e6, phase);
        }
    }
}
