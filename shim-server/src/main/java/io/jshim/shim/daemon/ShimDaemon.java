package io.jshim.shim.daemon;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.plan.InitLauncher;
import io.jshim.shim.ShimFlags;
import io.jshim.shim.config.ShimConfig;
import io.jshim.shim.events.PublisherOptions;
import io.jshim.shim.events.TtrpcEventPublisher;
import io.jshim.shim.log.ShimLoggerFinder;
import io.jshim.shim.metrics.MetricsServer;
import io.jshim.shim.metrics.ShimMetrics;
import io.jshim.shim.reaper.Reaper;
import io.jshim.shim.task.EngineRuntime;
import io.jshim.shim.task.TaskCore;
import io.jshim.shim.task.TaskService;
import io.jshim.ttrpc.ServiceRegistry;
import io.jshim.ttrpc.TtrpcServer;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The shim daemon of one group of tasks (design.md §5): a JVM the C front end launched with
 * {@code serve}, serving {@code containerd.task.v2.Task} and {@code v3} on its socket, the engine
 * in-process, child subreaper with one reaper thread, events to containerd's {@code $TTRPC_ADDRESS}.
 *
 * <p>Life: it exits once it has had no task and no reservation for its idle time. The idle time is
 * {@code $JSHIM_SHIM_IDLE_TIMEOUT} (seconds, or with an {@code ms} suffix); by default 60 s for a
 * namespace's daemon, so that the next container finds it warm, and 0 for a pod's or a single
 * container's daemon, which goes when its last task does (as runc's shim does). The exit takes the group
 * lock the front end's {@code start} holds while it reserves a task in a daemon, and closes the socket
 * before releasing it: a {@code start} either reserved first (and the daemon stays) or finds no socket
 * (and launches a new daemon). SIGTERM makes it exit without touching its containers.
 */
public final class ShimDaemon {

    private static final Logger LOG = System.getLogger("io.jshim.shim.daemon");
    static final Duration RESERVATION_TTL = Duration.ofSeconds(60);
    static final Duration ORPHAN_GRACE = Duration.ofSeconds(1);

    private ShimDaemon() {
    }

