package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.state.Status;

/**
 * {@code kill}: signals init, or with {@code --all} every process in the
 * container's cgroup (runc 1.1: freeze, signal each, thaw, so nothing forks
 * away in between). Returns once the signal is sent, as runc does.
 */
public final class KillContainer {
    static final int SIGKILL = 9;

    private final QueryContainer query;
    private final Cgroups cgroups;

    public KillContainer(QueryContainer query, Cgroups cgroups) {
        this.query = query;
        this.cgroups = cgroups;
    }

    public void kill(String id, int signal, boolean all) throws EngineException {
        ContainerView v = query.view(id);
        if (v.status() == Status.STOPPED) {
            if (all) {
                return; // runc 1.1 exits 0 for kill --all of a stopped container
            }
            throw new EngineException(Kind.FAILED_PRECONDITION, "container not running");
        }
        CgroupManager cg = cgroups.of(v.state());
        try {
            if (all && cg != null) {
                signalAll(cg, signal);
            } else if (!Syscalls.kill(v.state().pid(), signal)) {
                throw new EngineException(Kind.FAILED_PRECONDITION, "container not running");
            }
            if (signal == SIGKILL && v.status() == Status.PAUSED && cg != null) {
                cg.thaw(); // a frozen task cannot die until thawed
            }
        } catch (LinuxException e) {
            throw new EngineException(Kind.INTERNAL, "kill container " + id + ": " + e.getMessage(), e);
        } catch (CgroupException e) {
            throw new EngineException(Kind.INTERNAL, "kill container " + id + ": " + e.getMessage(), e);
        }
    }

    static void signalAll(CgroupManager cg, int signal) throws CgroupException, LinuxException {
        boolean wasFrozen = cg.isFrozen();
        if (!wasFrozen) {
            cg.freeze();
        }
        try {
            for (int pid : cg.pids()) {
                Syscalls.kill(pid, signal);
            }
        } finally {
            if (!wasFrozen || signal == SIGKILL) {
                cg.thaw();
            }
        }
    }
}
