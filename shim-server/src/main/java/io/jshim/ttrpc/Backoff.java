package io.jshim.ttrpc;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with a cap and up to 20% jitter, so that many shims retrying against a restarting
 * containerd do not all knock at once. Not thread-safe; each user keeps its own.
 */
public final class Backoff {

    private final long initialNanos;
    private final long maxNanos;
    private long nextNanos;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max");
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.nextNanos = initialNanos;
    }

    /** The delay before the next attempt; each call doubles the following one, up to the cap. */
    public Duration next() {
        long base = nextNanos;
        nextNanos = Math.min(maxNanos, nextNanos * 2);
        long jitter = (long) (base * 0.2 * ThreadLocalRandom.current().nextDouble());
        return Duration.ofNanos(base - jitter);
    }

    /** After a success: start again from the initial delay. */
    public void reset() {
        nextNanos = initialNanos;
    }
}
