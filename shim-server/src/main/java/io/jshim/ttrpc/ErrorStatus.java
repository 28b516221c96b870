package io.jshim.ttrpc;

import io.jshim.proto.google.rpc.Status;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Turns whatever a handler threw into the status on the wire, the one place where that happens.
 *
 * <p>A {@link TtrpcException} keeps its code. Other exceptions get the code Go's ttrpc would give their Go
 * counterparts (services.go {@code convertCode}: os.ErrNotExist NOT_FOUND, os.ErrExist ALREADY_EXISTS,
 * permission PERMISSION_DENIED, os.ErrInvalid INVALID_ARGUMENT, io.EOF OUT_OF_RANGE, context errors
 * CANCELLED/DEADLINE_EXCEEDED) and everything else is UNKNOWN with the exception's message, as Go sends
 * {@code err.Error()}.
 */
public final class ErrorStatus {

    private ErrorStatus() {
    }

    public static Status of(Throwable error) {
        Throwable t = unwrap(error);
        return switch (t) {
            case TtrpcException e -> e.toStatus();
            case NoSuchFileException e -> status(Code.NOT_FOUND, t);
            case FileNotFoundException e -> status(Code.NOT_FOUND, t);
            case FileAlreadyExistsException e -> status(Code.ALREADY_EXISTS, t);
            case AccessDeniedException e -> status(Code.PERMISSION_DENIED, t);
            case SecurityException e -> status(Code.PERMISSION_DENIED, t);
            case IllegalArgumentException e -> status(Code.INVALID_ARGUMENT, t);
            case UnsupportedOperationException e -> status(Code.UNIMPLEMENTED, t);
            case EOFException e -> status(Code.OUT_OF_RANGE, t);
            case TimeoutException e -> Errdefs.deadlineExceeded().toStatus();
            case InterruptedException e -> Errdefs.cancelled().toStatus();
            case CancellationException e -> Errdefs.cancelled().toStatus();
            default -> status(Code.UNKNOWN, t);
        };
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static Status status(Code code, Throwable t) {
        String message = t.getMessage();
        return Status.newBuilder()
                .setCode(code.value())
                .setMessage(message != null ? message : t.getClass().getName())
                .build();
    }
}
