package io.jshim.shim.events;

import com.google.protobuf.Message;

/**
 * Where the shim sends task events. Publishing never blocks the caller (the exit path calls it) and
 * never throws for delivery problems: events are queued and delivered in order by the implementation.
 */
public interface EventPublisher extends AutoCloseable {

    /**
     * Queues {@code event} for {@code topic} in containerd namespace {@code namespace}.
     *
     * @return false if the event was refused because the queue is full or the publisher is closed
     */
    boolean publish(String namespace, String topic, Message event);

    /** Queues a {@code containerd.events.Task*} event under its standard topic ({@link EventTopics}). */
    default boolean publish(String namespace, Message event) {
        return publish(namespace, EventTopics.topicOf(event), event);
    }

    @Override
    void close();
}