    public static int run(ShimFlags flags) {
        if (flags.debug()) {
            ShimLoggerFinder.setThreshold(Level.DEBUG);
        }
        String namespace;
        Path socket;
        Path daemonDir;
        Path stateRoot;
        String ttrpc;
        String group;
        try {
            namespace = flags.require("namespace");
            socket = Path.of(flags.require("socket"));
            daemonDir = Path.of(flags.require("daemon-dir"));
            stateRoot = Path.of(flags.require("state-root"));
            ttrpc = flags.require("ttrpc-address");
            group = flags.get("group");
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, e.getMessage());
            return 2;
        }
        ShimConfig config;
        try {
            config = flags.get("config").isEmpty() ? ShimConfig.NONE : ShimConfig.load(Path.of(flags.get("config")));
        } catch (ShimConfig.ConfigException e) {
            LOG.log(Level.ERROR, e.getMessage());
            return 2;
        }
        if (!flags.debug() && config.logLevel() != null) {
            ShimLoggerFinder.setThreshold(config.logLevel());
        }
        Duration idleTimeout;
        try {
            idleTimeout = idleTimeout(System.getenv("JSHIM_SHIM_IDLE_TIMEOUT"), config.idleTimeout(), group);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, e.getMessage());
            return 2;
        }
        try {
            Files.writeString(daemonDir.resolve("daemon.pid"), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "write daemon.pid: " + e.getMessage());
        }

        TtrpcEventPublisher publisher = TtrpcEventPublisher.connect(Path.of(ttrpc), PublisherOptions.defaults());
        // micrometer is loaded only when the config file asks for metrics
        ShimMetrics metrics = config.metricsSocket() == null ? null : new ShimMetrics();
        Reaper[] reaper = new Reaper[1];
        TaskCore core = new TaskCore(namespace, stateRoot.resolve(namespace), new EngineRuntime(InitLauncher.locate()),
                metrics == null ? publisher : metrics.instrument(publisher), new TaskCore.PidWatcher() {
                    @Override
                    public void watch(int pid) {
                        reaper[0].watch(pid);
                    }

                    @Override
                    public void unwatch(int pid) {
                        reaper[0].unwatch(pid);
                    }
                }, RESERVATION_TTL);
        try {
            reaper[0] = new Reaper(core::onExit, ORPHAN_GRACE).start();
        } catch (LinuxException e) {
            LOG.log(Level.ERROR, "cannot become a child subreaper: " + e.getMessage());
            publisher.close(Duration.ZERO);
            return 1;
        }

        ServiceRegistry services = new ServiceRegistry();
        if (metrics == null) {
            TaskService.register(services, core);
        } else {
            io.jshim.ttrpc.ServiceDefinition task = metrics.bind(core).instrument(TaskService.definition(core));
            services.register(task).register(TaskService.V3, task);
        }
        services.register(AdminService.definition(core));
        MetricsServer metricsServer = null;
        if (metrics != null) {
            Path metricsSocket = metricsSocket(config.metricsSocket(), daemonDir, namespace);
            try {
                metricsServer = MetricsServer.start(metricsSocket, metrics::scrape);
                LOG.log(Level.INFO, "metrics on unix socket {0}", metricsSocket.toString());
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.ERROR, "no metrics endpoint ([metrics] socket in " + config.file() + "): "
                        + e.getMessage());
            }
        }
        TtrpcServer server;
        try {
            server = TtrpcServer.builder(services).build().start(socket);
        } catch (IOException e) {
            LOG.log(Level.ERROR, "listen on " + socket + ": " + e.getMessage());
            publisher.close(Duration.ZERO);
            return 1;
        }
        LOG.log(Level.INFO, "jshim shim daemon {0} serving namespace {1} (group {2}) on {3}, idle timeout {4}",
                String.valueOf(ProcessHandle.current().pid()), namespace, group, socket.toString(),
                idleTimeout.toString());

        Semaphore wake = new Semaphore(0);
        CountDownLatch terminate = new CountDownLatch(1);
        core.onShutdownRequest(wake::release);
        for (String sig : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> {
                    terminate.countDown();
                    wake.release();
                });
            } catch (IllegalArgumentException e) {
                // not available (e.g. -Xrs): the JVM's default handling applies
            }
        }

        Path lockFile = daemonDir.resolve("lock");
        while (true) {
            try {
                wake.tryAcquire(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (terminate.getCount() == 0) {
                LOG.log(Level.INFO, "signalled: exiting with {0} task(s) left running", String.valueOf(core.taskCount()));
                server.close();
                break;
            }
            if (core.idle() && core.idleFor().compareTo(idleTimeout) >= 0 && exitIfStillIdle(core, server, lockFile)) {
                LOG.log(Level.INFO, "no task for {0}: exiting", idleTimeout.toString());
                break;
            }
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        publisher.close(Duration.ofSeconds(5));
        reaper[0].close();
        return 0;
    }

    /** {@code [metrics] socket} with {@code {group}} (the daemon's group hash) and {@code {namespace}} filled in. */
    static Path metricsSocket(Path configured, Path daemonDir, String namespace) {
        return Path.of(configured.toString().replace("{group}", daemonDir.getFileName().toString())
                .replace("{namespace}", namespace));
    }

    /** Under the group lock: still idle? then stop listening (removes the socket) and say so. */
    private static boolean exitIfStillIdle(TaskCore core, TtrpcServer server, Path lockFile) {
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            if (!core.idle()) {
                return false;
            }
            server.close();
            return true;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "idle exit: lock " + lockFile + ": " + e.getMessage());
            return false;
        }
    }

    /**
     * {@code $JSHIM_SHIM_IDLE_TIMEOUT} (seconds, or milliseconds with an "ms" suffix), else the config file's
     * {@code [shim] idle_timeout}, else the default.
     */
    static Duration idleTimeout(String env, Duration configured, String group) {
        if ((env == null || env.isBlank()) && configured != null) {
            return configured;
        }
        return idleTimeout(env, group);
    }

    /** {@code $JSHIM_SHIM_IDLE_TIMEOUT}: seconds, or milliseconds with an "ms" suffix; else the default. */
    static Duration idleTimeout(String env, String group) {
        if (env == null || env.isBlank()) {
            return group.startsWith("pod-") || group.startsWith("ctr-") ? Duration.ZERO : Duration.ofSeconds(60);
        }
        String v = env.strip();
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).strip()));
            }
            if (v.endsWith("s")) {
                v = v.substring(0, v.length() - 1).strip();
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("JSHIM_SHIM_IDLE_TIMEOUT=" + env + ": expected seconds (e.g. 60) or "
                    + "milliseconds (e.g. 500ms)");
        }
    }
}
