package io.jshim.shim.events;

import java.time.Duration;

/**
 * Limits of {@link TtrpcEventPublisher}.
 *
 * @param queueCapacity  events waiting at most (Go shims: 2048, runtime/v2/shim/publisher.go queueSize)
 * @param forwardTimeout timeout of one Forward call (Go shims: 5 s)
 * @param initialBackoff first pause after a failed Forward
 * @param maxBackoff     longest pause between attempts
 * @param maxEventAge    an event still undelivered this long after it was published is dropped; consumers
 *                       reconcile through Wait/State (Go shims drop after 5 requeues, about 15 s)
 */
public record PublisherOptions(int queueCapacity, Duration forwardTimeout, Duration initialBackoff,
        Duration maxBackoff, Duration maxEventAge) {

    public static PublisherOptions defaults() {
        return new PublisherOptions(2048, Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(2),
                Duration.ofSeconds(60));
    }

    public PublisherOptions withMaxEventAge(Duration age) {
        return new PublisherOptions(queueCapacity, forwardTimeout, initialBackoff, maxBackoff, age);
    }

    public PublisherOptions withQueueCapacity(int capacity) {
        return new PublisherOptions(capacity, forwardTimeout, initialBackoff, maxBackoff, maxEventAge);
    }

    public PublisherOptions withBackoff(Duration initial, Duration max) {
        return new PublisherOptions(queueCapacity, forwardTimeout, initial, max, maxEventAge);
    }
}
