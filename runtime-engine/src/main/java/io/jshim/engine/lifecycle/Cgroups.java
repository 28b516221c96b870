package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupLayout;
import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.state.ContainerState;
import java.util.Map;

/** Builds cgroup managers for containers; detects the host layout once per process. */
public final class Cgroups {
    private CgroupLayout layout;

    public synchronized CgroupLayout layout() throws EngineException {
        if (layout == null) {
            try {
                layout = CgroupLayout.detect();
            } catch (CgroupException e) {
                throw new EngineException(EngineException.Kind.INTERNAL, "detect cgroups: " + e.getMessage(), e);
            }
        }
        return layout;
    }

    public CgroupManager forNew(String cgroupsPath, String id) throws EngineException {
        try {
            return CgroupManager.create(layout(), cgroupsPath, id);
        } catch (CgroupException e) {
            throw new EngineException(EngineException.Kind.INVALID_ARGUMENT, "linux.cgroupsPath: " + e.getMessage(), e);
        }
    }

    /** The manager of an existing container, rebuilt from state.json (null when it had none). */
    public CgroupManager of(ContainerState s) throws EngineException {
        Map<String, String> paths = s.cgroupPaths();
        if (paths == null || paths.isEmpty()) {
            return null;
        }
        return CgroupManager.load(layout(), paths);
    }
}
