package io.jshim.engine.namespace;

import static io.jshim.engine.namespace.Specs.addNamespace;
import static io.jshim.engine.namespace.Specs.failure;
import static io.jshim.engine.namespace.Specs.linux;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class TimeNamespaceTest {

    @Test
    void offsetsOfANewTimeNamespace() throws Exception {
        TimeNamespace t = TimeNamespace.of(Specs.spec(n -> {
            addNamespace(n, "time", null);
            linux(n).with("timeOffsets").with("boottime").put("secs", 86400).put("nanosecs", 5);
            linux(n).with("timeOffsets").with("monotonic").put("secs", -10);
        }));
        assertEquals(new TimeNamespace(true, -10, 0, 86400, 5), t);
        assertEquals(new TimeNamespace(true, 0, 0, 0, 0), TimeNamespace.of(Specs.spec(n -> addNamespace(n, "time",
                null))));
        assertFalse(TimeNamespace.of(Specs.spec(n -> { })).create());
    }

    @Test
    void badOffsetsAreClearErrors() throws Exception {
        assertEquals("linux.timeOffsets: clock offsets without a time namespace (add {\"type\": \"time\"} to "
                + "linux.namespaces)", failure(n -> linux(n).with("timeOffsets").with("boottime").put("secs", 1)));
        assertEquals("linux.timeOffsets: unknown clock \"realtime\" (a time namespace offsets only \"monotonic\" "
                + "and \"boottime\")", failure(n -> {
                    addNamespace(n, "time", null);
                    linux(n).with("timeOffsets").with("realtime").put("secs", 1);
                }));
        assertEquals("linux.timeOffsets.monotonic.nanosecs: 1000000000 is not in 0..999999999", failure(n -> {
            addNamespace(n, "time", null);
            linux(n).with("timeOffsets").with("monotonic").put("nanosecs", 1_000_000_000L);
        }));
        assertEquals("linux.timeOffsets: the time namespace is joined by path (/proc/self/ns/time) and its offsets "
                + "are already fixed; leave linux.timeOffsets out", failure(n -> {
                    addNamespace(n, "time", "/proc/self/ns/time");
                    linux(n).with("timeOffsets").with("monotonic").put("secs", 1);
                }));
    }
}
