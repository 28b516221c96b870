package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.spec.SpecProcess;
import java.nio.file.Path;

/**
 * What {@code exec} is asked to run (runc's exec flags).
 *
 * @param process       the process to run, given the container's own process as a
 *                      template (runc: {@code --process FILE} replaces it, the
 *                      command-line flags edit it)
 * @param consoleSocket AF_UNIX socket path that receives the pty master, or null
 * @param consoleFd     a connected socket of the caller's own (a foreground relay)
 *                      that receives the pty master, or -1
 * @param preserveFds   fds 3..3+n-1 of the caller go to the process
 * @param pidFile       where to write the process's host pid (no newline), or null
 * @param ignorePaused  exec into a paused container anyway
 * @param stdio         the process's fds 0, 1 and 2 (the shim daemon's FIFOs for
 *                      this exec), or null to pass on the caller's own (jrunc); the
 *                      caller keeps them
 */
public record ExecRequest(String id, ProcessSource process, String consoleSocket, int consoleFd, int preserveFds,
        Path pidFile, boolean ignorePaused, int[] stdio) {

    public ExecRequest(String id, ProcessSource process, String consoleSocket, int consoleFd, int preserveFds,
            Path pidFile, boolean ignorePaused) {
        this(id, process, consoleSocket, consoleFd, preserveFds, pidFile, ignorePaused, null);
    }

    /** The process to run, made from the container's process (the template) or from scratch. */
    @FunctionalInterface
    public interface ProcessSource {
        SpecProcess resolve(SpecProcess template) throws EngineException;
    }
}
