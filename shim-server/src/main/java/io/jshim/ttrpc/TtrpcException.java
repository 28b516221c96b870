package io.jshim.ttrpc;

import io.jshim.proto.google.rpc.Status;

/**
 * A call that ended with a non-OK status. Handlers throw it to choose the code the caller sees; the
 * client throws it when the server answered with one. {@link Errdefs} builds the containerd-flavoured ones.
 */
public class TtrpcException extends RuntimeException {

    private final Code code;

    public TtrpcException(Code code, String message) {
        this(code, message, null);
    }

    public TtrpcException(Code code, String message, Throwable cause) {
        super(message, cause);
        if (code == Code.OK) {
            throw new IllegalArgumentException("a TtrpcException cannot carry OK");
        }
        this.code = code;
    }

    public Code code() {
        return code;
    }

    /** The status as it travels in {@code ttrpc.Response.status}. */
    public Status toStatus() {
        String message = getMessage();
        return Status.newBuilder().setCode(code.value()).setMessage(message == null ? "" : message).build();
    }

    public static TtrpcException fromStatus(Status status) {
        return new TtrpcException(Code.of(status.getCode()), status.getMessage());
    }

    @Override
    public String toString() {
        return code + ": " + getMessage();
    }
}
