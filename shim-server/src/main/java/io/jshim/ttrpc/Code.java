package io.jshim.ttrpc;

/**
 * gRPC status codes, which ttrpc carries in {@code google.rpc.Status.code} (google.golang.org/grpc/codes).
 * containerd maps them back to its errdefs classes (errdefs/grpc.go {@code FromGRPC}); 1.6 knows
 * INVALID_ARGUMENT, ALREADY_EXISTS, NOT_FOUND, UNAVAILABLE, FAILED_PRECONDITION, UNIMPLEMENTED,
 * CANCELLED and DEADLINE_EXCEEDED and turns everything else into "unknown".
 */
public enum Code {
    OK(0),
    CANCELLED(1),
    UNKNOWN(2),
    INVALID_ARGUMENT(3),
    DEADLINE_EXCEEDED(4),
    NOT_FOUND(5),
    ALREADY_EXISTS(6),
    PERMISSION_DENIED(7),
    RESOURCE_EXHAUSTED(8),
    FAILED_PRECONDITION(9),
    ABORTED(10),
    OUT_OF_RANGE(11),
    UNIMPLEMENTED(12),
    INTERNAL(13),
    UNAVAILABLE(14),
    DATA_LOSS(15),
    UNAUTHENTICATED(16);

    private static final Code[] BY_VALUE = values();

    private final int value;

    Code(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** The code for a wire value; values outside 0..16 become UNKNOWN, as grpc-go does. */
    public static Code of(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : UNKNOWN;
    }
}
