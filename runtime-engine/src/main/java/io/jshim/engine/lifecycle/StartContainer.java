package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.hooks.ContainerHooks;
import io.jshim.engine.hooks.HookException;
import io.jshim.engine.hooks.HookState;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.state.ContainerState;
import io.jshim.engine.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code start}: opens the exec FIFO for reading, which releases the container's
 * init blocked opening it for writing; init runs the startContainer hooks, writes
 * one byte and execs the user process (runc's exec.fifo handshake, see
 * {@link ExecFifo}); then the poststart hooks run.
 */
public final class StartContainer {
    private final StateStore store;
    private final QueryContainer query;
    private final ContainerHooks hooks;

    public StartContainer(StateStore store, QueryContainer query) {
        this(store, query, new ContainerHooks());
    }

    public StartContainer(StateStore store, QueryContainer query, ContainerHooks hooks) {
        this.store = store;
        this.query = query;
        this.hooks = hooks;
    }

    public void start(String id) throws EngineException {
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerView v = query.view(id);
            switch (v.status()) {
                case CREATED -> {
                }
                case RUNNING -> throw new EngineException(Kind.FAILED_PRECONDITION,
                        "cannot start an already running container");
                case PAUSED -> throw new EngineException(Kind.FAILED_PRECONDITION,
                        "cannot start a container in the paused state");
                default -> throw new EngineException(Kind.FAILED_PRECONDITION,
                        "cannot start a container that has stopped");
            }
            releaseFifo(v);
            poststart(v);
            io.jshim.engine.Trace.mark("started");
        }
    }

    private void releaseFifo(ContainerView v) throws EngineException {
        Path fifo = store.fifo(v.state().id());
        try {
            ExecFifo.release(fifo, v.state()); // startContainer hooks run in there, and the program starts
        } finally {
            try {
                Files.deleteIfExists(fifo);
            } catch (java.io.IOException e) {
                // a stale FIFO would read as "created"; the init has gone on either way
            }
        }
    }

    /**
     * poststart hooks, now that the user program runs. runtime-spec 1.3 (runtime.md
     * step 9): a failure is an error and the container is stopped (SIGKILL to init;
     * with a pid namespace that takes every process in it), and left for delete.
     */
    private void poststart(ContainerView v) throws EngineException {
        var hooks = SavedConfig.lifecycleHooks(store, v.state().id());
        if (hooks.isEmpty()) {
            return;
        }
        ContainerState s = v.state();
        try {
            this.hooks.poststart(hooks.get(), new HookState(s.id(), s.bundle(), s.annotations()), s.pid());
        } catch (HookException e) {
            try {
                Syscalls.kill(s.pid(), KillContainer.SIGKILL);
            } catch (LinuxException k) {
                // it is gone already
            }
            throw new EngineException(Kind.INTERNAL, e.getMessage() + " (the container was stopped)", e);
        }
    }
}
