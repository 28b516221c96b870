package io.jshim.ttrpc;

/**
 * Errors in the shape containerd's errdefs gives them (containerd 1.6 errdefs/errors.go and grpc.go
 * {@code ToGRPCf}): the message is the context followed by ": " and the class name, e.g. NOT_FOUND
 * "container not created: not found". containerd's {@code FromGRPC} strips that suffix again and
 * re-wraps the error in the same class, so callers such as CRI can test for it.
 */
public final class Errdefs {

    private Errdefs() {
    }

    public static TtrpcException invalidArgument(String format, Object... args) {
        return classify(Code.INVALID_ARGUMENT, "invalid argument", format, args);
    }

    public static TtrpcException notFound(String format, Object... args) {
        return classify(Code.NOT_FOUND, "not found", format, args);
    }

    public static TtrpcException alreadyExists(String format, Object... args) {
        return classify(Code.ALREADY_EXISTS, "already exists", format, args);
    }

    public static TtrpcException failedPrecondition(String format, Object... args) {
        return classify(Code.FAILED_PRECONDITION, "failed precondition", format, args);
    }

    public static TtrpcException unavailable(String format, Object... args) {
        return classify(Code.UNAVAILABLE, "unavailable", format, args);
    }

    /** containerd's ErrNotImplemented, which travels as UNIMPLEMENTED. */
    public static TtrpcException notImplemented(String format, Object... args) {
        return classify(Code.UNIMPLEMENTED, "not implemented", format, args);
    }

    /** INTERNAL has no errdefs class in 1.6 (2.x errgrpc maps it to ErrInternal); the message is kept as is. */
    public static TtrpcException internal(String format, Object... args) {
        return new TtrpcException(Code.INTERNAL, String.format(format, args));
    }

    /** What Go's context package says when a deadline passes; ttrpc maps it to DEADLINE_EXCEEDED. */
    public static TtrpcException deadlineExceeded() {
        return new TtrpcException(Code.DEADLINE_EXCEEDED, "context deadline exceeded");
    }

    /** What Go's context package says when a call is cancelled; ttrpc maps it to CANCELLED. */
    public static TtrpcException cancelled() {
        return new TtrpcException(Code.CANCELLED, "context canceled");
    }

    private static TtrpcException classify(Code code, String errdefsClass, String format, Object... args) {
        String context = String.format(format, args);
        return new TtrpcException(code, context.isEmpty() ? errdefsClass : context + ": " + errdefsClass);
    }
}
