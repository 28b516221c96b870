package io.jshim.shim.reaper;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.shim.linux.ShimSyscalls;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's exit reaper (design.md §3.5, shim-v2-protocol.md §8.2): the daemon is a child subreaper,
 * so every container init and every orphan of a container is reparented to it, and one thread reaps them.
 *
 * <p>Why not a bare {@code waitpid(-1)}: the engine runs in this process and waits for children of its
 * own by pid (jshim-init's parent after it reports the container's pid, hooks with a timeout), and a
 * global wait would steal their statuses. So this thread reaps in two ways:
 * <ul>
 *   <li><b>watched pids</b> (container inits and execs, registered by the task service): reaped with
 *       {@code waitpid(pid, WNOHANG)} as soon as SIGCHLD says something exited, and reported to the
 *       {@link ExitListener} with the shell's status (code, or 128 + signal);</li>
 *   <li><b>everything else</b>: looked at with {@code waitid(P_ALL, WNOWAIT)} without reaping; a zombie
 *       nobody has claimed for {@link #orphanGrace} (the engine reaps its own children at once) is an
 *       orphan and is reaped here, so that no zombie piles up.</li>
 * </ul>
 * SIGCHLD wakes the thread (sun.misc.Signal); a timed wait is the safety net for a lost wake-up.
 */
public final class Reaper implements AutoCloseable {

    /** Receives each exit of a watched pid, on the reaper thread, in the order reaped. */
    @FunctionalInterface
    public interface ExitListener {
        void onExit(int pid, int exitStatus, Instant exitedAt);
    }

    private static final System.Logger LOG = System.getLogger(Reaper.class.getName());
    /** Status reported when a watched pid vanished without us seeing its exit (someone else reaped it). */
    public static final int UNKNOWN_STATUS = 255;

    private final ExitListener listener;
    private final Duration orphanGrace;
    private final Set<Integer> watched = ConcurrentHashMap.newKeySet();
    private final Semaphore wakeups = new Semaphore(0);
    private final Map<Integer, Long> unclaimedSince = new HashMap<>(); // reaper thread only
    private final Thread thread;
    private volatile boolean closed;

    public Reaper(ExitListener listener, Duration orphanGrace) {
        this.listener = listener;
        this.orphanGrace = orphanGrace;
        this.thread = Thread.ofPlatform().daemon().name("jshim-reaper").unstarted(this::loop);
    }

    /** Makes this process a child subreaper (prctl PR_SET_CHILD_SUBREAPER) and starts reaping. */
    public Reaper start() throws LinuxException {
        Syscalls.prctl(Syscalls.PR_SET_CHILD_SUBREAPER, 1);
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("CHLD"), sig -> wakeups.release());
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "cannot handle SIGCHLD ({0}): reaping by polling", e.getMessage());
        }
        thread.start();
        return this;
    }

    /** Reports the exit of {@code pid} (a container init or exec) to the listener from now on. */
    public void watch(int pid) {
        watched.add(pid);
        wake();
    }

    /** Stops reporting {@code pid}. */
    public void unwatch(int pid) {
        watched.remove(pid);
    }

    public void wake() {
        wakeups.release();
    }

    private void loop() {
        while (!closed) {
            boolean progress;
            try {
                progress = reapOnce();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "reaper: " + e, e);
                progress = false;
            }
            if (!progress) {
                try {
                    wakeups.tryAcquire(unclaimedSince.isEmpty() ? 1000 : 100, TimeUnit.MILLISECONDS);
                    wakeups.drainPermits();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** One pass; true if something was reaped (so look again at once). */
    boolean reapOnce() {
        boolean progress = false;
        for (Integer pid : watched.toArray(Integer[]::new)) {
            int status;
            try {
                status = Syscalls.waitpid(pid, Syscalls.WNOHANG);
            } catch (LinuxException e) {
                // ECHILD: not (yet) our child -- still parented by jshim-init's intermediate process --
                // or reaped by someone else. Only the latter ends here: the pid is gone from /proc.
                if (!Files.exists(Path.of("/proc", pid.toString()))) {
                    deliver(pid, UNKNOWN_STATUS);
                    progress = true;
                }
                continue;
            }
            if (status != -1) {
                deliver(pid, Syscalls.exitCodeOf(status));
                progress = true;
            }
        }
        ShimSyscalls.ChildExit zombie;
        try {
            zombie = ShimSyscalls.peekExitedChild();
        } catch (LinuxException e) {
            unclaimedSince.clear(); // ECHILD: no children at all
            return progress;
        }
        if (zombie == null) {
            unclaimedSince.clear();
            return progress;
        }
        int pid = zombie.pid();
        if (watched.contains(pid)) {
            return true; // exited between our waitpid and the peek: the next pass reaps it
        }
        long now = System.nanoTime();
        Long since = unclaimedSince.putIfAbsent(pid, now);
        if (since != null && now - since >= orphanGrace.toNanos()) {
            unclaimedSince.remove(pid);
            try {
                int status = Syscalls.waitpid(pid, Syscalls.WNOHANG);
                if (status != -1) {
                    LOG.log(Level.DEBUG, "reaped orphan {0} (exit status {1})", String.valueOf(pid),
                            String.valueOf(Syscalls.exitCodeOf(status)));
                }
            } catch (LinuxException e) {
                // its owner reaped it meanwhile
            }
            return true;
        }
        return progress;
    }

    private void deliver(int pid, int status) {
        if (!watched.remove(pid)) {
            return;
        }
        try {
            listener.onExit(pid, status, Instant.now());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "exit of pid " + pid + ": " + e, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
