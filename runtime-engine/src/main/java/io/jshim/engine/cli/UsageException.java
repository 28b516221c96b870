package io.jshim.engine.cli;

/** The command line itself is wrong: runc prints usage and exits 1 (3 for an unknown command). */
final class UsageException extends Exception {
    private final int exitCode;
    private final boolean showUsage;

    UsageException(String message, int exitCode, boolean showUsage) {
        super(message);
        this.exitCode = exitCode;
        this.showUsage = showUsage;
    }

    int exitCode() {
        return exitCode;
    }

    boolean showUsage() {
        return showUsage;
    }
}
