package io.jshim.engine.plan;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts jshim-init with posix_spawn (never ProcessBuilder, whose reaper thread
 * would race ours for exit statuses; design.md §3) and hands it one end of a
 * socketpair.
 */
public final class InitLauncher {
    private final Path initBinary;

    public InitLauncher(Path initBinary) {
        this.initBinary = initBinary;
    }

    /**
     * Where jshim-init lives: {@code $JSHIM_INIT}, else {@code -Djshim.libexec=DIR}
     * (set by the launcher scripts to {@code <prefix>/libexec/jshim}).
     */
    public static Path locate() {
        String env = System.getenv("JSHIM_INIT");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        String libexec = System.getProperty("jshim.libexec");
        if (libexec != null) {
            return Path.of(libexec, "jshim-init");
        }
        return Path.of("/usr/local/libexec/jshim/jshim-init");
    }

    /**
     * A running jshim-init and our end of its socket.
     *
     * @param passedFds the numbers under which jshim-init inherited the extra fds
     *                  given to {@link #start(String, int, int...)}, in order
     */
    public record Started(int pid, InitChannel channel, int[] passedFds) {
        public Started(int pid, InitChannel channel) {
            this(pid, channel, new int[0]);
        }
    }

    /**
     * @param preserveFds fds 3..3+n-1 go to the container, so jshim-init's end of
     *                    the socket must sit above them
     */
    public Started start(String containerId, int preserveFds) throws LinuxException {
        return start(containerId, preserveFds, new int[0]);
    }

    /**
     * As {@link #start(String, int)}, and jshim-init also inherits {@code extraFds}
     * (e.g. a connected console socket), each under a number above the sync fd,
     * reported in {@link Started#passedFds()}; the caller names them in the plan.
     * Our copies of those fds are left open: the caller closes them.
     */
    public Started start(String containerId, int preserveFds, int... extraFds) throws LinuxException {
        return startWithStdio(containerId, preserveFds, null, extraFds);
    }

    /**
     * As {@link #start(String, int, int...)}, with jshim-init's (and so the
     * container's) fds 0, 1 and 2 taken from {@code stdio} instead of ours: the
     * shim daemon gives each task its own FIFOs. Null = inherit ours (jrunc).
     */
    public Started startWithStdio(String containerId, int preserveFds, int[] stdio, int... extraFds)
            throws LinuxException {
        if (!Files.isExecutable(initBinary)) {
            throw new LinuxException("jshim-init not found or not executable at " + initBinary
                    + " (set JSHIM_INIT or reinstall jshim)", 2, true);
        }
        int[] pair = Syscalls.socketpair();
        // jshim-init's end must survive execve and sit above the preserved fds.
        int inheritable;
        try {
            inheritable = Syscalls.dupInheritable(pair[1], 3 + preserveFds);
        } finally {
            Syscalls.close(pair[1]);
        }
        pair[1] = inheritable;
        int[] passed = new int[extraFds.length];
        int pid;
        try {
            for (int i = 0; i < extraFds.length; i++) {
                passed[i] = Syscalls.dupInheritable(extraFds[i], (i == 0 ? pair[1] : passed[i - 1]) + 1);
            }
            pid = stdio == null
                    ? Syscalls.spawn(initBinary.toString(), List.of("jshim-init", containerId),
                            List.of(SyncProtocol.SYNC_FD_ENV + "=" + pair[1]))
                    : io.jshim.engine.linux.Spawner.spawn(initBinary.toString(), List.of("jshim-init", containerId),
                            List.of(SyncProtocol.SYNC_FD_ENV + "=" + pair[1]), stdio);
        } catch (LinuxException e) {
            Syscalls.close(pair[0]);
            Syscalls.close(pair[1]);
            for (int fd : passed) {
                if (fd > 0) {
                    Syscalls.close(fd);
                }
            }
            throw e;
        }
        // Our copy of the child's end must go, or we would never see EOF when it dies.
        Syscalls.close(pair[1]);
        // The inheritable copies are jshim-init's now; a later spawn must not inherit them.
        for (int fd : passed) {
            Syscalls.close(fd);
        }
        return new Started(pid, new InitChannel(pair[0]), passed);
    }
}
