package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.state.StateStore;

/**
 * {@code pause}: freezes every process of a running or created container (v1 freezer
 * FROZEN, v2 cgroup.freeze; cgroup-v1/freezer-subsystem.rst, cgroup-v2.rst). The status
 * then reads {@code paused}, since {@link StatusProbe} looks at the freezer first. Anything
 * else is runc's ErrNotRunning, "container not running".
 */
public final class PauseContainer {
    private final StateStore store;
    private final QueryContainer query;
    private final Cgroups cgroups;

    public PauseContainer(StateStore store, QueryContainer query, Cgroups cgroups) {
        this.store = store;
        this.query = query;
        this.cgroups = cgroups;
    }

    public void pause(String id) throws EngineException {
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerView v = query.view(id);
            switch (v.status()) {
                case RUNNING, CREATED -> {
                }
                default -> throw new EngineException(Kind.FAILED_PRECONDITION, "container not running");
            }
            CgroupManager cg = Freezing.cgroupOf(cgroups, v, "pause");
            try {
                cg.freeze();
            } catch (CgroupException e) {
                throw new EngineException(Kind.INTERNAL, "pause container " + id + ": " + e.getMessage(), e);
            }
        }
    }
}
