package io.jshim.shim.task;

import com.google.protobuf.Timestamp;
import io.jshim.engine.EngineException;
import io.jshim.proto.containerd.events.TaskCreate;
import io.jshim.proto.containerd.events.TaskDelete;
import io.jshim.proto.containerd.events.TaskExit;
import io.jshim.proto.containerd.events.TaskIO;
import io.jshim.proto.containerd.events.TaskStart;
import io.jshim.proto.containerd.task.v2.ConnectRequest;
import io.jshim.proto.containerd.task.v2.ConnectResponse;
import io.jshim.proto.containerd.task.v2.CreateTaskRequest;
import io.jshim.proto.containerd.task.v2.CreateTaskResponse;
import io.jshim.proto.containerd.task.v2.DeleteRequest;
import io.jshim.proto.containerd.task.v2.DeleteResponse;
import io.jshim.proto.containerd.task.v2.KillRequest;
import io.jshim.proto.containerd.task.v2.PidsRequest;
import io.jshim.proto.containerd.task.v2.PidsResponse;
import io.jshim.proto.containerd.task.v2.StartRequest;
import io.jshim.proto.containerd.task.v2.StartResponse;
import io.jshim.proto.containerd.task.v2.StateRequest;
import io.jshim.proto.containerd.task.v2.StateResponse;
import io.jshim.proto.containerd.task.v2.WaitRequest;
import io.jshim.proto.containerd.task.v2.WaitResponse;
import io.jshim.proto.containerd.types.task.ProcessInfo;
import io.jshim.shim.events.EventPublisher;
import io.jshim.shim.io.TaskStdio;
import io.jshim.shim.log.TaskLog;
import io.jshim.shim.rootfs.RootfsMounts;
import io.jshim.ttrpc.Errdefs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Task service without its transport (style-anchors §11): every RPC looks the task up, applies the
 * init state machine ({@link InitState}), calls the engine through {@link ContainerRuntime}, publishes
 * the event and maps failures through {@link TaskErrors}. {@link TaskService} adapts it to ttrpc; the
 * unit tests drive it directly with a fake runtime and a recording publisher.
 *
 * <p>Event order per task is create, start, exit, delete (shim-v2-protocol.md §4.2): each is published
 * while the task's lock is held, and the exit (delivered by the reaper through {@link #onExit}) takes that
 * lock, so an init that exits during Start has its TaskStart published first.
 *
 * <p>One daemon serves a group of tasks (a namespace or a pod); it counts as idle when it has no task and
 * no reservation (a {@code start} that has not been followed by its Create yet).
 */
public final class TaskCore {

    /** Watches pids for exits: the daemon's {@link io.jshim.shim.reaper.Reaper}. */
    public interface PidWatcher {
        void watch(int pid);

        void unwatch(int pid);
    }

    public static final String ROOT_FILE = "jshim-root";
    public static final String PID_FILE = "init.pid";
    static final int SIGKILL = 9;
    /** How long Delete of a created (never started) task waits for its killed init to be reaped. */
    static final Duration KILL_WAIT = Duration.ofSeconds(10);
    /**
     * How long the delete action waits for a killed task to be reaped: containerd kills the action after
     * 5 s (io.containerd.timeout.shim.cleanup), and the front end gives the call 4 s.
     */
    static final Duration CLEANUP_WAIT = Duration.ofSeconds(2);

    private final String namespace;
    private final Path defaultRoot;
    private final ContainerRuntime runtime;
    private final EventPublisher events;
    private final PidWatcher watcher;
    private final Duration reservationTtl;
    private final Map<String, ShimContainer> containers = new ConcurrentHashMap<>();
    /** Whose exit a pid is: a task's init (exec == null) or one of its execs. */
    private record Owner(ShimContainer c, ExecProc exec) {
    }

    private final Map<Integer, Owner> byPid = new ConcurrentHashMap<>();
    private final Map<String, Long> reservations = new ConcurrentHashMap<>();
    private volatile long lastBusyNanos = System.nanoTime();
    private volatile Runnable onShutdownRequest = () -> { };

    /**
     * @param defaultRoot the engine state root of tasks without a runc {@code Root} option
     */
    public TaskCore(String namespace, Path defaultRoot, ContainerRuntime runtime, EventPublisher events,
            PidWatcher watcher, Duration reservationTtl) {
        this.namespace = namespace;
        this.defaultRoot = defaultRoot;
        this.runtime = runtime;
        this.events = events;
        this.watcher = watcher;
        this.reservationTtl = reservationTtl;
    }

