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
 * which copies them to and from the pty master. {@code binary://} loggers are not supported yet (they
 * need a logger process and pipes).
 */
public final class TaskStdio implements AutoCloseable {

    private final int[] containerFds = {-1, -1, -1};
    private final List<Integer> heldFds = new ArrayList<>();
    private int stdinKeepAlive = -1;
    private boolean containerFdsClosed;
    private PtyRelay pty;

    private TaskStdio() {
    }

    /**
     * Opens the three paths. Throws a ttrpc error (INVALID_ARGUMENT / UNIMPLEMENTED) for a URI jshim
     * cannot serve, an IOException naming the path when an open fails.
     */
    public static TaskStdio open(String stdin, String stdout, String stderr) throws IOException {
        TaskStdio io = new TaskStdio();
        try {
            io.openStdin(stdin);
            Map<String, Integer> opened = new HashMap<>();
            io.containerFds[1] = io.openOutput(stdout, opened);
            io.containerFds[2] = io.openOutput(stderr, opened);
        } catch (IOException | RuntimeException e) {
            io.close();
            throw e;
        }
        return io;
    }

    /**
     * As {@link #open(String, String, String)}, for a process with a terminal when {@code terminal}: the
     * stdin read end and the stdout write end go to a {@link PtyRelay} instead (the container's fds 0, 1
     * and 2 are /dev/null, which jshim-init replaces with the pty slave); stderr is unused, as with runc.
     */
    public static TaskStdio open(String stdin, String stdout, String stderr, boolean terminal) throws IOException {
        TaskStdio io = open(stdin, stdout, stderr);
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
        stdinKeepAlive = Syscalls.open(fifo, ShimSyscalls.O_WRONLY | ShimSyscalls.O_NONBLOCK | ShimSyscalls.O_CLOEXEC,
                0);
        ShimSyscalls.clearNonBlocking(r);
    }

    private int openOutput(String path, Map<String, Integer> opened) throws IOException {
        if (path.isEmpty()) {
            return openNull();
        }
        Integer same = opened.get(path);
        if (same != null) {
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
        }
        opened.put(path, fd);
        return fd;
    }

    private static String fifoPath(String path, String which) {
        if (path.startsWith("binary://") || path.startsWith("binary-v2://")) {
            throw Errdefs.notImplemented("%s %s: binary:// loggers are not supported by jshim yet", which, path);
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
