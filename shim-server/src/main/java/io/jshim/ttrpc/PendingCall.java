package io.jshim.ttrpc;

import com.google.protobuf.ByteString;
import io.jshim.proto.ttrpc.KeyValue;
import io.jshim.proto.ttrpc.Request;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A client call waiting for its Response frame. */
final class PendingCall {

    final String service;
    final String method;
    final byte[] payload;
    final Map<String, String> metadata;
    /** System.nanoTime() of the caller's deadline, meaningful only if {@link #hasDeadline}. */
    final long deadlineNanos;
    final boolean hasDeadline;
    final CompletableFuture<byte[]> result = new CompletableFuture<>();

    PendingCall(String service, String method, byte[] payload, Map<String, String> metadata, boolean hasDeadline,
            long deadlineNanos) {
        this.service = service;
        this.method = method;
        this.payload = payload;
        this.metadata = metadata;
        this.hasDeadline = hasDeadline;
        this.deadlineNanos = deadlineNanos;
    }

    long remainingNanos() {
        return deadlineNanos - System.nanoTime();
    }

    /** The Request as sent now: timeout_nano is the time left until the deadline (Go client.go Call). */
    byte[] encodeRequest() {
        Request.Builder request = Request.newBuilder()
                .setService(service)
                .setMethod(method)
                .setPayload(ByteString.copyFrom(payload));
        if (hasDeadline) {
            request.setTimeoutNano(Math.max(1, remainingNanos()));
        }
        metadata.forEach((k, v) -> request.addMetadata(KeyValue.newBuilder().setKey(k).setValue(v)));
        return request.build().toByteArray();
    }
}
