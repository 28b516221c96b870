package io.jshim.shim.task;

import io.jshim.engine.EngineException;
import java.nio.file.Path;
import java.util.List;

/**
 * What the Task service needs from the container engine: the seam between {@link TaskCore} and
 * {@link io.jshim.engine.Engine} ({@link EngineRuntime}), so that the state machine is unit-tested with
 * a fake (design.md §7.1). Every call names the engine state root the task lives under.
 */
public interface ContainerRuntime {

    /**
     * @param stdio   the container's fds 0, 1 and 2 (the caller keeps ownership)
     * @param pidFile where to write init's pid, or null
     * @param consoleFd the socket the pty master goes to when the process has a terminal, else -1
     * @param noPivot   runc's NoPivotRoot option (MS_MOVE + chroot instead of pivot_root)
     * @param noNewKeyring runc's NoNewKeyring option (no new session keyring for the container)
     */
    record CreateSpec(String id, Path bundle, Path root, int[] stdio, Path pidFile, int consoleFd, boolean noPivot,
            boolean noNewKeyring) {
        public CreateSpec(String id, Path bundle, Path root, int[] stdio, Path pidFile, int consoleFd) {
            this(id, bundle, root, stdio, pidFile, consoleFd, false, false);
        }

        public CreateSpec(String id, Path bundle, Path root, int[] stdio, Path pidFile) {
            this(id, bundle, root, stdio, pidFile, -1);
        }

        /** The same spec with runc's NoPivotRoot and NoNewKeyring options. */
        public CreateSpec withRuncOptions(boolean pivot, boolean keyring) {
            return new CreateSpec(id, bundle, root, stdio, pidFile, consoleFd, pivot, keyring);
        }
    }

    /** Creates the container with its init waiting to be started; returns init's host pid. */
    int create(CreateSpec spec) throws EngineException;

    void start(Path root, String id) throws EngineException;

    void kill(Path root, String id, int signal, boolean all) throws EngineException;

    /** Removes a stopped (or, with force, any) container: processes left, cgroups, state. */
    void delete(Path root, String id, boolean force) throws EngineException;

    /** Host pids of every process of the container. */
    List<Integer> pids(Path root, String id) throws EngineException;

    /**
     * Starts a process in the running container ({@code exec}): {@code processJson} is the runtime-spec
     * Process as containerd sends it (the task's own process is the template for missing fields), with
     * its fds 0, 1 and 2 from {@code stdio}. Returns its host pid; it is our child (we are the subreaper).
     */
    int exec(Path root, String id, byte[] processJson, int[] stdio) throws EngineException;

    /**
     * As {@link #exec(Path, String, byte[], int[])}, for a process that may have a terminal: its pty
     * master goes to {@code consoleFd} (or the terminal is refused when it is -1).
     */
    default int exec(Path root, String id, byte[] processJson, int[] stdio, int consoleFd) throws EngineException {
        return exec(root, id, processJson, stdio);
    }

    /** Freezes the container's cgroup. */
    void pause(Path root, String id) throws EngineException;

    /** Thaws it. */
    void resume(Path root, String id) throws EngineException;

    /** The container's cgroup statistics as containerd's Metrics (an Any of the v1 or v2 type). */
    com.google.protobuf.Any stats(Path root, String id) throws EngineException;

    /** A watcher of OOM kills in the running container's cgroup; the caller closes it. */
    default io.jshim.engine.cgroup.stats.OomWatcher oomWatcher(Path root, String id) throws EngineException {
        return io.jshim.engine.cgroup.stats.OomWatcher.NONE;
    }

    /** Merges an OCI {@code LinuxResources} (JSON, as containerd sends it) into the container's limits. */
    void update(Path root, String id, byte[] resourcesJson) throws EngineException;
}
