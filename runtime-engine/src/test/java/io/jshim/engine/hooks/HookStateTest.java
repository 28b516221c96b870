package io.jshim.engine.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HookStateTest {
    @Test
    void stateIsRuncsSpecsStateInOrderWithOmitempty() {
        HookState s = new HookState("c1", "/b", Map.of("z", "1", "a", "<&>"));
        assertEquals("{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/b\","
                + "\"annotations\":{\"a\":\"\\u003c\\u0026\\u003e\",\"z\":\"1\"}}", s.json("creating", 42));
    }

    @Test
    void stoppedHasNoPidAndNoAnnotationsWhenThereAreNone() {
        assertEquals("{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"stopped\",\"bundle\":\"/b\"}",
                new HookState("c1", "/b", null).json("stopped", 0));
    }

    @Test
    void templateSplitsWhereJshimInitWritesItsPid() {
        HookState s = new HookState("c1", "/b", Map.of("k", "v"));
        HookState.Template t = s.template("created");
        assertEquals(s.json("created", 1), t.beforePid() + "1" + t.afterPid());
        assertEquals(s.json("created", 31337), t.beforePid() + "31337" + t.afterPid());
    }
}