    /** Called when containerd asks a daemon without tasks to shut down. */
    public void onShutdownRequest(Runnable r) {
        this.onShutdownRequest = r;
    }

    public String namespace() {
        return namespace;
    }

    // ---- Create ---------------------------------------------------------------------------------

    public CreateTaskResponse create(CreateTaskRequest r) {
        String id = r.getId();
        if (id.isEmpty()) {
            throw Errdefs.invalidArgument("task id must not be empty");
        }
        reservations.remove(id);
        touch();
        if (!r.getCheckpoint().isEmpty()) {
            throw Errdefs.notImplemented("restore from checkpoint %s: checkpoint is not supported yet (needs CRIU)",
                    r.getCheckpoint());
        }
        if (r.getBundle().isEmpty() || !r.getBundle().startsWith("/")) {
            throw Errdefs.invalidArgument("bundle %s: not an absolute path", r.getBundle());
        }
        Path bundle = Path.of(r.getBundle());
        TaskOptions options = TaskOptions.parse(r.getOptions(), namespace, defaultRoot);
        ShimContainer.Request req = new ShimContainer.Request(id, bundle, List.copyOf(r.getRootfsList()),
                r.getStdin(), r.getStdout(), r.getStderr(), r.getTerminal());
        ShimContainer c = new ShimContainer(req, options.root(),
                TaskLog.open(bundle, namespace, id).withThreshold(options.logLevel()));
        c.options = options;
        c.lock.lock();
        try {
            if (containers.putIfAbsent(id, c) != null) {
                c.log.close();
                throw Errdefs.alreadyExists("task %s", id);
            }
            try {
                c.mounted = RootfsMounts.mountAll(req.rootfs(), bundle.resolve("rootfs"));
                c.stdio = TaskStdio.open(req.stdin(), req.stdout(), req.stderr(), req.terminal(),
                        options.stdioOwner(namespace, id));
                writeBundleFile(bundle, ROOT_FILE, options.root().toString());
                int pid = runtime.create(new ContainerRuntime.CreateSpec(id, bundle, options.root(),
                        c.stdio.containerFds(), bundle.resolve(PID_FILE), c.stdio.consoleSocket())
                        .withRuncOptions(options.noPivotRoot(), options.noNewKeyring()));
                c.stdio.closeContainerEnds();
                c.pid = pid;
                c.created = true;
                c.sharedPidNamespace = sharesOurPidNamespace(pid);
                byPid.put(pid, new Owner(c, null));
                watcher.watch(pid);
            } catch (Exception | Error e) {
                undoCreate(c);
                c.log.error("create failed: " + e.getMessage());
                throw TaskErrors.map(e);
            }
            events.publish(namespace, TaskCreate.newBuilder()
                    .setContainerId(id)
                    .setBundle(r.getBundle())
                    .addAllRootfs(r.getRootfsList())
                    .setIo(TaskIO.newBuilder().setStdin(r.getStdin()).setStdout(r.getStdout())
                            .setStderr(r.getStderr()).setTerminal(r.getTerminal()))
                    .setCheckpoint(r.getCheckpoint())
                    .setPid(c.pid)
                    .build());
            c.log.debug("created, init pid " + c.pid);
            return CreateTaskResponse.newBuilder().setPid(c.pid).build();
        } finally {
            c.lock.unlock();
        }
    }

    private void undoCreate(ShimContainer c) {
        if (c.stdio != null) {
            c.stdio.close();
        }
        unmount(c);
        containers.remove(c.id(), c);
        c.log.close();
        touch();
    }

