package io.jshim.engine.hooks;

import io.jshim.engine.spec.Spec;
import java.util.function.Consumer;

/**
 * The hook steps of a container's lifecycle (runtime.md "Lifecycle"), for the
 * engine's lifecycle classes and, later, the shim: what runs at each step, with
 * which state, and what a failure means. One per engine; warnings (a failing
 * poststop hook) go to the sink set with {@link #warnTo}.
 */
public final class ContainerHooks {
    private final HookRunner runner;
    private volatile Consumer<String> warnings = m -> {
    };

    public ContainerHooks() {
        this(new HookRunner());
    }

    public ContainerHooks(HookRunner runner) {
        this.runner = runner;
    }

    /** Where warnings go (jrunc: its log, at level=warning). */
    public void warnTo(Consumer<String> sink) {
        this.warnings = sink;
    }

    /** Whether jshim-init must pause after the mounts for {@link #createRuntime}. */
    public static boolean hasRuntimeHooks(Spec.Hooks hooks) {
        return !HookPhase.PRESTART.of(hooks).isEmpty() || !HookPhase.CREATE_RUNTIME.of(hooks).isEmpty();
    }

    /**
     * During create, once the namespaces and mounts exist, before pivot_root: prestart
     * (deprecated, but still run, as runc does) then createRuntime hooks, with status
     * "creating" and the host pid of the container's init. A failure fails create.
     */
    public void createRuntime(Spec.Hooks hooks, HookState state, int initPid) throws HookException {
        String json = state.json("creating", initPid);
        runner.run(HookPhase.PRESTART, HookPhase.PRESTART.of(hooks), json);
        runner.run(HookPhase.CREATE_RUNTIME, HookPhase.CREATE_RUNTIME.of(hooks), json);
    }

    /**
     * After start, once the user program runs (execve succeeded), status "running".
     * runtime-spec 1.3 (runtime.md lifecycle step 9): "If any poststart hook fails,
     * the runtime MUST generate an error, stop the container, and continue the
     * lifecycle at step 12"; the caller stops the container.
     */
    public void poststart(Spec.Hooks hooks, HookState state, int initPid) throws HookException {
        runner.run(HookPhase.POSTSTART, HookPhase.POSTSTART.of(hooks), state.json("running", initPid));
    }

    /**
     * At delete, after the container is destroyed, status "stopped" and no pid: a
     * failing hook is a warning and the remaining hooks still run (runtime.md step 13).
     */
    public void poststop(Spec.Hooks hooks, HookState state) {
        runner.runWarnOnly(HookPhase.POSTSTOP, HookPhase.POSTSTOP.of(hooks), state.json("stopped", 0),
                m -> warnings.accept("poststop hook failed: " + m));
    }
}
