package io.jshim.engine.console;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.linux.Tty;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import sun.misc.Signal;

/**
 * A foreground {@code run} or {@code exec} with a terminal, as runc's tty.go does it:
 * the container's pty master arrives on our end of a socketpair, received by a
 * thread while create or exec is under way (runc's recvtty goroutine); the caller's
 * terminal goes raw (restored at {@link #close}); one thread copies our stdin to the
 * master, another the master to our stdout; SIGWINCH copies our window size to the
 * pty. jshim-init waits after sending the master until we answer one byte
 * (CONSOLE_AWAIT_PEER), so the process never writes to a pty that is not relayed
 * and sized yet: an exec'd process starts at once, unlike a container's, which
 * waits for {@code start}.
 */
public final class ConsoleRelay implements AutoCloseable {
    private static final int DRAIN_MILLIS = 2000;
    private static final int BUF = 32 * 1024;

    private final int ours;
    private final int theirs;
    private final Thread attacher;
    private volatile boolean closing;
    private volatile Exception failure;
    private int master = -1;
    private Tty.Saved savedTerminal;
    private int hostConsole = -1;
    private boolean hostConsoleOpened;
    private Thread output;

    private ConsoleRelay(int ours, int theirs) {
        this.ours = ours;
        this.theirs = theirs;
        this.attacher = Thread.ofPlatform().daemon().name("jrunc-tty-attach").start(this::awaitMaster);
    }

    /** A socketpair: {@link #socketForContainer} goes to create/exec, the master comes back on the other end. */
    public static ConsoleRelay open() throws LinuxException {
        int[] pair = Syscalls.socketpair();
        return new ConsoleRelay(pair[0], pair[1]);
    }

    public int socketForContainer() {
        return theirs;
    }

    /** Why the relay could not take over the terminal (then create or exec failed too), or null. */
    public Exception failure() {
        return failure;
    }

    private void awaitMaster() {
        try {
            int fd = MasterHandoff.receiveMaster(ours, () -> closing);
            if (fd < 0) {
                return; // end of stream: no terminal after all
            }
            master = fd;
            takeOver();
            MasterHandoff.goAhead(ours);
        } catch (Exception e) {
            failure = e;
            Syscalls.close(ours); // jshim-init's wait ends with an error: create or exec fails
        }
    }

    private void takeOver() throws LinuxException {
        Tty.clearOnlcr(master);
        findHostConsole();
        savedTerminal = Tty.makeRaw(hostConsole);
        resize();
        try {
            Signal.handle(new Signal("WINCH"), s -> resize());
        } catch (IllegalArgumentException e) {
            // the JVM keeps SIGWINCH for itself here: the size stays as it was at start
        }
        Thread.ofPlatform().daemon().name("jrunc-tty-in").start(() -> copy(0, master));
        output = Thread.ofPlatform().daemon().name("jrunc-tty-out").start(() -> copy(master, 1));
    }

    /** runc's initHostConsole: stderr, stdout or stdin, whichever is a terminal, else /dev/tty. */
    private void findHostConsole() throws LinuxException {
        for (int fd : new int[] {2, 1, 0}) {
            if (Tty.isatty(fd)) {
                hostConsole = fd;
                return;
            }
        }
        try {
            hostConsole = Syscalls.open("/dev/tty", Syscalls.O_RDWR, 0);
            hostConsoleOpened = true;
        } catch (LinuxException e) {
            throw new LinuxException("process.terminal: a foreground process's terminal is relayed to ours, "
                    + "but none of stdin, stdout and stderr is a terminal: " + e.getMessage(), e.errno(), true);
        }
    }

    private void resize() {
        try {
            Tty.setSize(master, Tty.getSize(hostConsole));
        } catch (LinuxException e) {
            // not fatal: the pty keeps its current size
        }
    }

    /** Copies until end of file or an error (EIO on the master once every slave fd is closed). */
    private static void copy(int from, int to) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(BUF);
            while (true) {
                int n = Syscalls.read(from, buf, BUF);
                if (n <= 0) {
                    return;
                }
                Syscalls.writeFully(to, buf.asSlice(0, n));
            }
        } catch (LinuxException e) {
            // EIO: the master once no slave fd is left open; or the other end went away
        }
    }

    /**
     * After the process exited (or create/exec failed): lets the output drain (up to
     * 2 s, in case something else in the container still holds the pty open), then
     * puts the caller's terminal back as it was.
     */
    @Override
    public void close() {
        closing = true;
        if (failure == null) {
            try (Arena a = Arena.ofConfined()) {
                // wakes the receiving thread at once when no master ever came (no terminal)
                Syscalls.writeFully(theirs, a.allocateFrom("0").asSlice(0, 1));
            } catch (LinuxException e) {
                // it is not waiting
            }
        }
        try {
            attacher.join();
            if (output != null) {
                output.join(DRAIN_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (savedTerminal != null) {
            try {
                Tty.restore(savedTerminal);
            } catch (LinuxException e) {
                // the terminal is gone
            }
        }
        if (hostConsoleOpened) {
            Syscalls.close(hostConsole);
        }
        Syscalls.close(master);
        if (failure == null) {
            Syscalls.close(ours);
        }
        Syscalls.close(theirs);
    }
}
