package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.state.StateStore;
import io.jshim.engine.state.Status;

/**
 * {@code resume}: thaws a paused container (v1 freezer THAWED, v2 cgroup.freeze 0). Any
 * other status is runc's ErrNotPaused, "container not paused".
 */
public final class ResumeContainer {
    private final StateStore store;
    private final QueryContainer query;
    private final Cgroups cgroups;

    public ResumeContainer(StateStore store, QueryContainer query, Cgroups cgroups) {
        this.store = store;
        this.query = query;
        this.cgroups = cgroups;
    }

    public void resume(String id) throws EngineException {
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerView v = query.view(id);
            if (v.status() != Status.PAUSED) {
                throw new EngineException(Kind.FAILED_PRECONDITION, "container not paused");
            }
            CgroupManager cg = Freezing.cgroupOf(cgroups, v, "resume");
            try {
                cg.thaw();
            } catch (CgroupException e) {
                throw new EngineException(Kind.INTERNAL, "resume container " + id + ": " + e.getMessage(), e);
            }
        }
    }
}
