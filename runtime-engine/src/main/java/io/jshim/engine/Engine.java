package io.jshim.engine;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.lifecycle.Cgroups;
import io.jshim.engine.lifecycle.ContainerView;
import io.jshim.engine.lifecycle.CreateContainer;
import io.jshim.engine.lifecycle.CreateRequest;
import io.jshim.engine.lifecycle.DeleteContainer;
import io.jshim.engine.lifecycle.KillContainer;
import io.jshim.engine.lifecycle.QueryContainer;
import io.jshim.engine.lifecycle.StartContainer;
import io.jshim.engine.plan.InitLauncher;
import io.jshim.engine.state.ContainerState;
import io.jshim.engine.state.StateStore;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;

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

    public Engine(Path root, Path initBinary) {
        this.store = new StateStore(root);
        this.query = new QueryContainer(store, cgroups);
        this.create = new CreateContainer(store, cgroups, new InitLauncher(initBinary));
        this.start = new StartContainer(store, query);
        this.kill = new KillContainer(query, cgroups);
        this.delete = new DeleteContainer(store, query, cgroups);
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
