package io.jshim.shim.events;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.jshim.proto.containerd.services.events.ttrpc.v1.Envelope;
import java.time.Instant;

/** Builds the {@code Envelope} containerd expects from a shim. */
public final class Envelopes {

    private Envelopes() {
    }

    /**
     * The event as an Any whose type URL is the bare full message name, e.g.
     * {@code containerd.events.TaskCreate}. That is what Go shims send (typeurl {@code TypeURL} falls back
     * to {@code proto.MessageName}), and containerd 1.6's typeurl resolves only such names; protobuf-java's
     * {@code Any.pack} would add a {@code type.googleapis.com/} prefix that 1.6 cannot decode.
     */
    public static Any bareAny(Message event) {
        return Any.newBuilder()
                .setTypeUrl(event.getDescriptorForType().getFullName())
                .setValue(event.toByteString())
                .build();
    }

    /**
     * An envelope stamped {@code at}: containerd rejects a zero timestamp, a namespace that is not an
     * identifier and a topic that does not start with '/' (events/exchange/exchange.go validateEnvelope).
     */
    public static Envelope envelope(Instant at, String namespace, String topic, Message event) {
        return Envelope.newBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
                .setNamespace(namespace)
                .setTopic(topic)
                .setEvent(bareAny(event))
                .build();
    }
}
