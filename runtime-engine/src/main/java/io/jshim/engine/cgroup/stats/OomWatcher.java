package io.jshim.engine.cgroup.stats;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupFs;
import io.jshim.engine.cgroup.CgroupLayout;
import io.jshim.engine.cgroup.CgroupManager;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Tells when the kernel's OOM killer acts in a container's cgroup: v1 through an eventfd
 * registered for memory.oom_control ({@link V1OomWatcher}), v2 by watching the oom_kill
 * counter of memory.events ({@link V2OomWatcher}). Without a memory controller there is
 * nothing to watch and {@link #await} only waits.
 */
public interface OomWatcher extends AutoCloseable {

    /** A watcher for {@code cg}; one that never reports when the cgroup has no memory controller. */
    static OomWatcher open(CgroupFs fs, CgroupManager cg) throws CgroupException {
        if (cg.mode() == CgroupLayout.Mode.V2) {
            Optional<Path> dir = cg.dir("");
            if (dir.isPresent() && fs.exists(dir.get().resolve(V2OomWatcher.EVENTS))) {
                return V2OomWatcher.open(fs, dir.get());
            }
            return NONE;
        }
        Optional<Path> mem = cg.dir("memory");
        if (mem.isPresent() && fs.exists(mem.get().resolve(V1OomWatcher.OOM_CONTROL))) {
            return V1OomWatcher.open(fs, mem.get());
        }
        return NONE;
    }

    /**
     * Waits up to {@code timeoutMillis} for an OOM; returns how many OOM notifications
     * arrived (0 on time-out, or when the wake-up was the cgroup going away).
     */
    int await(long timeoutMillis) throws CgroupException, InterruptedException;

    /**
     * The descriptor that turns readable when {@link #await} has something to look at, for callers that
     * poll many watchers on one thread (then call {@code await(0)}); -1 when there is nothing to watch.
     */
    default int fd() {
        return -1;
    }

    /** Releases the descriptors; the kernel drops the registration with them. */
    @Override
    void close();

    /** For a cgroup without a memory controller: nothing can be observed, so just wait. */
    OomWatcher NONE = new OomWatcher() {
        @Override
        public int await(long timeoutMillis) throws InterruptedException {
            if (timeoutMillis > 0) {
                Thread.sleep(timeoutMillis);
            }
            return 0;
        }

        @Override
        public void close() {
        }
    };
}
