package io.jshim.engine.cli;

/** A verb failed: its message is logged as runc logs errors, and jrunc exits with the code. */
final class CommandFailed extends Exception {
    private final int exitCode;

    CommandFailed(String message) {
        this(message, 1);
    }

    CommandFailed(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
