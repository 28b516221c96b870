package io.jshim.engine.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.json.Json;
import io.jshim.engine.json.RecordJson;
import io.jshim.engine.spec.LinuxResources;
import io.jshim.engine.spec.LinuxResources.DeviceCgroup;
import io.jshim.engine.spec.Spec;
import org.junit.jupiter.api.Test;

/** runc's AllowedDevices follow the spec's own rules; a spec device replaces the default of its path. */
class DefaultDeviceRulesTest {

    private static Spec spec(String json) throws Exception {
        return RecordJson.bind((ObjectNode) Json.MAPPER.readTree(json), Spec.class);
    }

    @Test
    void defaultsFollowTheSpecsRulesAndKeepOtherResources() throws Exception {
        Spec s = spec("{\"linux\": {\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}],"
                + " \"pids\": {\"limit\": 7}}}}");
        LinuxResources r = DefaultDeviceRules.resources(s);
        assertEquals(new DeviceCgroup(false, null, null, null, "rwm"), r.devices().getFirst());
        assertEquals(12, r.devices().size());
        assertEquals(new DeviceCgroup(true, "c", null, null, "m"), r.devices().get(1));
        assertEquals(new DeviceCgroup(true, "c", 10L, 200L, "rwm"), r.devices().getLast());
        assertEquals(7L, r.pids().limit());
    }

    @Test
    void noResourcesStillGetTheDefaults() throws Exception {
        LinuxResources r = DefaultDeviceRules.resources(spec("{}"));
        assertEquals(11, r.devices().size());
        assertNull(r.memory());
    }

    @Test
    void aSpecDeviceReplacesTheDefaultRuleOfItsPath() throws Exception {
        Spec s = spec("{\"linux\": {\"devices\": [{\"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1,"
                + " \"minor\": 3}]}}");
        assertEquals(10, DefaultDeviceRules.forSpec(s).size());
        assertEquals(0, DefaultDeviceRules.forSpec(s).stream().filter(d -> Long.valueOf(3).equals(d.minor())
                && Long.valueOf(1).equals(d.major())).count());
    }
}
