package io.jshim.shim.task;

import io.jshim.engine.EngineException;
import io.jshim.ttrpc.Code;
import io.jshim.ttrpc.Errdefs;
import io.jshim.ttrpc.TtrpcException;

/**
 * The one place where failures become ttrpc statuses (style-anchors §11): engine error kinds map to
 * containerd's errdefs classes (NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, INVALID_ARGUMENT); an
 * internal engine failure, like any plain Go error in the runc shim, travels as UNKNOWN with its message,
 * which containerd shows to the user as is.
 */
final class TaskErrors {

    private TaskErrors() {
    }

    static TtrpcException map(Throwable t) {
        if (t instanceof TtrpcException e) {
            return e;
        }
        if (t instanceof EngineException e) {
            return switch (e.kind()) {
                case NOT_FOUND -> Errdefs.notFound("%s", e.getMessage());
                case ALREADY_EXISTS -> Errdefs.alreadyExists("%s", e.getMessage());
                case FAILED_PRECONDITION -> Errdefs.failedPrecondition("%s", e.getMessage());
                case INVALID_ARGUMENT -> Errdefs.invalidArgument("%s", e.getMessage());
                case INTERNAL -> new TtrpcException(Code.UNKNOWN, e.getMessage(), e);
            };
        }
        if (t instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return Errdefs.cancelled();
        }
        String msg = t.getMessage() == null ? t.toString() : t.getMessage();
        return new TtrpcException(Code.UNKNOWN, msg, t);
    }
}
