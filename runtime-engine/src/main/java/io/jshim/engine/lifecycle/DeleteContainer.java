package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.hooks.ContainerHooks;
import io.jshim.engine.hooks.HookState;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.state.StateStore;
import io.jshim.engine.state.Status;
import java.nio.file.Files;
import java.util.Optional;

/**
 * {@code delete}: removes a stopped container; a created one is killed first
 * (runc does so even without --force); with --force a running or paused one is
 * SIGKILLed and waited for (up to 10 s, as runc). Then every process left in its
 * cgroup is killed and the cgroups and state dir are removed, and the poststop
 * hooks run.
 */
public final class DeleteContainer {
    private static final long FORCE_WAIT_MILLIS = 10_000;

    private final StateStore store;
    private final QueryContainer query;
    private final Cgroups cgroups;
    private final ContainerHooks hooks;

    public DeleteContainer(StateStore store, QueryContainer query, Cgroups cgroups) {
        this(store, query, cgroups, new ContainerHooks());
    }

    public DeleteContainer(StateStore store, QueryContainer query, Cgroups cgroups, ContainerHooks hooks) {
        this.store = store;
        this.query = query;
        this.cgroups = cgroups;
        this.hooks = hooks;
    }

    public void delete(String id, boolean force) throws EngineException {
        if (!StateStore.namesContainerDir(id)) {
            if (force) {
                return;
            }
            throw EngineException.notFound();
        }
        if (!Files.isDirectory(store.dir(id))) {
            if (force) {
                return;
            }
            throw EngineException.notFound();
        }
        if (!store.exists(id)) {
            // A partial dir (a create that died midway): remove it, then report as runc does.
            store.remove(id);
            if (force) {
                return;
            }
            throw EngineException.notFound();
        }
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerView v = query.view(id);
            CgroupManager cg = cgroups.of(v.state());
            switch (v.status()) {
                case STOPPED -> {
                }
                case CREATED -> killAndWait(v, cg);
                case RUNNING, PAUSED -> {
                    if (!force) {
                        throw new EngineException(Kind.FAILED_PRECONDITION, "cannot delete container " + id
                                + " that is not stopped: " + v.status().text());
                    }
                    killAndWait(v, cg);
                }
                default -> throw new IllegalStateException("status " + v.status());
            }
            Optional<Spec.Hooks> poststop = SavedConfig.lifecycleHooks(store, id); // read before the dir goes
            destroy(id, cg);
            // runtime.md step 13, after the container is destroyed; failures only warn
            poststop.ifPresent(h -> hooks.poststop(h, new HookState(id, v.state().bundle(), v.state().annotations())));
        }
    }

    private void killAndWait(ContainerView v, CgroupManager cg) throws EngineException {
        try {
            Syscalls.kill(v.state().pid(), KillContainer.SIGKILL);
            if (v.status() == Status.PAUSED && cg != null) {
                cg.thaw();
            }
        } catch (LinuxException | CgroupException e) {
            throw new EngineException(Kind.INTERNAL, "kill container " + v.state().id() + ": " + e.getMessage(), e);
        }
        if (!Wait.untilExited(v.state().pid(), v.state().pidStartTime(), FORCE_WAIT_MILLIS)) {
            throw new EngineException(Kind.INTERNAL, "container init still running");
        }
    }

    private void destroy(String id, CgroupManager cg) throws EngineException {
        io.jshim.engine.Trace.mark("delete: destroy");
        if (cg != null) {
            try {
                cg.destroy();
            } catch (CgroupException e) {
                throw new EngineException(Kind.INTERNAL, "remove cgroups of " + id + ": " + e.getMessage(), e);
            }
        }
        store.remove(id);
        io.jshim.engine.Trace.mark("delete: done");
    }
}
