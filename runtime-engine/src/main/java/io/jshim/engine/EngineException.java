package io.jshim.engine;

/**
 * An engine operation failed. The kind lets the shim map it to the gRPC code
 * containerd's errdefs expects; the message is what jrunc prints and must carry
 * the id, path or field at fault.
 */
public class EngineException extends Exception {
    public enum Kind { NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, INVALID_ARGUMENT, INTERNAL }

    private final Kind kind;

    public EngineException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public EngineException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static EngineException notFound() {
        return new EngineException(Kind.NOT_FOUND, "container does not exist");
    }
}
