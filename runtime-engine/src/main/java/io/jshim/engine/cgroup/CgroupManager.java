package io.jshim.engine.cgroup;

import io.jshim.engine.spec.LinuxResources;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container's cgroup: one directory per v1 hierarchy, or one cgroup2 directory. The
 * usual order is {@link #create()}, {@link #apply}, {@link #addProcess}; later
 * {@link #apply} again for updates, {@link #freeze()}/{@link #thaw()}, and finally
 * {@link #destroy()}. {@link #paths()} is what to persist; {@link #load} rebuilds from it.
 *
 * <p>Implementations are not thread-safe; the engine holds the container lock.
 */
public interface CgroupManager {

    /**
     * The manager for container {@code containerId} with spec {@code linux.cgroupsPath}
     * (nullable), placed per {@link CgroupPaths}: absent → own cgroup + "/" + id; relative
     * → own cgroup + "/" + path (v2: the own cgroup's parent, as runc); absolute → the
     * hierarchy root + path. Nothing is created yet.
     */
    static CgroupManager create(CgroupLayout layout, String cgroupsPath, String containerId)
            throws CgroupException {
        return create(layout, cgroupsPath, containerId, Killer.DEFAULT);
    }

    static CgroupManager create(CgroupLayout layout, String cgroupsPath, String containerId, Killer killer)
            throws CgroupException {
        if (layout.mode() == CgroupLayout.Mode.V2) {
            Path mount = layout.unifiedMount().orElseThrow().mountPoint();
            return new V2Manager(layout.fs(), mount, CgroupPaths.v2(layout, cgroupsPath, containerId), killer);
        }
        return new V1Manager(layout, CgroupPaths.v1(layout, cgroupsPath, containerId), killer);
    }

    /**
     * Rebuilds a manager from {@link #paths()} as persisted in state.json: a map with the
     * single key "" is a v2 cgroup, anything else v1 controllers.
     */
    static CgroupManager load(CgroupLayout layout, Map<String, String> paths) {
        return load(layout, paths, Killer.DEFAULT);
    }

    static CgroupManager load(CgroupLayout layout, Map<String, String> paths, Killer killer) {
        if (paths == null || paths.isEmpty()) {
            throw new IllegalArgumentException("no cgroup paths to load");
        }
        if (paths.size() == 1 && paths.containsKey("")) {
            Path dir = Path.of(paths.get(""));
            Path mount = layout.unifiedMount().map(CgroupLayout.Mount::mountPoint).orElse(dir.getRoot());
            return new V2Manager(layout.fs(), mount, dir, killer);
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        paths.forEach((k, v) -> {
            if (k.isEmpty()) {
                throw new IllegalArgumentException("cgroup paths mix v1 controllers and a v2 directory: " + paths);
            }
            dirs.put(k, Path.of(v));
        });
        return new V1Manager(layout, dirs, killer);
    }

    /** V1 or V2. */
    CgroupLayout.Mode mode();

    /** Makes the directories (v1: every hierarchy; v2: every missing level, enabling controllers on the way). */
    void create() throws CgroupException;

    /**
     * Writes the limits {@code r} asks for (null: nothing). A limit on a controller the host
     * lacks fails before anything is written, naming the controller; controllers nothing
     * asks for are left alone. Usable again for updates.
     */
    void apply(LinuxResources r) throws CgroupException;

    /** Moves {@code pid} (all its threads) into the cgroup: cgroup.procs of every directory. */
    void addProcess(int pid) throws CgroupException;

    /** The processes directly in the container's cgroup; empty if it does not exist. */
    List<Integer> pids() throws CgroupException;

    /** {@link #pids()} plus those in child cgroups (a nested runtime's), as runc's GetAllPids. */
    List<Integer> allPids() throws CgroupException;

    /** Freezes every task and waits until the kernel reports the cgroup frozen. */
    void freeze() throws CgroupException;

    void thaw() throws CgroupException;

    /** Whether the cgroup is frozen (false if the host cannot freeze it). */
    boolean isFrozen() throws CgroupException;

    /**
     * SIGKILLs whatever still runs in the cgroup (and its children), waits for it to leave,
     * then removes the directories, retrying while the kernel reports them busy.
     * Idempotent: directories already gone are fine.
     */
    void destroy() throws CgroupException;

    /** Whether the container's cgroup directory (v1: any of them) exists. */
    boolean exists();

    /** Controller name (v1; "name=systemd" for the named hierarchy) or "" (v2) to its absolute directory. */
    Map<String, String> paths();

    /** The directory holding {@code controller}'s files (v2: the one directory whatever is asked). */
    Optional<Path> dir(String controller);

    /** Sends SIGKILL to a process; the engine supplies one built on kill(2). */
    @FunctionalInterface
    interface Killer {
        /** Uses {@link ProcessHandle#destroyForcibly()}, which sends SIGKILL. */
        Killer DEFAULT = pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);

        /** Kills {@code pid}; a process that is already gone is not an error. */
        void kill(int pid) throws IOException;
    }
}
