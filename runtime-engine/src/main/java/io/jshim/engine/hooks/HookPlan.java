package io.jshim.engine.hooks;

import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.spec.Spec;
import java.util.List;

/**
 * The hook records of an init plan (sync_protocol.h PLAN_HOOK, PLAN_HOOK_STATE,
 * PLAN_RUNTIME_HOOKS): jshim-init runs createContainer hooks after the mounts and
 * before pivot_root, and startContainer hooks once {@code start} has opened the
 * exec FIFO, before the user program; it stops after the mounts for the engine to
 * run prestart and createRuntime hooks (MSG_HOOKS) when there are any.
 */
public final class HookPlan {
    private HookPlan() {
    }

    public static void addTo(InitPlan plan, Spec.Hooks hooks, HookState state) {
        if (ContainerHooks.hasRuntimeHooks(hooks)) {
            plan.runtimeHooks();
        }
        inContainer(plan, HookPhase.CREATE_CONTAINER, hooks, state.template("creating"));
        inContainer(plan, HookPhase.START_CONTAINER, hooks, state.template("created"));
    }

    private static void inContainer(InitPlan plan, HookPhase phase, Spec.Hooks hooks, HookState.Template t) {
        List<Spec.Hook> list = phase.of(hooks);
        if (list.isEmpty()) {
            return;
        }
        plan.hookState(phase.wireCode(), t.beforePid(), t.afterPid());
        for (Spec.Hook h : list) {
            List<String> argv = h.args() == null || h.args().isEmpty() ? List.of(h.path()) : h.args();
            plan.hook(phase.wireCode(), h.timeout() == null ? 0 : h.timeout(), h.path(), argv, h.env());
        }
    }
}
