package io.jshim.engine.console;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.security.FdPassing;

/**
 * The socket jshim-init sends a new pty's master over (runc docs/terminals.md):
 * either connected here to {@code --console-socket} (AF_UNIX SOCK_STREAM, as
 * runc dials it) and closed once jshim-init holds its own copy, or one end of a
 * foreground relay's socketpair, which its owner keeps.
 */
public final class ConsoleSocket implements AutoCloseable {
    private final int fd;
    private final boolean owned;

    private ConsoleSocket(int fd, boolean owned) {
        this.fd = fd;
        this.owned = owned;
    }

    /** Connects to the listener at {@code path}; the message names it on failure. */
    public static ConsoleSocket connect(String path) throws LinuxException {
        try {
            return new ConsoleSocket(FdPassing.connect(path), true);
        } catch (LinuxException e) {
            throw new LinuxException("console socket " + path + ": " + e.getMessage(), e.errno(), true);
        }
    }

    /**
     * A socket the caller keeps: the container end of a {@link ConsoleRelay}, which answers
     * one byte once our terminal is ready (PLAN_CONSOLE's CONSOLE_AWAIT_PEER).
     */
    public static ConsoleSocket borrow(int fd) {
        return new ConsoleSocket(fd, false);
    }

    /** Whether this is a relay of ours (jshim-init then waits for its go-ahead). */
    public boolean isOwnRelay() {
        return !owned;
    }

    public int fd() {
        return fd;
    }

    @Override
    public void close() {
        if (owned) {
            Syscalls.close(fd);
        }
    }
}
