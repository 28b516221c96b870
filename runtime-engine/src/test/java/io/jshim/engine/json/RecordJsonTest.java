package io.jshim.engine.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.engine.spec.LinuxResources;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.state.ContainerState;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordJsonTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void bindsRuncsDefaultSpecLikeJacksonDoes() throws Exception {
        byte[] json;
        try (InputStream in = getClass().getResourceAsStream("/io/jshim/engine/default-spec.json")) {
            json = in.readAllBytes();
        }
        Spec mine = RecordJson.read(json, Spec.class);
        Spec jackson = Json.MAPPER.readValue(json, Spec.class);
        assertEquals(jackson, mine);
        assertEquals(List.of("sh"), mine.process().args());
        assertEquals(1024L, mine.process().rlimits().get(0).hard());
    }

    @Test
    void ignoresUnknownFieldsAndKeepsNullsForAbsentOnes() throws Exception {
        Spec s = RecordJson.read(b("{\"ociVersion\":\"1.0.2\",\"future\":{\"x\":1},\"root\":{\"path\":\"r\"}}"),
                Spec.class);
        assertEquals("r", s.root().path());
        assertNull(s.process());
        assertNull(s.root().readonly());
    }

    @Test
    void typeMismatchNamesTheField() {
        var e = assertThrows(RecordJson.BindException.class,
                () -> RecordJson.read(b("{\"process\":{\"args\":\"sleep 10\"}}"), Spec.class));
        assertEquals("process.args: expected an array, got a string", e.getMessage());
        var e2 = assertThrows(RecordJson.BindException.class,
                () -> RecordJson.read(b("{\"process\":{\"user\":{\"uid\":\"root\"}}}"), Spec.class));
        assertEquals("process.user.uid: expected an integer, got a string", e2.getMessage());
        var e3 = assertThrows(RecordJson.BindException.class,
                () -> RecordJson.read(b("{\"mounts\":[{\"destination\":\"/x\",\"options\":[{}]}]}"), Spec.class));
        assertEquals("mounts[0].options[0]: expected a string, got an object", e3.getMessage());
    }

    @Test
    void unsignedComponentsWrapLikeGo() throws Exception {
        LinuxResources r = RecordJson.read(b("{\"memory\":{\"swappiness\":18446744073709551615}}"),
                LinuxResources.class);
        assertEquals(-1L, r.memory().swappiness());
        assertThrows(RecordJson.BindException.class,
                () -> RecordJson.read(b("{\"pids\":{\"limit\":18446744073709551615}}"), LinuxResources.class));
    }

    @Test
    void stateRoundTrips() throws Exception {
        ContainerState s = new ContainerState(1, "c1", "/b", "/b/rootfs", 42, 7L, "2026-11-28T17:05:12.1Z",
                Map.of("a", "b"), Map.of("memory", "/sys/fs/cgroup/memory/c1"), null, true);
        byte[] out = RecordJson.write(s);
        assertTrue(new String(out, StandardCharsets.UTF_8).startsWith("{\"version\":1,\"id\":\"c1\""));
        assertEquals(s, RecordJson.read(out, ContainerState.class));
    }

    @Test
    void malformedJsonIsAParseError() {
        assertThrows(java.io.IOException.class, () -> RecordJson.parse(b("{\"a\":")));
        assertThrows(java.io.IOException.class, () -> RecordJson.parse(b("{} {}")));
        assertThrows(java.io.IOException.class, () -> RecordJson.parse(b("")));
    }
}