    private static void writeBundleFile(Path bundle, String name, String content) throws IOException {
        Path tmp = bundle.resolve("." + name);
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, bundle.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ---- Start, exit, Wait ----------------------------------------------------------------------

    public StartResponse start(StartRequest r) {
        if (!r.getExecId().isEmpty()) {
            return startExec(container(r.getId()), r.getExecId());
        }
        ShimContainer c = initOf(r.getId(), r.getExecId());
        c.lock.lock();
        try {
            InitState next = c.state.start();
            try {
                runtime.start(c.root, c.id());
            } catch (EngineException e) {
                c.log.error("start failed: " + e.getMessage());
                throw TaskErrors.map(e);
            }
            c.state = next;
            events.publish(namespace, TaskStart.newBuilder().setContainerId(c.id()).setPid(c.pid).build());
            watchOom(c);
            c.log.debug("started");
            return StartResponse.newBuilder().setPid(c.pid).build();
        } finally {
            c.lock.unlock();
        }
    }

    /** Publishes /tasks/oom whenever the task's cgroup hits an OOM, from the daemon's one OOM thread. */
    private void watchOom(ShimContainer c) {
        io.jshim.engine.cgroup.stats.OomWatcher w;
        try {
            w = runtime.oomWatcher(c.root, c.id());
        } catch (EngineException e) {
            c.log.warn("no OOM events: " + e.getMessage());
            return;
        }
        if (w.fd() < 0) {
            w.close();
            return;
        }
        try {
            OomMonitor.shared().register(c, w, () -> {
                c.log.debug("OOM in the task's cgroup");
                events.publish(namespace, io.jshim.proto.containerd.events.TaskOOM.newBuilder()
                        .setContainerId(c.id()).build());
            });
        } catch (io.jshim.engine.linux.LinuxException e) {
            w.close();
            c.log.warn("no OOM events: " + e.getMessage());
        }
    }

    private static void unwatchOom(ShimContainer c) {
        OomMonitor m = OomMonitor.peek();
        if (m != null) {
            m.unregister(c);
        }
    }

    /** An exit the reaper saw, for a pid this core watches. Runs on the reaper thread. */
    public void onExit(int pid, int status, Instant at) {
        Owner owner = byPid.remove(pid);
        if (owner == null) {
            return;
        }
        ShimContainer c = owner.c();
        c.lock.lock();
        try {
            if (owner.exec() != null) {
                execExited(c, owner.exec(), status, at);
            } else {
                initExited(c, status, at);
            }
        } finally {
            c.lock.unlock();
        }
    }

    /**
     * Init is gone. Its exit is published (and Wait released) only after the exits of the task's running
     * execs, as the runc shim does since 1.6.36/1.7.22 (shim-v2-protocol.md §4.2): with a private pid
     * namespace the kernel has already killed them; sharing ours, they are killed here.
     */
    private void initExited(ShimContainer c, int status, Instant at) {
        ShimContainer.Exit exit = new ShimContainer.Exit(status, at);
        boolean execsRunning = false;
        for (ExecProc e : c.execs.values()) {
            if (e.state instanceof InitState.Running) {
                execsRunning = true;
                if (c.sharedPidNamespace) {
                    signal(e.pid, SIGKILL);
                }
            }
        }
        if (execsRunning) {
            c.pendingInitExit = exit;
            c.log.debug("init " + c.pid + " exited with status " + status + "; waiting for its execs");
            return;
        }
        publishInitExit(c, exit);
    }

    private void publishInitExit(ShimContainer c, ShimContainer.Exit exit) {
        c.pendingInitExit = null;
        c.state = c.state.exited(exit.status(), exit.at());
        if (c.stdio != null) {
            c.stdio.closeStdin();
        }
        events.publish(namespace, TaskExit.newBuilder()
                .setContainerId(c.id())
                .setId(c.id())
                .setPid(c.pid)
                .setExitStatus(exit.status())
                .setExitedAt(timestamp(exit.at()))
                .build());
        c.log.debug("init " + c.pid + " exited with status " + exit.status());
        c.exited.complete(exit);
    }

    private void execExited(ShimContainer c, ExecProc e, int status, Instant at) {
        io.jshim.engine.Trace.mark("exec exited");
        e.state = e.state.exited(status, at);
        if (e.stdio != null) {
            e.stdio.closeStdin();
        }
        events.publish(namespace, TaskExit.newBuilder()
                .setContainerId(c.id())
                .setId(e.execId)
                .setPid(e.pid)
                .setExitStatus(status)
                .setExitedAt(timestamp(at))
                .build());
        c.log.debug("exec " + e.execId + " (" + e.pid + ") exited with status " + status);
        e.exited.complete(new ShimContainer.Exit(status, at));
        if (c.pendingInitExit != null
                && c.execs.values().stream().noneMatch(x -> x.state instanceof InitState.Running)) {
            publishInitExit(c, c.pendingInitExit);
        }
    }

    public WaitResponse await(WaitRequest r) {
        java.util.concurrent.CompletableFuture<ShimContainer.Exit> exited;
        if (r.getExecId().isEmpty()) {
            exited = initOf(r.getId(), "").exited;
        } else {
            ShimContainer c = container(r.getId());
            c.lock.lock();
            try {
                exited = execOf(c, r.getExecId()).exited;
            } finally {
                c.lock.unlock();
            }
        }
        ShimContainer.Exit exit;
        try {
            exit = exited.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Errdefs.cancelled();
        } catch (ExecutionException e) {
            throw TaskErrors.map(e.getCause());
        }
        return WaitResponse.newBuilder().setExitStatus(exit.status()).setExitedAt(timestamp(exit.at())).build();
    }

    // ---- Kill, Delete -----------------------------------------------------------------------------

    public void kill(KillRequest r) {
        if (!r.getExecId().isEmpty()) {
            killExec(container(r.getId()), r.getExecId(), r.getSignal());
            return;
        }
        ShimContainer c = initOf(r.getId(), r.getExecId());
        c.lock.lock();
        try {
            if (c.state instanceof InitState.Deleted) {
                throw Errdefs.notFound("process already deleted");
            }
            if (!c.state.signallable()) {
                if (r.getAll()) {
                    return; // runc: kill --all of a stopped container succeeds
                }
                throw Errdefs.notFound("process already finished");
            }
            try {
                runtime.kill(c.root, c.id(), r.getSignal(), r.getAll());
            } catch (EngineException e) {
                if (e.kind() == EngineException.Kind.FAILED_PRECONDITION
                        || e.kind() == EngineException.Kind.NOT_FOUND) {
                    // exited and not reaped yet: runc's checkKillError says the same
                    throw Errdefs.notFound("process already finished");
                }
                throw TaskErrors.map(e);
            }
        } finally {
            c.lock.unlock();
        }
    }

    public DeleteResponse delete(DeleteRequest r) {
        if (!r.getExecId().isEmpty()) {
            return deleteExec(container(r.getId()), r.getExecId());
        }
        ShimContainer c = initOf(r.getId(), r.getExecId());
        c.lock.lock();
        try {
            c.state.checkDelete();
            if (c.state instanceof InitState.Created) {
                killAndAwait(c, KILL_WAIT);
                c.state.checkDelete();
            }
            return finishDelete(c, true);
        } finally {
            c.lock.unlock();
        }
    }

    /**
     * SIGKILLs a task's processes and waits for the reaper to deliver init's exit. Called and returns
     * with the lock held; releases it while waiting, since the exit comes through it.
     */
    private void killAndAwait(ShimContainer c, Duration wait) {
        try {
            runtime.kill(c.root, c.id(), SIGKILL, true);
        } catch (EngineException e) {
            c.log.debug("kill before delete: " + e.getMessage());
        }
        c.lock.unlock();
        try {
            c.exited.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Errdefs.cancelled();
        } catch (ExecutionException | TimeoutException e) {
            throw new io.jshim.ttrpc.TtrpcException(io.jshim.ttrpc.Code.UNKNOWN, "task " + c.id()
                    + ": init " + c.pid + " did not exit within " + wait.toMillis() + " ms of SIGKILL");
        } finally {
            c.lock.lock();
        }
    }

    /** Removes a stopped task: engine state and cgroups, stdio, rootfs mounts. Lock held. */
    private DeleteResponse finishDelete(ShimContainer c, boolean publish) {
        try {
            runtime.delete(c.root, c.id(), false);
        } catch (EngineException e) {
            if (e.kind() != EngineException.Kind.NOT_FOUND) {
                c.log.error("delete failed: " + e.getMessage());
                throw TaskErrors.map(e);
            }
        }
        if (c.stdio != null) {
            c.stdio.close();
        }
        dropExecs(c);
        unmount(c);
        int status = c.state.exitStatus();
        Instant at = c.state.exitedAt();
        c.state = new InitState.Deleted(status, at);
        containers.remove(c.id(), c);
        byPid.remove(c.pid);
        watcher.unwatch(c.pid);
        unwatchOom(c);
        if (publish) {
            TaskDelete.Builder ev = TaskDelete.newBuilder().setContainerId(c.id()).setPid(c.pid)
                    .setExitStatus(status);
            if (at != null) {
                ev.setExitedAt(timestamp(at));
            }
            events.publish(namespace, ev.build());
        }
        c.log.debug("deleted");
        c.log.close();
        touch();
        DeleteResponse.Builder resp = DeleteResponse.newBuilder().setPid(c.pid).setExitStatus(status);
        if (at != null) {
            resp.setExitedAt(timestamp(at));
        }
        return resp.build();
    }

    private void unmount(ShimContainer c) {
        List<Path> mounted = c.mounted;
        for (int i = mounted.size() - 1; i >= 0; i--) {
            RootfsMounts.unmountAll(mounted.get(i));
        }
        c.mounted = List.of();
    }

    // ---- Exec -------------------------------------------------------------------------------------

    /**
     * Exec: reserves the exec id and publishes /tasks/exec-added; the process starts with Start. Allowed
     * while init is created or running (runc shim); a duplicate id is ALREADY_EXISTS.
     */
    public void exec(io.jshim.proto.containerd.task.v2.ExecProcessRequest r) {
        io.jshim.engine.Trace.mark("rpc Exec");
        if (r.getExecId().isEmpty()) {
            throw Errdefs.invalidArgument("exec id must not be empty");
        }
        ShimContainer c = container(r.getId());
        c.lock.lock();
        try {
            if (!(c.state instanceof InitState.Created || c.state instanceof InitState.Running)
                    || c.pendingInitExit != null) {
                throw new io.jshim.ttrpc.TtrpcException(io.jshim.ttrpc.Code.UNKNOWN, "cannot exec in a "
                        + (c.pendingInitExit != null ? "stopped" : c.state.status().text()) + " state");
            }
            if (c.execs.containsKey(r.getExecId())) {
                throw Errdefs.alreadyExists("id %s", r.getExecId());
            }
            c.execs.put(r.getExecId(), new ExecProc(r.getExecId(), r.getSpec().getValue().toByteArray(),
                    r.getStdin(), r.getStdout(), r.getStderr(), r.getTerminal()));
            events.publish(namespace, io.jshim.proto.containerd.events.TaskExecAdded.newBuilder()
                    .setContainerId(c.id()).setExecId(r.getExecId()).build());
        } finally {
            c.lock.unlock();
        }
    }

    private StartResponse startExec(ShimContainer c, String execId) {
        io.jshim.engine.Trace.mark("rpc Start exec");
        c.lock.lock();
        try {
            ExecProc e = execOf(c, execId);
            if (!(c.state instanceof InitState.Running || c.state instanceof InitState.Created)
                    || c.pendingInitExit != null) {
                throw Errdefs.failedPrecondition("container %s init process is not running", c.id());
            }
            InitState next = e.state.start();
            try {
                e.stdio = TaskStdio.open(e.stdin, e.stdout, e.stderr, e.terminal,
                        c.options.stdioOwner(namespace, execId));
                e.pid = runtime.exec(c.root, c.id(), e.processJson, e.stdio.containerFds(), e.stdio.consoleSocket());
                e.stdio.closeContainerEnds();
            } catch (Exception | Error x) {
                if (e.stdio != null) {
                    e.stdio.close();
                    e.stdio = null;
                }
                c.log.error("exec " + execId + " failed: " + x.getMessage());
                throw TaskErrors.map(x);
            }
            e.state = next;
            byPid.put(e.pid, new Owner(c, e));
            watcher.watch(e.pid);
            events.publish(namespace, io.jshim.proto.containerd.events.TaskExecStarted.newBuilder()
                    .setContainerId(c.id()).setExecId(execId).setPid(e.pid).build());
            c.log.debug("exec " + execId + " started, pid " + e.pid);
            io.jshim.engine.Trace.mark("rpc Start exec: done");
            return StartResponse.newBuilder().setPid(e.pid).build();
        } finally {
            c.lock.unlock();
        }
    }

    private void killExec(ShimContainer c, String execId, int signal) {
        c.lock.lock();
        try {
            ExecProc e = execOf(c, execId);
            if (e.state instanceof InitState.Created) {
                throw Errdefs.failedPrecondition("process not created");
            }
            if (!e.state.signallable() || !signal(e.pid, signal)) {
                throw Errdefs.notFound("process already finished");
            }
        } finally {
            c.lock.unlock();
        }
    }

    private DeleteResponse deleteExec(ShimContainer c, String execId) {
        io.jshim.engine.Trace.mark("rpc Delete exec");
        c.lock.lock();
        try {
            ExecProc e = execOf(c, execId);
            e.state.checkDelete();
            if (e.stdio != null) {
                e.stdio.close();
            }
            c.execs.remove(execId);
            if (e.pid > 0) {
                byPid.remove(e.pid);
                watcher.unwatch(e.pid);
            }
            int status = e.state.exitStatus();
            Instant at = e.state.exitedAt();
            e.state = new InitState.Deleted(status, at);
            e.exited.complete(new ShimContainer.Exit(status, at == null ? Instant.now() : at));
            DeleteResponse.Builder d = DeleteResponse.newBuilder().setPid(e.pid).setExitStatus(status);
            if (at != null) {
                d.setExitedAt(timestamp(at));
            }
            return d.build();
        } finally {
            c.lock.unlock();
        }
    }

    private StateResponse execState(ShimContainer c, String execId) {
        c.lock.lock();
        try {
            ExecProc e = execOf(c, execId);
            io.jshim.proto.containerd.types.task.Status status = e.state.status().wire();
            if (e.state instanceof InitState.Running && c.state instanceof InitState.Paused) {
                status = io.jshim.proto.containerd.types.task.Status.PAUSED;
            }
            StateResponse.Builder b = StateResponse.newBuilder()
                    .setId(execId)
                    .setExecId(execId)
                    .setBundle(c.request.bundle().toString())
                    .setPid(e.pid)
                    .setStatus(status)
                    .setStdin(e.stdin)
                    .setStdout(e.stdout)
                    .setStderr(e.stderr)
                    .setTerminal(e.terminal)
                    .setExitStatus(e.state.exitStatus());
            if (e.state.exitedAt() != null) {
                b.setExitedAt(timestamp(e.state.exitedAt()));
            }
            return b.build();
        } finally {
            c.lock.unlock();
        }
    }

    /** The task is going: its execs' stdio and pids go with it. Lock held. */
    private void dropExecs(ShimContainer c) {
        for (ExecProc e : c.execs.values()) {
            if (e.stdio != null) {
                e.stdio.close();
            }
            if (e.pid > 0) {
                byPid.remove(e.pid);
                watcher.unwatch(e.pid);
            }
            e.exited.complete(new ShimContainer.Exit(128 + SIGKILL, Instant.now()));
        }
        c.execs.clear();
    }

    /** kill(2); false when the process is gone (ESRCH). */
    private static boolean signal(int pid, int sig) {
        try {
            return io.jshim.engine.linux.Syscalls.kill(pid, sig);
        } catch (io.jshim.engine.linux.LinuxException e) {
            return false;
        }
    }

    /** Whether {@code pid} lives in this process's pid namespace (then a task's execs outlive its init). */
    static boolean sharesOurPidNamespace(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", "pid"))
                    .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    // ---- Pause, Resume -------------------------------------------------------------------------------

    public void pause(io.jshim.proto.containerd.task.v2.PauseRequest r) {
        ShimContainer c = initOf(r.getId(), "");
        c.lock.lock();
        try {
            InitState next = c.state.pause();
            try {
                runtime.pause(c.root, c.id());
            } catch (EngineException e) {
                throw TaskErrors.map(e);
            }
            c.state = next;
            events.publish(namespace, io.jshim.proto.containerd.events.TaskPaused.newBuilder()
                    .setContainerId(c.id()).build());
        } finally {
            c.lock.unlock();
        }
    }

    public void resume(io.jshim.proto.containerd.task.v2.ResumeRequest r) {
        ShimContainer c = initOf(r.getId(), "");
        c.lock.lock();
        try {
            InitState next = c.state.resume();
            try {
                runtime.resume(c.root, c.id());
            } catch (EngineException e) {
                throw TaskErrors.map(e);
            }
            c.state = next;
            events.publish(namespace, io.jshim.proto.containerd.events.TaskResumed.newBuilder()
                    .setContainerId(c.id()).build());
        } finally {
            c.lock.unlock();
        }
    }

    // ---- Stats, Update ------------------------------------------------------------------------------

    /** Stats: the cgroup v1/v2 Metrics of the task; NOT_FOUND once it has no cgroup (containerd skips it). */
    public io.jshim.proto.containerd.task.v2.StatsResponse stats(io.jshim.proto.containerd.task.v2.StatsRequest r) {
        ShimContainer c = initOf(r.getId(), "");
        try {
            return io.jshim.proto.containerd.task.v2.StatsResponse.newBuilder().setStats(runtime.stats(c.root, c.id()))
                    .build();
        } catch (EngineException e) {
            throw TaskErrors.map(e);
        }
    }

    /** Update: new resource limits (an Any of runtime-spec LinuxResources JSON); created/running/paused only. */
    public void update(io.jshim.proto.containerd.task.v2.UpdateTaskRequest r) {
        ShimContainer c = initOf(r.getId(), "");
        c.lock.lock();
        try {
            if (!c.state.signallable()) {
                throw new io.jshim.ttrpc.TtrpcException(io.jshim.ttrpc.Code.UNKNOWN,
                        "cannot update a " + c.state.status().text() + " process");
            }
            try {
                runtime.update(c.root, c.id(), r.getResources().getValue().toByteArray());
            } catch (EngineException e) {
                throw TaskErrors.map(e);
            }
        } finally {
            c.lock.unlock();
        }
    }

    // ---- CloseIO, ResizePty ------------------------------------------------------------------------

    /** CloseIO: closes the daemon's keep-alive writer of the task's stdin FIFO (§5.3). */
    public void closeIO(io.jshim.proto.containerd.task.v2.CloseIORequest r) {
        ShimContainer c = container(r.getId());
        c.lock.lock();
        try {
            TaskStdio io = r.getExecId().isEmpty() ? c.stdio : execOf(c, r.getExecId()).stdio;
            if (io != null) {
                io.closeStdin();
            }
        } finally {
            c.lock.unlock();
        }
    }

    /** ResizePty: TIOCSWINSZ on the pty master; a no-op for a process without a terminal, as in the runc shim. */
    public void resizePty(io.jshim.proto.containerd.task.v2.ResizePtyRequest r) {
        ShimContainer c = container(r.getId());
        TaskStdio io;
        c.lock.lock();
        try {
            io = r.getExecId().isEmpty() ? c.stdio : execOf(c, r.getExecId()).stdio;
        } finally {
            c.lock.unlock();
        }
        if (io != null) {
            try {
                io.resizePty(r.getWidth(), r.getHeight());
            } catch (io.jshim.engine.linux.LinuxException e) {
                throw TaskErrors.map(e);
            }
        }
    }

    // ---- State, Pids, Connect, Shutdown -----------------------------------------------------------

    public StateResponse state(StateRequest r) {
        if (!r.getExecId().isEmpty()) {
            return execState(container(r.getId()), r.getExecId());
        }
        ShimContainer c = initOf(r.getId(), r.getExecId());
        c.lock.lock();
        try {
            ShimContainer.Request q = c.request;
            StateResponse.Builder b = StateResponse.newBuilder()
                    .setId(c.id())
                    .setBundle(q.bundle().toString())
                    .setPid(c.pid)
                    .setStatus(c.state.status().wire())
                    .setStdin(q.stdin())
                    .setStdout(q.stdout())
                    .setStderr(q.stderr())
                    .setTerminal(q.terminal())
                    .setExitStatus(c.state.exitStatus());
            if (c.state.exitedAt() != null) {
                b.setExitedAt(timestamp(c.state.exitedAt()));
            }
            return b.build();
        } finally {
            c.lock.unlock();
        }
    }

    public PidsResponse pids(PidsRequest r) {
        ShimContainer c = initOf(r.getId(), "");
        List<Integer> pids;
        try {
            pids = runtime.pids(c.root, c.id());
        } catch (EngineException e) {
            throw TaskErrors.map(e);
        }
        Map<Integer, String> execPids = new java.util.HashMap<>();
        c.lock.lock();
        try {
            for (ExecProc e : c.execs.values()) {
                if (e.pid > 0) {
                    execPids.put(e.pid, e.execId);
                }
            }
        } finally {
            c.lock.unlock();
        }
        PidsResponse.Builder b = PidsResponse.newBuilder();
        for (int pid : pids) {
            ProcessInfo.Builder p = ProcessInfo.newBuilder().setPid(pid);
            String execId = execPids.get(pid);
            if (execId != null) {
                // what runc's shim says, so that `ctr task ps` shows the exec id
                p.setInfo(com.google.protobuf.Any.newBuilder().setTypeUrl("containerd.runc.v1.ProcessDetails")
                        .setValue(io.jshim.proto.containerd.runc.v1.ProcessDetails.newBuilder().setExecId(execId)
                                .build().toByteString()));
            }
            b.addProcesses(p);
        }
        if (pids.isEmpty() && c.state.signallable()) {
            // a live task must never report no pids: containerd 1.7+ deletes such tasks on restart (§8.3)
            b.addProcesses(ProcessInfo.newBuilder().setPid(c.pid));
        }
        return b.build();
    }

    public ConnectResponse connect(ConnectRequest r) {
        ShimContainer c = containers.get(r.getId());
        return ConnectResponse.newBuilder()
                .setShimPid((int) ProcessHandle.current().pid())
                .setTaskPid(c == null ? 0 : c.pid)
                .build();
    }

    /** Shutdown: nothing while tasks remain; otherwise the daemon may exit (after its idle time). */
    public void shutdown() {
        touch();
        if (containers.isEmpty()) {
            onShutdownRequest.run();
        }
    }

    // ---- the front end's private calls -----------------------------------------------------------

    /** {@code start} reserved {@code id}: keep the daemon up until its Create arrives. */
    public void reserve(String id) {
        reservations.put(id, System.nanoTime() + reservationTtl.toNanos());
        touch();
    }

    /**
     * The {@code delete} action, run by containerd after every task delete and for dead shims: make sure
     * nothing of the task is left. A task still known is killed (SIGKILL to all its processes) and
     * removed without events (containerd publishes its own for a task it still knows); an unknown one
     * has its engine state, cgroups and rootfs mounts removed if any remain. Returns runc's answer:
     * exit status 137 unless the exit was seen.
     */
    public DeleteResponse cleanup(String id, Path bundle) {
        reservations.remove(id);
        ShimContainer c = containers.get(id);
        if (c != null) {
            c.lock.lock();
            try {
                if (c.state.signallable()) {
                    try {
                        killAndAwait(c, CLEANUP_WAIT);
                    } catch (RuntimeException e) {
                        c.log.warn("cleanup: " + e.getMessage());
                    }
                }
                if (!(c.state instanceof InitState.Deleted)) {
                    try {
                        boolean exitSeen = c.exited.isDone();
                        DeleteResponse d = finishDelete(c, false);
                        c.exited.complete(new ShimContainer.Exit(128 + SIGKILL, Instant.now())); // release waiters
                        return exitSeen ? d : DeleteResponse.newBuilder().setPid(c.pid).setExitStatus(128 + SIGKILL)
                                .setExitedAt(timestamp(Instant.now())).build();
                    } catch (RuntimeException e) {
                        c.log.warn("cleanup: " + e.getMessage() + "; forcing");
                        forget(c);
                    }
                }
            } finally {
                c.lock.unlock();
            }
        }
        Path root = defaultRoot;
        try {
            String text = Files.readString(bundle.resolve(ROOT_FILE), StandardCharsets.UTF_8).strip();
            if (!text.isEmpty()) {
                root = Path.of(text);
            }
        } catch (IOException e) {
            // never created here, or the bundle is gone
        }
        try {
            runtime.delete(root, id, true);
        } catch (EngineException e) {
            System.getLogger(TaskCore.class.getName()).log(System.Logger.Level.WARNING,
                    "cleanup of " + id + ": " + e.getMessage());
        }
        RootfsMounts.unmountAll(bundle.resolve("rootfs"));
        touch();
        return DeleteResponse.newBuilder().setPid(readPid(bundle)).setExitStatus(128 + SIGKILL)
                .setExitedAt(timestamp(Instant.now())).build();
    }

    /** Drops a task whose normal delete failed (the force delete below takes over). Lock held. */
    private void forget(ShimContainer c) {
        if (c.stdio != null) {
            c.stdio.close();
        }
        dropExecs(c);
        unmount(c);
        c.state = new InitState.Deleted(128 + SIGKILL, Instant.now());
        containers.remove(c.id(), c);
        byPid.remove(c.pid);
        watcher.unwatch(c.pid);
        unwatchOom(c);
        c.exited.complete(new ShimContainer.Exit(128 + SIGKILL, Instant.now()));
        c.log.close();
        touch();
    }

    static int readPid(Path bundle) {
        try {
            return Integer.parseInt(Files.readString(bundle.resolve(PID_FILE)).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    // ---- idleness ---------------------------------------------------------------------------------

    /** No task and no live reservation. */
    public boolean idle() {
        if (!containers.isEmpty()) {
            return false;
        }
        long now = System.nanoTime();
        reservations.values().removeIf(deadline -> now - deadline > 0);
        return reservations.isEmpty();
    }

    /** How long the daemon has been without anything to do (zero while busy). */
    public Duration idleFor() {
        if (!idle()) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(System.nanoTime() - lastBusyNanos);
    }

    public int taskCount() {
        return containers.size();
    }

    /** Tasks whose init is running (paused ones not counted); for the metrics gauge, read without locks. */
    public int runningCount() {
        return (int) containers.values().stream().filter(c -> c.state instanceof InitState.Running).count();
    }

    private void touch() {
        lastBusyNanos = System.nanoTime();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private ShimContainer container(String id) {
        ShimContainer c = containers.get(id);
        if (c == null) {
            throw Errdefs.notFound("container %s not created", id);
        }
        return c;
    }

    /** Lock held. */
    private static ExecProc execOf(ShimContainer c, String execId) {
        ExecProc e = c.execs.get(execId);
        if (e == null) {
            throw Errdefs.notFound("process %s does not exist", execId);
        }
        return e;
    }

    private ShimContainer initOf(String id, String execId) {
        ShimContainer c = containers.get(id);
        if (c == null) {
            throw Errdefs.notFound("container %s not created", id);
        }
        if (!execId.isEmpty()) {
            throw Errdefs.notFound("process %s does not exist", execId);
        }
        return c;
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
}
