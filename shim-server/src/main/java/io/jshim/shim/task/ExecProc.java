package io.jshim.shim.task;

import io.jshim.shim.io.TaskStdio;
import java.util.concurrent.CompletableFuture;

/**
 * One exec'd process of a task (containerd pkg/process exec.go): added by Exec, started by Start with
 * its exec id, reaped like init. Its state reuses {@link InitState}'s objects (an exec cannot be paused
 * on its own: a paused task pauses it). Guarded by its task's lock.
 */
final class ExecProc {
    final String execId;
    final byte[] processJson;
    final String stdin;
    final String stdout;
    final String stderr;
    final boolean terminal;
    final CompletableFuture<ShimContainer.Exit> exited = new CompletableFuture<>();

    InitState state = new InitState.Created();
    int pid;
    TaskStdio stdio;

    ExecProc(String execId, byte[] processJson, String stdin, String stdout, String stderr, boolean terminal) {
        this.execId = execId;
        this.processJson = processJson;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.terminal = terminal;
    }
}
