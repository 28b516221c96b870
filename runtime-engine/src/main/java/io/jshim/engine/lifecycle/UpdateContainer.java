package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.spec.LinuxResources;
import io.jshim.engine.state.ContainerState;
import io.jshim.engine.state.StateStore;
import io.jshim.engine.state.Status;

/**
 * {@code update}: changes the resource limits of a container that has not stopped (runc
 * update.go and linuxContainer.Set). The update is merged into the resources recorded in
 * state.json ({@link ResourcesMerge}), the result is written to the cgroup (device rules
 * excepted, as runc's SkipDevices), and recorded for the next update. If writing fails
 * half-way, the previous limits are written back, as runc does.
 */
public final class UpdateContainer {
    private final StateStore store;
    private final QueryContainer query;
    private final Cgroups cgroups;

    public UpdateContainer(StateStore store, QueryContainer query, Cgroups cgroups) {
        this.store = store;
        this.query = query;
        this.cgroups = cgroups;
    }

    public void update(String id, LinuxResources update) throws EngineException {
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerView v = query.view(id);
            if (v.status() == Status.STOPPED) {
                throw new EngineException(Kind.FAILED_PRECONDITION, "container not running");
            }
            ContainerState s = v.state();
            CgroupManager cg = cgroups.of(s);
            if (cg == null) {
                throw new EngineException(Kind.FAILED_PRECONDITION, "cannot update container " + id
                        + ": it has no cgroup (no cgroupPaths in its state.json)");
            }
            LinuxResources merged = ResourcesMerge.merge(s.resources(), update);
            try {
                cg.apply(ResourcesMerge.withoutDevices(merged));
            } catch (CgroupException e) {
                throw new EngineException(kindOf(e), "update container " + id + ": " + e.getMessage()
                        + restore(cg, s.resources()), e);
            }
            store.save(s.withResources(merged));
        }
    }

    /** Writes the previous limits back; returns what to add to the error if that fails too. */
    private static String restore(CgroupManager cg, LinuxResources previous) {
        if (previous == null) {
            return "";
        }
        try {
            cg.apply(ResourcesMerge.withoutDevices(previous));
            return "";
        } catch (CgroupException e) {
            return " (restoring the previous limits failed too, so the cgroup may now hold a mix of old and new: "
                    + e.getMessage() + ")";
        }
    }

    /** A value the kernel or our checks refused is the caller's to fix; anything else is ours. */
    private static Kind kindOf(CgroupException e) {
        return switch (e.errno()) {
            case NONE, EINVAL, ERANGE, EBUSY -> Kind.INVALID_ARGUMENT;
            default -> Kind.INTERNAL;
        };
    }
}
