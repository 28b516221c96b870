package io.jshim.engine.lifecycle;

import java.nio.file.Path;

/**
 * What {@code create} (and {@code run}) is asked to do: runc's create flags.
 *
 * @param pidFile       where to write init's host pid (no newline), or null
 * @param consoleSocket AF_UNIX socket path that receives the pty master, or null
 * @param subreaper     the caller has made itself a child subreaper and will
 *                      reap the container's init (foreground {@code run})
 */
public record CreateRequest(String id, Path bundle, Path pidFile, String consoleSocket, boolean noPivot,
        boolean noNewKeyring, int preserveFds, boolean subreaper) {
}
