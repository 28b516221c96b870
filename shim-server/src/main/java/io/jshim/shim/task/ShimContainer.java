package io.jshim.shim.task;

import io.jshim.proto.containerd.types.Mount;
import io.jshim.shim.io.TaskStdio;
import io.jshim.shim.log.TaskLog;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One task of the daemon: the container and its init process. Operations on it hold {@link #lock};
 * the exit path takes it too, which is what orders the TaskStart event before the TaskExit event of an
 * init that exits at once (shim-v2-protocol.md §3.4 "Ordering guarantee"). Nothing waits for an exit
 * while holding it, since the exit is delivered on the reaper thread through that lock.
 */
final class ShimContainer {

    /** What a Create asked for, echoed by State (containerd re-attaches IO from it after a restart). */
    record Request(String id, Path bundle, List<Mount> rootfs, String stdin, String stdout, String stderr,
            boolean terminal) {
    }

    record Exit(int status, Instant at) {
    }

    final ReentrantLock lock = new ReentrantLock();
    final Request request;
    final Path root;
    final TaskLog log;
    final CompletableFuture<Exit> exited = new CompletableFuture<>();

    // guarded by lock
    InitState state = new InitState.Created();
    int pid;
    TaskStdio stdio;
    List<Path> mounted = List.of();
    boolean created;
    /** Whether init shares the daemon's (the host's) pid namespace: its execs then outlive it. */
    boolean sharedPidNamespace;
    final java.util.Map<String, ExecProc> execs = new java.util.LinkedHashMap<>();
    /** Init's exit, held back until the exits of its running execs are published (§4.2). */
    Exit pendingInitExit;
    /** The Create's runtime options (execs take their stdio owner from them). */
    TaskOptions options = new TaskOptions(null, "");

    ShimContainer(Request request, Path root, TaskLog log) {
        this.request = request;
        this.root = root;
        this.log = log;
    }

    String id() {
        return request.id();
    }
}
