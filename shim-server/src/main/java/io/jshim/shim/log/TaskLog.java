package io.jshim.shim.log;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.shim.linux.ShimSyscalls;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Task-scoped log lines: to the bundle's {@code log} FIFO, which containerd opened before running
 * {@code start} and copies into its own log (shim-v2-protocol.md §1.8), in logrus format; and, at
 * warning and above or when the FIFO is gone, to the daemon's log as well. Writes never block: the FIFO
 * is opened O_NONBLOCK, and EAGAIN (full) or EPIPE (containerd is down) lose the line, as a Go shim's
 * would.
 */
public final class TaskLog implements AutoCloseable {
    private static final System.Logger DAEMON = System.getLogger("io.jshim.shim.task");

    private final Map<String, String> fields;
    private int fd;
    /** This task's level (its config file's log_level), or null for the daemon's. */
    private volatile Level threshold;

    private TaskLog(int fd, String namespace, String id) {
        this.fd = fd;
        Map<String, String> f = new LinkedHashMap<>();
        f.put("namespace", namespace);
        f.put("id", id);
        f.put("runtime", "io.containerd.jshim.v2");
        this.fields = Map.copyOf(f);
    }

    /** Opens {@code <bundle>/log} if it exists (containerd made it); otherwise logs go to the daemon log. */
    public static TaskLog open(Path bundle, String namespace, String id) {
        int fd = -1;
        try {
            fd = Syscalls.open(bundle.resolve("log").toString(),
                    ShimSyscalls.O_WRONLY | ShimSyscalls.O_NONBLOCK | ShimSyscalls.O_CLOEXEC, 0);
        } catch (LinuxException e) {
            // no FIFO (a test, or ENXIO: nobody reads it): the daemon log only
        }
        return new TaskLog(fd, namespace, id);
    }

    /** A log that writes to the daemon log only. */
    public static TaskLog daemonOnly(String namespace, String id) {
        return new TaskLog(-1, namespace, id);
    }

    /** Sets this task's own level (null: the daemon's); returns this log. */
    public TaskLog withThreshold(Level level) {
        this.threshold = level;
        return this;
    }

    public void info(String msg) {
        log(Level.INFO, msg);
    }

    public void debug(String msg) {
        log(Level.DEBUG, msg);
    }

    public void warn(String msg) {
        log(Level.WARNING, msg);
    }

    public void error(String msg) {
        log(Level.ERROR, msg);
    }

    public synchronized void log(Level level, String msg) {
        Level t = threshold;
        if (level.getSeverity() < (t != null ? t : ShimLoggerFinder.threshold()).getSeverity()) {
            return;
        }
        boolean toFifo = fd >= 0 && ShimSyscalls.writeOnce(fd, Logrus.line(Instant.now(), level, msg, fields)) == 0;
        if (!toFifo || level.getSeverity() >= Level.WARNING.getSeverity()) {
            DAEMON.log(level, fields.get("id") + ": " + msg);
        }
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Syscalls.close(fd);
            fd = -1;
        }
    }
}
