package io.jshim.engine.cgroup;

import io.jshim.engine.spec.LinuxResources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

class LinuxResourcesTest {
    // A plain mapper: the record annotations alone must make unknown fields harmless.
    private static final ObjectMapper M = JsonMapper.builder().build();

    static final String FULL = """
            {
              "devices": [
                {"allow": false, "access": "rwm"},
                {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
                {"allow": true, "type": "c", "major": 136, "access": "rw"}
              ],
              "memory": {"limit": 536870912, "reservation": 268435456, "swap": 1073741824, "kernel": -1,
                         "kernelTCP": -1, "swappiness": 0, "disableOOMKiller": true, "useHierarchy": true,
                         "checkBeforeUpdate": true},
              "cpu": {"shares": 1024, "quota": 50000, "burst": 10000, "period": 100000, "realtimeRuntime": 950000,
                      "realtimePeriod": 1000000, "cpus": "0-1", "mems": "0", "idle": 0},
              "pids": {"limit": 32768},
              "blockIO": {"weight": 500, "leafWeight": 300,
                          "weightDevice": [{"major": 8, "minor": 0, "weight": 600, "leafWeight": 200}],
                          "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
                          "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 2097152}],
                          "throttleReadIOPSDevice": [{"major": 8, "minor": 0, "rate": 100}],
                          "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 200}]},
              "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}],
              "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}]},
              "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}},
              "unified": {"memory.high": "1073741824", "io.weight": "default 50"},
              "someFutureField": {"x": 1}
            }
            """;

    @Test
    void readsEveryFieldByItsSpecName() throws Exception {
        LinuxResources r = M.readValue(FULL, LinuxResources.class);
        assertEquals(3, r.devices().size());
        assertFalse(r.devices().get(0).allows());
        assertNull(r.devices().get(0).type());
        assertEquals(136L, r.devices().get(2).major());
        assertNull(r.devices().get(2).minor());
        assertEquals(536870912L, r.memory().limit());
        assertEquals(-1L, r.memory().kernelTCP());
        assertEquals(0L, r.memory().swappiness());
        assertTrue(r.memory().disableOOMKiller());
        assertTrue(r.memory().checkBeforeUpdate());
        assertEquals(10000L, r.cpu().burst());
        assertEquals(950000L, r.cpu().realtimeRuntime());
        assertEquals("0-1", r.cpu().cpus());
        assertEquals(0L, r.cpu().idle());
        assertEquals(32768L, r.pids().limit());
        assertEquals(300, r.blockIO().leafWeight());
        assertEquals(200, r.blockIO().weightDevice().get(0).leafWeight());
        assertEquals(100L, r.blockIO().throttleReadIOPSDevice().get(0).rate());
        assertEquals(200L, r.blockIO().throttleWriteIOPSDevice().get(0).rate());
        assertEquals("2MB", r.hugepageLimits().get(0).pageSize());
        assertEquals(1048577L, r.network().classID());
        assertEquals(500L, r.network().priorities().get(0).priority());
        assertEquals(10000L, r.rdma().get("mlx5_1").hcaObjects());
        assertEquals("default 50", r.unified().get("io.weight"));
    }

    @Test
    void writesBackTheSameFieldsAndOmitsAbsentOnes() throws Exception {
        LinuxResources r = M.readValue(FULL, LinuxResources.class);
        JsonNode expected = M.readTree(FULL);
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected).remove("someFutureField");
        JsonNode actual = M.readTree(M.writeValueAsString(r)); // same number node types as expected
        assertEquals(expected, actual);

        String small = M.writeValueAsString(new LinuxResources(null, new LinuxResources.Memory(1024L, null, null,
                null, null, null, null, null, null), null, null, null, null, null, null, null));
        assertEquals("{\"memory\":{\"limit\":1024}}", small);
    }

    @Test
    void unsignedValuesAboveLongMaxWrapLikeGo() throws Exception {
        LinuxResources r = M.readValue("{\"memory\":{\"swappiness\":18446744073709551615},"
                + "\"cpu\":{\"shares\":18446744073709551615}}", LinuxResources.class);
        assertEquals(-1L, r.memory().swappiness());
        assertEquals(-1L, r.cpu().shares());
    }

    @Test
    void emptyObjectHasAllNulls() throws Exception {
        LinuxResources r = M.readValue("{}", LinuxResources.class);
        assertNull(r.memory());
        assertNull(r.devices());
        assertNull(r.unified());
        assertEquals("{}", M.writeValueAsString(r));
    }
}
