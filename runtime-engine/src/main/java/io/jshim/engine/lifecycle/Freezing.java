package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.cgroup.CgroupManager;

/** What pause and resume share: the container's cgroup, which they cannot do without. */
final class Freezing {
    private Freezing() {
    }

    static CgroupManager cgroupOf(Cgroups cgroups, ContainerView v, String verb) throws EngineException {
        CgroupManager cg = cgroups.of(v.state());
        if (cg == null) {
            throw new EngineException(Kind.FAILED_PRECONDITION, "cannot " + verb + " container " + v.state().id()
                    + ": it has no cgroup to freeze (no cgroupPaths in its state.json)");
        }
        return cg;
    }
}
