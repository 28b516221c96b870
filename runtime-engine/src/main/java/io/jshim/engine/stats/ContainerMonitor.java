package io.jshim.engine.stats;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.cgroup.stats.CgroupStats;
import io.jshim.engine.cgroup.stats.OomWatcher;
import io.jshim.engine.cgroup.stats.StatsReader;
import io.jshim.engine.lifecycle.Cgroups;
import io.jshim.engine.lifecycle.ContainerView;
import io.jshim.engine.lifecycle.QueryContainer;
import io.jshim.engine.state.StateStore;
import io.jshim.engine.state.Status;
import java.time.Duration;

/**
 * A container's statistics and events ({@code jrunc events}): one sample, or the stream of
 * samples and OOM notifications until the container is deleted. Takes no lock, so that a
 * long-running stream never holds up {@code delete}.
 */
public final class ContainerMonitor {
    private final StateStore store;
    private final QueryContainer query;
    private final Cgroups cgroups;

    public ContainerMonitor(StateStore store, QueryContainer query, Cgroups cgroups) {
        this.store = store;
        this.query = query;
        this.cgroups = cgroups;
    }

    /** One sample of a container that has not stopped. */
    public CgroupStats stats(String id) throws EngineException {
        CgroupManager cg = liveCgroup(id);
        try {
            return new StatsReader(cgroups.layout().fs()).read(cg);
        } catch (CgroupException e) {
            throw new EngineException(Kind.INTERNAL, "stats of container " + id + ": " + e.getMessage(), e);
        }
    }

    /** Streams samples every {@code interval} and OOM notifications until the container is deleted. */
    public void events(String id, Duration interval, EventStream.Sink sink) throws EngineException,
            InterruptedException {
        CgroupManager cg = liveCgroup(id);
        StatsReader reader = new StatsReader(cgroups.layout().fs());
        try (OomWatcher oom = OomWatcher.open(cgroups.layout().fs(), cg)) {
            new EventStream(() -> reader.read(cg), oom, () -> store.exists(id) && cg.exists(), System::nanoTime)
                    .run(interval, sink);
        } catch (CgroupException e) {
            throw new EngineException(Kind.INTERNAL, "events of container " + id + ": " + e.getMessage(), e);
        }
    }

    /** A watcher of OOMs in the cgroup of a container that has not stopped ({@link OomWatcher#NONE} without memory controller). */
    public OomWatcher oomWatcher(String id) throws EngineException {
        CgroupManager cg = liveCgroup(id);
        try {
            return OomWatcher.open(cgroups.layout().fs(), cg);
        } catch (CgroupException e) {
            throw new EngineException(Kind.INTERNAL, "watch for OOM in " + id + ": " + e.getMessage(), e);
        }
    }

    private CgroupManager liveCgroup(String id) throws EngineException {
        ContainerView v = query.view(id);
        if (v.status() == Status.STOPPED) {
            throw new EngineException(Kind.FAILED_PRECONDITION, "container with id " + id + " is not running");
        }
        CgroupManager cg = cgroups.of(v.state());
        if (cg == null) {
            throw new EngineException(Kind.FAILED_PRECONDITION, "container " + id
                    + " has no cgroup to read statistics from (no cgroupPaths in its state.json)");
        }
        return cg;
    }
}
