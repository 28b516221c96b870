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

    /** A running jshim-init and our end of its socket. */
    public record Started(int pid, InitChannel channel) {
    }

    /**
     * @param preserveFds fds 3..3+n-1 go to the container, so jshim-init's end of
     *                    the socket must sit above them
     */
    public Started start(String containerId, int preserveFds) throws LinuxException {
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
        int pid;
        try {
            pid = Syscalls.spawn(initBinary.toString(), List.of("jshim-init", containerId),
                    List.of(SyncProtocol.SYNC_FD_ENV + "=" + pair[1]));
        } catch (LinuxException e) {
            Syscalls.close(pair[0]);
            Syscalls.close(pair[1]);
            throw e;
        }
        // Our copy of the child's end must go, or we would never see EOF when it dies.
        Syscalls.close(pair[1]);
        return new Started(pid, new InitChannel(pair[0]));
    }
}
