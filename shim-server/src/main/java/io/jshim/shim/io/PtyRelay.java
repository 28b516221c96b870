package io.jshim.shim.io;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.linux.Tty;
import io.jshim.engine.console.MasterHandoff;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The terminal of a task or exec with {@code terminal: true}, as the runc shim's console copy does it:
 * the pty master arrives on our end of a socketpair (the engine's console socket, the fd over
 * SCM_RIGHTS) while create or exec is under way; one thread copies containerd's stdin FIFO to the
 * master, another the master to the stdout FIFO. jshim-init waits after sending the master until we
 * answer one byte (CONSOLE_AWAIT_PEER), so no output is written before it is relayed. The stdout
 * writer is closed once the master reports EIO (no slave left), so that the client sees EOF.
 */
public final class PtyRelay implements AutoCloseable {
    private static final int POLL_MILLIS = 100;
    private static final int DRAIN_MILLIS = 2000;
    private static final int BUF = 32 * 1024;

    private final int ours;
    private final int theirs;
    private final int in;
    private final int out;
    private final Thread attacher;
    private final java.util.concurrent.CountDownLatch attached = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean closing;
    private volatile int master = -1;
    private Thread input;
    private Thread output;
    private boolean closed;

    /**
     * @param in  the stdin FIFO's read end (or /dev/null), owned from now on
     * @param out the stdout FIFO's write end (or a file, or /dev/null), owned from now on
     */
    PtyRelay(int in, int out) throws LinuxException {
        int[] pair = Syscalls.socketpair();
        this.ours = pair[0];
        this.theirs = pair[1];
        this.in = in;
        this.out = out;
        this.attacher = Thread.ofPlatform().daemon().name("jshim-pty-attach").start(this::awaitMaster);
    }

    /** The console socket for create/exec (engine consoleFd); the relay keeps it. */
    public int socketForContainer() {
        return theirs;
    }

    private void awaitMaster() {
        try {
            int fd = MasterHandoff.receiveMaster(ours, () -> closing);
            if (fd < 0) {
                return;
            }
            master = fd;
            input = Thread.ofPlatform().daemon().name("jshim-pty-in").start(() -> copy(in, master, false));
            output = Thread.ofPlatform().daemon().name("jshim-pty-out").start(() -> copy(master, out, true));
            attached.countDown();
            MasterHandoff.goAhead(ours);
        } catch (Exception e) {
            // jshim-init's wait ends with an error: create or exec fails
        } finally {
            attached.countDown();
        }
    }

    /** Copies until end of file, an error (EIO on the master once no slave is open), or close. */
    private void copy(int from, int to, boolean toStdout) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(BUF);
            while (true) {
                int ev = Syscalls.pollOne(from, Syscalls.POLLIN, POLL_MILLIS);
                if (ev == 0) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                int n = Syscalls.read(from, buf, BUF);
                if (n <= 0) {
                    return;
                }
                Syscalls.writeFully(to, buf.asSlice(0, n));
            }
        } catch (LinuxException e) {
            // EIO: no slave fd left; or the other end went away
        } finally {
            if (toStdout) {
                closeOut();
            }
        }
    }

    private boolean outClosed;

    private synchronized void closeOut() {
        if (!outClosed) {
            outClosed = true;
            Syscalls.close(out);
        }
    }

    /** ResizePty: TIOCSWINSZ on the master (waits briefly for it to arrive). */
    public void resize(int width, int height) throws LinuxException {
        try {
            attached.await(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int m = master;
        if (m >= 0) {
            Tty.setSize(m, new Tty.WinSize(height, width));
        }
    }

    /** Lets the output drain (up to 2 s), then closes the master and both FIFO ends. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closing = true;
        try {
            attacher.join();
            if (output != null) {
                output.join(DRAIN_MILLIS);
            }
            if (input != null) {
                input.join(DRAIN_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeOut();
        Syscalls.close(in);
        if (master >= 0) {
            Syscalls.close(master);
        }
        Syscalls.close(ours);
        Syscalls.close(theirs);
    }
}
