package io.jshim.shim.task;

import com.google.protobuf.Message;
import io.jshim.shim.events.EventPublisher;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** An {@link EventPublisher} that keeps what it is given, in order. */
final class RecordingPublisher implements EventPublisher {
    record Event(String namespace, String topic, Message event) {
    }

    final List<Event> events = Collections.synchronizedList(new ArrayList<>());

    @Override
    public boolean publish(String namespace, String topic, Message event) {
        events.add(new Event(namespace, topic, event));
        return true;
    }

    List<String> topics() {
        synchronized (events) {
            return events.stream().map(Event::topic).toList();
        }
    }

    @SuppressWarnings("unchecked")
    <T extends Message> T last(Class<T> type) {
        synchronized (events) {
            for (int i = events.size() - 1; i >= 0; i--) {
                if (type.isInstance(events.get(i).event())) {
                    return (T) events.get(i).event();
                }
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " published: " + topics());
    }

    @Override
    public void close() {
    }
}
