package io.jshim.ttrpc;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a handler knows about the call it serves: names, stream, metadata, peer and deadline.
 *
 * <p>The deadline comes from the request's {@code timeout_nano} (ttrpc server.go {@code getRequestContext}).
 * When it passes the server answers DEADLINE_EXCEEDED by itself and interrupts the handler, so a
 * handler that blocks (Task.Wait) only needs to be interruptible; {@link #remaining()} lets it bound
 * its own waits instead.
 */
public final class CallContext {

    private final String service;
    private final String method;
    private final int streamId;
    private final Map<String, List<String>> metadata;
    private final Peer peer;
    private final long deadlineNanos;
    private final boolean hasDeadline;

    CallContext(String service, String method, int streamId, Map<String, List<String>> metadata, Peer peer,
            boolean hasDeadline, long deadlineNanos) {
        this.service = service;
        this.method = method;
        this.streamId = streamId;
        this.metadata = metadata;
        this.peer = peer;
        this.hasDeadline = hasDeadline;
        this.deadlineNanos = deadlineNanos;
    }

    /** A context for calling a handler directly, without a connection (tests, in-process use). */
    public static CallContext detached(String service, String method) {
        return new CallContext(service, method, 1, Map.of(), null, false, 0);
    }

    public String service() {
        return service;
    }

    public String method() {
        return method;
    }

    public int streamId() {
        return streamId;
    }

    /** Request metadata, key to values in arrival order (ttrpc metadata.go MD). */
    public Map<String, List<String>> metadata() {
        return metadata;
    }

    /** The first value of a metadata key, e.g. {@code containerd-namespace-ttrpc}. */
    public Optional<String> metadataValue(String key) {
        List<String> values = metadata.get(key);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    /** The peer's credentials, or empty for a detached context. */
    public Optional<Peer> peer() {
        return Optional.ofNullable(peer);
    }

    /** Time left until the caller's deadline; empty if the caller set none. Negative once it has passed. */
    public Optional<Duration> remaining() {
        return hasDeadline ? Optional.of(Duration.ofNanos(deadlineNanos - System.nanoTime())) : Optional.empty();
    }

    public boolean deadlinePassed() {
        return hasDeadline && deadlineNanos - System.nanoTime() <= 0;
    }
}
