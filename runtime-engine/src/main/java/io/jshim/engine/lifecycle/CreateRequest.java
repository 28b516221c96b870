package io.jshim.engine.lifecycle;

import java.nio.file.Path;

/**
 * What {@code create} (and {@code run}) is asked to do: runc's create flags.
 *
 * @param pidFile       where to write init's host pid (no newline), or null
 * @param consoleSocket AF_UNIX socket path that receives the pty master, or null
 * @param subreaper     the caller has made itself a child subreaper and will
 *                      reap the container's init (foreground {@code run})
 * @param consoleFd     a connected socket of the caller's own (a foreground
 *                      {@code run} relaying the terminal itself, as runc does with
 *                      a socketpair) that receives the pty master when
 *                      process.terminal is set, else -1; the caller keeps it
 * @param stdio         the container's fds 0, 1 and 2 (the shim daemon's FIFOs or
 *                      files for this task), or null to pass on the caller's own
 *                      stdio (jrunc); the caller keeps them
 */
public record CreateRequest(String id, Path bundle, Path pidFile, String consoleSocket, boolean noPivot,
        boolean noNewKeyring, int preserveFds, boolean subreaper, int consoleFd, int[] stdio) {

    public CreateRequest(String id, Path bundle, Path pidFile, String consoleSocket, boolean noPivot,
            boolean noNewKeyring, int preserveFds, boolean subreaper) {
        this(id, bundle, pidFile, consoleSocket, noPivot, noNewKeyring, preserveFds, subreaper, -1, null);
    }

    public CreateRequest(String id, Path bundle, Path pidFile, String consoleSocket, boolean noPivot,
            boolean noNewKeyring, int preserveFds, boolean subreaper, int consoleFd) {
        this(id, bundle, pidFile, consoleSocket, noPivot, noNewKeyring, preserveFds, subreaper, consoleFd, null);
    }

    /** The same request with a console socket of the caller's own (see {@code consoleFd}). */
    public CreateRequest withConsoleFd(int fd) {
        return new CreateRequest(id, bundle, pidFile, consoleSocket, noPivot, noNewKeyring, preserveFds, subreaper, fd,
                stdio);
    }

    /** The same request with the container's stdio given as three fds (see {@code stdio}). */
    public CreateRequest withStdio(int[] fds) {
        if (fds != null && fds.length != 3) {
            throw new IllegalArgumentException("stdio needs 3 fds, got " + fds.length);
        }
        return new CreateRequest(id, bundle, pidFile, consoleSocket, noPivot, noNewKeyring, preserveFds, subreaper,
                consoleFd, fds == null ? null : fds.clone());
    }
}
