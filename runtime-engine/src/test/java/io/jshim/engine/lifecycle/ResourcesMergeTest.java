package io.jshim.engine.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jshim.engine.json.RecordJson;
import io.jshim.engine.spec.LinuxResources;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourcesMergeTest {
    private static LinuxResources r(String json) throws Exception {
        return RecordJson.read(json.getBytes(StandardCharsets.UTF_8), LinuxResources.class);
    }

    @Test
    void nonZeroFieldsReplaceAndZeroesLeaveAlone() throws Exception {
        LinuxResources current = r("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],"
                + "\"memory\":{\"limit\":104857600,\"swap\":209715200,\"swappiness\":10},"
                + "\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"cpus\":\"0-1\"},"
                + "\"pids\":{\"limit\":100},\"blockIO\":{\"weight\":500,\"leafWeight\":300},"
                + "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}]}");
        LinuxResources update = r("{\"memory\":{\"limit\":268435456,\"reservation\":0,\"swap\":0,\"swappiness\":90},"
                + "\"cpu\":{\"quota\":20000,\"period\":0,\"shares\":0,\"cpus\":\"\"},\"pids\":{\"limit\":0},"
                + "\"blockIO\":{\"weight\":0},\"hugepageLimits\":[]}");
        LinuxResources m = ResourcesMerge.merge(current, update);
        assertEquals(268435456L, m.memory().limit());
        assertEquals(209715200L, m.memory().swap(), "zero swap leaves it");
        assertEquals(10L, m.memory().swappiness(), "runc's update does not change swappiness");
        assertEquals(20000L, m.cpu().quota());
        assertEquals(100000L, m.cpu().period(), "a quota alone keeps the old period (runc)");
        assertEquals(1024L, m.cpu().shares());
        assertEquals("0-1", m.cpu().cpus());
        assertEquals(100L, m.pids().limit());
        assertEquals(500, m.blockIO().weight());
        assertEquals(300, m.blockIO().leafWeight());
        assertEquals(1, m.hugepageLimits().size(), "not an updatable field");
        assertEquals(1, m.devices().size());
        assertNull(ResourcesMerge.withoutDevices(m).devices(), "update never rewrites device rules (SkipDevices)");
    }

    @Test
    void fromNothingAndUnified() throws Exception {
        LinuxResources m = ResourcesMerge.merge(null, r("{\"pids\":{\"limit\":-1},\"blockIO\":{\"weight\":10},"
                + "\"unified\":{\"memory.high\":\"1000000\"}}"));
        assertEquals(-1L, m.pids().limit());
        assertEquals(10, m.blockIO().weight());
        assertEquals(Map.of("memory.high", "1000000"), m.unified());
        assertNull(m.memory());
        LinuxResources kept = ResourcesMerge.merge(m, r("{\"cpu\":{\"mems\":\"0\"}}"));
        assertEquals(Map.of("memory.high", "1000000"), kept.unified(), "no unified in the update keeps the old map");
        assertEquals("0", kept.cpu().mems());
    }
}
