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
    private volatile boolean useSealedCopy;
    /** Our sealed memfd copy of jshim-init once made; -1 before, or when it cannot be made or run. */
    private volatile int sealedCopy = -1;

    public InitLauncher(Path initBinary) {
        this.initBinary = initBinary;
    }

    /**
     * For a long-lived caller (the shim daemon): spawn jshim-init from one sealed memfd copy of it,
     * made here on first use, instead of from the file. Started from the file, jshim-init copies
     * itself into a sealed memfd and re-executes that at every start (security.c, protect_self,
     * CVE-2019-5736); started from a sealed copy it goes straight on. Measured here: 10.4 ms -> 5.4 ms
     * per start of jshim-init (one execve and dynamic link fewer), on every create and exec. The
     * protection is the same: /proc/<pid>/exe of every jshim-init is a memfd that nothing can write.
     * Falls back to the file when the copy cannot be made or executed (e.g. vm.memfd_noexec=2).
     */
    public InitLauncher runFromSealedCopy() {
        useSealedCopy = true;
        return this;
    }

    private String sealedCopyPath() {
        if (!useSealedCopy) {
            return null;
        }
        int fd = sealedCopy;
        if (fd < 0) {
            synchronized (this) {
                fd = sealedCopy;
                if (fd < 0 && useSealedCopy) {
                    try {
                        fd = Syscalls.sealedMemfd("jshim-init", Files.readAllBytes(initBinary));
                        sealedCopy = fd;
                    } catch (java.io.IOException | RuntimeException e) {
                        useSealedCopy = false; // the file, as jrunc does
                        return null;
                    }
                }
            }
        }
        return fd < 0 ? null : "/proc/self/fd/" + fd;
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
        String sealed = sealedCopyPath();
        if (sealed == null && !Files.isExecutable(initBinary)) {
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
            if (sealed != null) {
                try {
                    pid = spawn(sealed, containerId, pair[1], stdio);
                } catch (LinuxException e) {
                    useSealedCopy = false; // e.g. EACCES: memfds are not executable here; the file from now on
                    pid = spawn(initBinary.toString(), containerId, pair[1], stdio);
                }
            } else {
                pid = spawn(initBinary.toString(), containerId, pair[1], stdio);
            }
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

    private static int spawn(String path, String containerId, int syncFd, int[] stdio) throws LinuxException {
        return stdio == null
                ? Syscalls.spawn(path, List.of("jshim-init", containerId),
                        List.of(SyncProtocol.SYNC_FD_ENV + "=" + syncFd))
                : io.jshim.engine.linux.Spawner.spawn(path, List.of("jshim-init", containerId),
                        List.of(SyncProtocol.SYNC_FD_ENV + "=" + syncFd), stdio);
    }
}
