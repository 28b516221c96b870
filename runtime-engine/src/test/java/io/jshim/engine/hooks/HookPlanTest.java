package io.jshim.engine.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.plan.PlanRecord;
import io.jshim.engine.spec.Spec;
import java.util.List;
import org.junit.jupiter.api.Test;

class HookPlanTest {
    private static List<String> records(Spec.Hooks hooks) {
        InitPlan plan = new InitPlan();
        HookPlan.addTo(plan, hooks, new HookState("c1", "/b", null));
        return plan.records().stream().skip(1).map(PlanRecord::describe).toList(); // skip hello
    }

    @Test
    void noHooksNoRecords() {
        assertEquals(List.of(), records(null));
        assertEquals(List.of(), records(new Spec.Hooks(null, null, null, null,
                List.of(new Spec.Hook("/bin/true", null, null, null)), null)));
    }

    @Test
    void runtimeHooksMakeInitPauseAndContainerHooksTravelWithTheirState() {
        Spec.Hook pre = new Spec.Hook("/bin/true", null, null, null);
        Spec.Hook cc = new Spec.Hook("/bin/sh", List.of("sh", "-c", "x"), List.of("A=1"), 5);
        Spec.Hook sc = new Spec.Hook("/hook", null, null, null);
        assertEquals(List.of(
                "runtime-hooks",
                "hook-state 1 {\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":<pid>,"
                        + "\"bundle\":\"/b\"}",
                "hook 1 /bin/sh [sh, -c, x] env [A=1] timeout 5s",
                "hook-state 2 {\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"created\",\"pid\":<pid>,"
                        + "\"bundle\":\"/b\"}",
                "hook 2 /hook [/hook]"),
                records(new Spec.Hooks(List.of(pre), null, List.of(cc), List.of(sc), null, null)));
    }
}
