package io.jshim.shim.io;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.shim.linux.ShimSyscalls;
import io.jshim.ttrpc.Errdefs;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stdio of one container process, from the paths in a Create (or Exec) request
 * (shim-v2-protocol.md §5). The shim copies nothing: the container gets the FIFO (or file) itself as
 * its fd 0, 1 and 2, so output reaches the client with no copy and no thread, and no byte can be lost
 * in between. What the runc shim keeps its copy loops for is kept as fds in the daemon:
 * <ul>
 *   <li>stdout/stderr FIFO: the daemon also holds a <em>read</em> end that it never reads, so that the
 *       container's writes do not fail with EPIPE (and kill it with SIGPIPE) while the client is away,
 *       e.g. after {@code ctr run -d} returned or while containerd restarts; as with the runc shim, a
 *       container whose output nobody reads blocks once the pipe buffer is full;</li>
 *   <li>stdin FIFO: the container gets a blocking read end; the daemon holds a <em>write</em> end
 *       (the keep-alive, {@link #closeStdin}) so that the container sees EOF only after CloseIO, once
 *       the client has closed its side too;</li>
 *   <li>{@code file:///path}: stdout and stderr appended to that file (its parent made as needed);</li>
 *   <li>an empty path: /dev/null.</li>
 * </ul>
 * A process with a terminal is the exception: its stdin and stdout FIFO ends go to a {@link PtyRelay},
 * which copies them to and from the pty master.
 *
 * <p>{@code binary:///path?k=v} (and {@code binary-v2://}) in stdout: a logger process, started as
 * containerd's runc shim starts it ({@code pkg/process/io.go} {@code NewBinaryIO}): the program at the
 * URI's path, with each query key and its first value as arguments, only {@code CONTAINER_ID} (the task
 * id, or the exec id for an exec, as runc's shim) and {@code CONTAINER_NAMESPACE} in its environment,
 * /dev/null as 0-2, the read ends of the container's stdout and stderr pipes as fds 3 and 4, and the
 * write end of a ready pipe as fd 5, which it closes once ready ({@code binary-v2}: after writing a byte
 * to it). The Create waits for that. stdin is not connected (as with runc's shim). When the process is
 * deleted, the logger gets {@link #LOGGER_DRAIN} to finish on its own after EOF, then SIGTERM and
 * {@link #LOGGER_TERM} more before SIGKILL (runc's shim sends SIGTERM at once, which can cut off the last
 * lines); this happens in the background, so Delete does not wait for it.
 *
 * <p>runc's {@code IoUid}/{@code IoGid} options: the container's ends of FIFOs and pipes are given to
 * that owner ({@link Owner}), so that a process running as that user can reopen them.
 */
public final class TaskStdio implements AutoCloseable {

    /** How long a binary logger may take to say it is ready. */
    static final java.time.Duration LOGGER_READY = java.time.Duration.ofSeconds(30);
    /** How long a binary logger may run on after its pipes reached EOF before it gets SIGTERM. */
    static final java.time.Duration LOGGER_DRAIN = java.time.Duration.ofSeconds(2);
    /** And after SIGTERM, before SIGKILL (runc's shim: 12 s). */
    static final java.time.Duration LOGGER_TERM = java.time.Duration.ofSeconds(12);

    /**
     * Whose stdio this is: {@code id} and {@code namespace} for a binary logger's environment; the owner
     * the container's pipe and FIFO ends get (runc's IoUid/IoGid; 0:0 changes nothing).
     */
    public record Owner(String namespace, String id, int uid, int gid) {
        public static final Owner NONE = new Owner("", "", 0, 0);

        public Owner withId(String otherId) {
            return new Owner(namespace, otherId, uid, gid);
        }
    }

    private final int[] containerFds = {-1, -1, -1};
    /** Which of containerFds are a FIFO or a pipe (what IoUid/IoGid applies to). */
    private final boolean[] pipeLike = new boolean[3];
    private final List<Integer> heldFds = new ArrayList<>();
    private int stdinKeepAlive = -1;
    private boolean containerFdsClosed;
    private PtyRelay pty;
    private int loggerPid = -1;
    private int loggerPidfd = -1;

    private TaskStdio() {
    }

    /** The binary logger's pid, or -1 (for tests). */
    public int loggerPid() {
        return loggerPid;
    }

    /**
     * Opens the three paths. Throws a ttrpc error (INVALID_ARGUMENT / UNIMPLEMENTED) for a URI jshim
     * cannot serve, an IOException naming the path when an open fails.
     */
    public static TaskStdio open(String stdin, String stdout, String stderr) throws IOException {
        return open(stdin, stdout, stderr, Owner.NONE);
    }

    /** As {@link #open(String, String, String)}, with a binary logger's identity and an owner for the pipes. */
    public static TaskStdio open(String stdin, String stdout, String stderr, Owner owner) throws IOException {
        TaskStdio io = new TaskStdio();
        try {
            if (isBinary(stdout)) {
                io.containerFds[0] = openNull();
                io.startLogger(stdout, owner);
            } else {
                io.openStdin(stdin);
                Map<String, Integer> opened = new HashMap<>();
                io.containerFds[1] = io.openOutput(stdout, opened, 1);
                io.containerFds[2] = io.openOutput(stderr, opened, 2);
            }
            if (owner.uid() != 0 || owner.gid() != 0) {
                for (int i = 0; i < 3; i++) {
                    if (io.pipeLike[i]) {
                        ShimSyscalls.fchown(io.containerFds[i], owner.uid(), owner.gid());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            io.close();
            throw e;
        }
        return io;
    }

    static boolean isBinary(String uri) {
        return uri.startsWith("binary://") || uri.startsWith("binary-v2://");
    }

    /**
     * As {@link #open(String, String, String)}, for a process with a terminal when {@code terminal}: the
     * stdin read end and the stdout write end go to a {@link PtyRelay} instead (the container's fds 0, 1
     * and 2 are /dev/null, which jshim-init replaces with the pty slave); stderr is unused, as with runc.
     */
    public static TaskStdio open(String stdin, String stdout, String stderr, boolean terminal) throws IOException {
        return open(stdin, stdout, stderr, terminal, Owner.NONE);
    }

    /** As {@link #open(String, String, String, boolean)}, with an {@link Owner}. */
    public static TaskStdio open(String stdin, String stdout, String stderr, boolean terminal, Owner owner)
            throws IOException {
        if (terminal && isBinary(stdout)) {
            throw Errdefs.invalidArgument("stdout %s: a binary:// logger cannot serve a terminal", stdout);
        }
        TaskStdio io = open(stdin, stdout, stderr, owner);
        if (!terminal) {
            return io;
        }
        try {
            int in = io.containerFds[0];
            int out = io.containerFds[1];
            int err = io.containerFds[2];
            io.containerFds[0] = -1;
            io.containerFds[1] = -1;
            io.containerFds[2] = -1;
            if (err != out) {
                Syscalls.close(err);
            }
            try {
                io.pty = new PtyRelay(in, out);
            } catch (LinuxException e) {
                Syscalls.close(in);
                Syscalls.close(out);
                throw e;
            }
            for (int i = 0; i < 3; i++) {
                io.containerFds[i] = openNull();
            }
        } catch (IOException | RuntimeException e) {
            io.close();
            throw e;
        }
        return io;
    }

    /** The console socket for the engine (consoleFd) when this process has a terminal, else -1. */
    public int consoleSocket() {
        return pty == null ? -1 : pty.socketForContainer();
    }

    /** ResizePty: sets the pty's window size; a no-op without a terminal. */
    public void resizePty(int width, int height) throws LinuxException {
        PtyRelay p;
        synchronized (this) {
            p = pty;
        }
        if (p != null) {
            p.resize(width, height);
        }
    }

    /** The fds to give the container as its 0, 1, 2. */
    public int[] containerFds() {
        return containerFds.clone();
    }

    private void openStdin(String path) throws IOException {
        if (path.isEmpty()) {
            containerFds[0] = openNull();
            return;
        }
        String fifo = fifoPath(path, "stdin");
        // Non-blocking open of the read end succeeds without a writer; then our keep-alive writer can
        // open (a reader exists), and the read end is made blocking for the container.
        int r = Syscalls.open(fifo, ShimSyscalls.O_RDONLY | ShimSyscalls.O_NONBLOCK | ShimSyscalls.O_CLOEXEC, 0);
        containerFds[0] = r;
        pipeLike[0] = true;
        stdinKeepAlive = Syscalls.open(fifo, ShimSyscalls.O_WRONLY | ShimSyscalls.O_NONBLOCK | ShimSyscalls.O_CLOEXEC,
                0);
        ShimSyscalls.clearNonBlocking(r);
    }

    private int openOutput(String path, Map<String, Integer> opened, int which) throws IOException {
        if (path.isEmpty()) {
            return openNull();
        }
        Integer same = opened.get(path);
        if (same != null) {
            pipeLike[which] = false; // already owned through the other fd
            return same; // stdout and stderr to the same FIFO or file: one open file description
        }
        int fd;
        if (path.startsWith("file://")) {
            Path file = fileUriPath(path);
            Path parent = file.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            fd = Syscalls.open(file.toString(),
                    ShimSyscalls.O_WRONLY | ShimSyscalls.O_CREAT | ShimSyscalls.O_APPEND | ShimSyscalls.O_CLOEXEC, 0644);
        } else {
            String fifo = fifoPath(path, "stdout/stderr");
            int keep = Syscalls.open(fifo, ShimSyscalls.O_RDONLY | ShimSyscalls.O_NONBLOCK | ShimSyscalls.O_CLOEXEC, 0);
            heldFds.add(keep);
            fd = Syscalls.open(fifo, ShimSyscalls.O_WRONLY | ShimSyscalls.O_CLOEXEC, 0);
            pipeLike[which] = true;
        }
        opened.put(path, fd);
        return fd;
    }

    /** Starts the stdout URI's logger (see the class comment) and waits until it is ready. */
    private void startLogger(String uri, Owner owner) throws IOException {
        boolean v2 = uri.startsWith("binary-v2://");
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            throw Errdefs.invalidArgument("stdout %s: %s", uri, e.getMessage());
        }
        String program = u.getPath();
        if (program == null || !program.startsWith("/") || (u.getRawAuthority() != null && !u.getRawAuthority().isEmpty())) {
            throw Errdefs.invalidArgument("stdout %s: a binary logger needs an absolute path (binary:///path/to/logger)",
                    uri);
        }
        List<String> argv = new ArrayList<>(List.of(program));
        String query = u.getRawQuery();
        if (query != null && !query.isEmpty()) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String kv : query.split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                String k = decode(eq < 0 ? kv : kv.substring(0, eq));
                if (!seen.add(k)) {
                    continue; // url.Values: the first value of each key
                }
                argv.add(k);
                if (eq >= 0) {
                    argv.add(decode(kv.substring(eq + 1)));
                }
            }
        }
        int[] out = Syscalls.pipe2(ShimSyscalls.O_CLOEXEC);
        int[] err = null;
        int[] ready = null;
        int nul = -1;
        try {
            err = Syscalls.pipe2(ShimSyscalls.O_CLOEXEC);
            ready = Syscalls.pipe2(ShimSyscalls.O_CLOEXEC);
            nul = openNull();
            try {
                loggerPid = io.jshim.engine.linux.Spawner.spawn(program, argv,
                        List.of("CONTAINER_ID=" + owner.id(), "CONTAINER_NAMESPACE=" + owner.namespace()),
                        new int[] {nul, nul, nul, out[0], err[0], ready[1]});
            } catch (LinuxException e) {
                throw new IOException("stdout " + uri + ": cannot start the logging binary: " + e.getMessage(), e);
            }
            try {
                loggerPidfd = Syscalls.pidfdOpen(loggerPid);
            } catch (LinuxException e) {
                loggerPidfd = -1; // old kernel: signalled by pid
            }
            Syscalls.close(ready[1]);
            ready[1] = -1;
            containerFds[1] = out[1];
            containerFds[2] = err[1];
            out[1] = -1;
            err[1] = -1;
            pipeLike[1] = true;
            pipeLike[2] = true;
            awaitReady(ready[0], uri, v2);
        } finally {
            closeAll(out[0], out[1], nul);
            if (err != null) {
                closeAll(err[0], err[1]);
            }
            if (ready != null) {
                closeAll(ready[0], ready[1]);
            }
        }
    }

    private void awaitReady(int readyFd, String uri, boolean v2) throws IOException {
        short[] ev = Syscalls.poll(new int[] {readyFd}, Syscalls.POLLIN, (int) LOGGER_READY.toMillis());
        if (ev[0] == 0) {
            throw new IOException("stdout " + uri + ": the logging binary was not ready within "
                    + LOGGER_READY.toSeconds() + " s (it must close fd 5 when ready)");
        }
        int n;
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            n = Syscalls.read(readyFd, a.allocate(1), 1);
        }
        if (v2 && n <= 0) {
            throw new IOException("stdout " + uri + ": the logging binary did not call ready (binary-v2 needs a "
                    + "byte on fd 5 before it is closed; it may have crashed or exited prematurely)");
        }
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void closeAll(int... fds) {
        for (int fd : fds) {
            if (fd >= 0) {
                Syscalls.close(fd);
            }
        }
    }

    /**
     * Ends the binary logger in the background: time to finish after EOF, then SIGTERM, then SIGKILL.
     */
    private void stopLogger() {
        int pid;
        int pidfd;
        synchronized (this) {
            pid = loggerPid;
            pidfd = loggerPidfd;
            loggerPid = -1;
            loggerPidfd = -1;
        }
        if (pid <= 0) {
            return;
        }
        Thread.ofVirtual().name("jshim-logger-stop-" + pid).start(() -> {
            try {
                if (!exited(pidfd, LOGGER_DRAIN)) {
                    Syscalls.kill(pid, 15);
                    if (!exited(pidfd, LOGGER_TERM)) {
                        Syscalls.kill(pid, 9);
                    }
                }
            } catch (LinuxException e) {
                // gone already
            } finally {
                if (pidfd >= 0) {
                    Syscalls.close(pidfd);
                }
            }
        });
    }

    /** Whether the process behind pidfd exits within {@code d} (without a pidfd: waits d, then says no). */
    private static boolean exited(int pidfd, java.time.Duration d) throws LinuxException {
        if (pidfd < 0) {
            try {
                Thread.sleep(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
        return Syscalls.pollOne(pidfd, Syscalls.POLLIN, (int) d.toMillis()) != 0;
    }

    private static String fifoPath(String path, String which) {
        if (isBinary(path)) {
            throw Errdefs.invalidArgument("%s %s: a binary:// logger is given as stdout (it serves stderr too)",
                    which, path);
        }
        if (path.startsWith("fifo://")) {
            return path.substring("fifo://".length());
        }
        if (path.contains("://")) {
            throw Errdefs.invalidArgument("%s %s: unsupported stdio URI scheme", which, path);
        }
        if (!path.startsWith("/")) {
            throw Errdefs.invalidArgument("%s %s: not an absolute path", which, path);
        }
        return path;
    }

    private static Path fileUriPath(String uri) {
        try {
            String p = new URI(uri).getPath();
            if (p == null || !p.startsWith("/")) {
                throw Errdefs.invalidArgument("%s: file:// needs an absolute path", uri);
            }
            return Path.of(p);
        } catch (URISyntaxException e) {
            throw Errdefs.invalidArgument("%s: %s", uri, e.getMessage());
        }
    }

    private static int openNull() throws LinuxException {
        return Syscalls.open("/dev/null", ShimSyscalls.O_RDWR | ShimSyscalls.O_CLOEXEC, 0);
    }

    /**
     * Closes our copies of the container's fds once the container holds its own (after create), so
     * that the client sees EOF when the container's processes are gone.
     */
    public synchronized void closeContainerEnds() {
        if (containerFdsClosed) {
            return;
        }
        containerFdsClosed = true;
        int prev = -2;
        for (int i = 0; i < 3; i++) {
            int fd = containerFds[i];
            if (fd >= 0 && fd != prev && (i != 2 || fd != containerFds[1])) {
                Syscalls.close(fd);
            }
            prev = fd;
        }
    }

    /** CloseIO: closes the stdin keep-alive writer. Idempotent. */
    public synchronized void closeStdin() {
        if (stdinKeepAlive >= 0) {
            Syscalls.close(stdinKeepAlive);
            stdinKeepAlive = -1;
        }
    }

    /** Closes everything the daemon holds. Idempotent. */
    @Override
    public void close() {
        PtyRelay p;
        synchronized (this) {
            p = pty;
        }
        if (p != null) {
            p.close(); // outside the monitor: it waits for the output to drain
        }
        closeHeld();
        stopLogger();
    }

    private synchronized void closeHeld() {
        closeContainerEnds();
        closeStdin();
        for (int fd : heldFds) {
            Syscalls.close(fd);
        }
        heldFds.clear();
    }
}
