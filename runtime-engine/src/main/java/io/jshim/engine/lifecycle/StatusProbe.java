package io.jshim.engine.lifecycle;

import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.state.ContainerState;
import io.jshim.engine.state.ProcStat;
import io.jshim.engine.state.StateStore;
import io.jshim.engine.state.Status;
import java.nio.file.Files;
import java.util.Optional;

/**
 * Derives a container's status from what the system shows, never from the file
 * alone (design.md §3): freezer first, as runc does, then whether init (the same
 * process: pid and start time) still lives, then whether the exec FIFO remains.
 */
public final class StatusProbe {
    private final StateStore store;

    public StatusProbe(StateStore store) {
        this.store = store;
    }

    public Status status(ContainerState s, CgroupManager cgroup) {
        if (cgroup != null && isFrozen(cgroup)) {
            return Status.PAUSED;
        }
        if (!initAlive(s)) {
            return Status.STOPPED;
        }
        if (Files.exists(store.fifo(s.id()))) {
            return Status.CREATED;
        }
        return Status.RUNNING;
    }

    public static boolean initAlive(ContainerState s) {
        Optional<ProcStat> st = ProcStat.of(s.pid());
        return st.isPresent() && !st.get().exited() && st.get().startTime() == s.pidStartTime();
    }

    private static boolean isFrozen(CgroupManager cgroup) {
        try {
            return cgroup.isFrozen();
        } catch (Exception e) {
            return false;
        }
    }
}
