package io.jshim.engine;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.cgroup.stats.CgroupStats;
import io.jshim.engine.hooks.ContainerHooks;
import io.jshim.engine.lifecycle.Cgroups;
import io.jshim.engine.lifecycle.ContainerView;
import io.jshim.engine.lifecycle.CreateContainer;
import io.jshim.engine.lifecycle.CreateRequest;
import io.jshim.engine.lifecycle.DeleteContainer;
import io.jshim.engine.lifecycle.ExecProcess;
import io.jshim.engine.lifecycle.ExecRequest;
import io.jshim.engine.lifecycle.KillContainer;
import io.jshim.engine.lifecycle.PauseContainer;
import io.jshim.engine.lifecycle.QueryContainer;
import io.jshim.engine.lifecycle.ResumeContainer;
import io.jshim.engine.lifecycle.StartContainer;
import io.jshim.engine.lifecycle.UpdateContainer;
import io.jshim.engine.plan.InitLauncher;
import io.jshim.engine.spec.LinuxResources;
import io.jshim.engine.stats.ContainerMonitor;
import io.jshim.engine.stats.EventStream;
import io.jshim.engine.state.ContainerState;
import io.jshim.engine.state.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The container engine's front door, one instance per state root. jrunc calls
 * it once per command; the shim keeps one and calls it in-process (design.md §2).
 */
public final class Engine {
    private final StateStore store;
    private final Cgroups cgroups = new Cgroups();
    private final QueryContainer query;
    private final CreateContainer create;
    private final StartContainer start;
    private final KillContainer kill;
    private final DeleteContainer delete;
    private final PauseContainer pause;
    private final ResumeContainer resume;
    private final UpdateContainer update;
    private final ContainerMonitor monitor;

    private final ContainerHooks hooks = new ContainerHooks();
    private final ExecProcess exec;

    public Engine(Path root, Path initBinary) {
        this(root, new InitLauncher(initBinary));
    }

    /** With a launcher of the caller's (the shim daemon shares one, see {@link InitLauncher#runFromSealedCopy()}). */
    public Engine(Path root, InitLauncher launcher) {
        this.store = new StateStore(root);
        this.query = new QueryContainer(store, cgroups);
        this.create = new CreateContainer(store, cgroups, launcher, hooks);
        this.start = new StartContainer(store, query, hooks);
        this.kill = new KillContainer(query, cgroups);
        this.delete = new DeleteContainer(store, query, cgroups, hooks);
        this.exec = new ExecProcess(store, query, cgroups, launcher);
        this.pause = new PauseContainer(store, query, cgroups);
        this.resume = new ResumeContainer(store, query, cgroups);
        this.update = new UpdateContainer(store, query, cgroups);
        this.monitor = new ContainerMonitor(store, query, cgroups);
    }

    /** Where warnings go that do not fail an operation (a failing poststop hook); jrunc logs them. */
    public void onWarning(Consumer<String> sink) {
        hooks.warnTo(sink);
    }

    /** Starts a process in a running container ({@code exec}); see {@link ExecProcess}. */
    public ExecProcess.Started exec(ExecRequest req) throws EngineException {
        return exec.start(req);
    }

    public StateStore store() {
        return store;
    }

    public ContainerState create(CreateRequest req) throws EngineException {
        return create.create(req);
    }

    public void start(String id) throws EngineException {
        start.start(id);
    }

    public ContainerView state(String id) throws EngineException {
        return query.view(id);
    }

    public List<ContainerView> list(BiConsumer<String, EngineException> onError) throws EngineException {
        return query.list(onError);
    }

    public void kill(String id, int signal, boolean all) throws EngineException {
        kill.kill(id, signal, all);
    }

    public void delete(String id, boolean force) throws EngineException {
        delete.delete(id, force);
    }

    /** Freezes a running or created container. */
    public void pause(String id) throws EngineException {
        pause.pause(id);
    }

    /** Thaws a paused container. */
    public void resume(String id) throws EngineException {
        resume.resume(id);
    }

    /** Merges {@code resources} into the container's limits and writes them to its cgroup. */
    public void update(String id, LinuxResources resources) throws EngineException {
        update.update(id, resources);
    }

    /** One sample of the container's resource use (its cgroup's statistics). */
    public CgroupStats stats(String id) throws EngineException {
        return monitor.stats(id);
    }

    /** Samples every {@code interval} and OOM notifications, until the container is deleted. */
    public void events(String id, Duration interval, EventStream.Sink sink) throws EngineException,
            InterruptedException {
        monitor.events(id, interval, sink);
    }

    /** A watcher of OOM kills in the container's cgroup; the caller closes it. */
    public io.jshim.engine.cgroup.stats.OomWatcher oomWatcher(String id) throws EngineException {
        return monitor.oomWatcher(id);
    }

    /** Host pids of every process in the container's cgroup. */
    public List<Integer> pids(String id) throws EngineException {
        ContainerView v = query.view(id);
        CgroupManager cg = cgroups.of(v.state());
        if (cg == null) {
            return List.of();
        }
        try {
            return cg.pids();
        } catch (CgroupException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "pids of " + id + ": " + e.getMessage(), e);
        }
    }
}
