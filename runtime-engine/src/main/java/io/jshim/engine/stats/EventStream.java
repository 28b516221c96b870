package io.jshim.engine.stats;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.stats.CgroupStats;
import io.jshim.engine.cgroup.stats.OomWatcher;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The loop behind {@code jrunc events} (runc events.go): a stats sample every interval,
 * the first one interval after the start, an OOM notification whenever the kernel sends
 * one, until the container is deleted (its cgroup removed), not merely when its processes
 * exit. A sample that fails while the container still exists is reported and the loop
 * goes on, as runc logs it and goes on.
 */
public final class EventStream {
    /**
     * How often to look whether the container is gone when nothing else wakes the loop: on
     * v1 the OOM eventfd also fires at cgroup removal, but cgroup v2 and a cgroup without a
     * memory controller give no such signal.
     */
    static final long LIVENESS_MILLIS = 200;

    /** What the stream produces. */
    public interface Sink {
        void stats(CgroupStats stats);

        void oom();

        /** A sample failed (runc logs it at error level and carries on). */
        void error(String message);
    }

    /** Reads one sample. */
    @FunctionalInterface
    public interface Sampler {
        CgroupStats sample() throws CgroupException;
    }

    private final Sampler sampler;
    private final OomWatcher oom;
    private final BooleanSupplier exists;
    private final LongSupplier nanoClock;

    /**
     * @param exists    whether the container (its state and cgroup) is still there
     * @param nanoClock monotonic time in nanoseconds ({@link System#nanoTime} but in tests)
     */
    public EventStream(Sampler sampler, OomWatcher oom, BooleanSupplier exists, LongSupplier nanoClock) {
        this.sampler = sampler;
        this.oom = oom;
        this.exists = exists;
        this.nanoClock = nanoClock;
    }

    /** Runs until the container is gone; {@code interval} must be positive. */
    public void run(Duration interval, Sink sink) throws CgroupException, InterruptedException {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("duration interval must be greater than 0");
        }
        long step = interval.toNanos();
        long next = nanoClock.getAsLong() + step;
        while (exists.getAsBoolean()) {
            long now = nanoClock.getAsLong();
            long waitMillis = Math.max(0, Math.min((next - now + 999_999) / 1_000_000, LIVENESS_MILLIS));
            int ooms = oom.await(waitMillis);
            for (int i = 0; i < ooms; i++) {
                sink.oom();
            }
            if (!exists.getAsBoolean()) {
                return;
            }
            now = nanoClock.getAsLong();
            if (now - next >= 0) {
                try {
                    sink.stats(sampler.sample());
                } catch (CgroupException e) {
                    if (!exists.getAsBoolean()) {
                        return; // deleted while we read it
                    }
                    sink.error(e.getMessage());
                }
                next += step;
                if (nanoClock.getAsLong() - next >= 0) {
                    // Fell behind (a slow read or a tiny interval): drop the missed ticks, as Go's time.Tick does.
                    next = nanoClock.getAsLong() + step;
                }
            }
        }
    }
}
