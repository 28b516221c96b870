package io.jshim.engine.devices;

import static io.jshim.engine.devices.DeviceFilterProgramTest.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.engine.spec.LinuxResources.DeviceCgroup;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The v1 devices semantics the v2 filter reproduces (runc's emulator tests, in spirit). */
class DeviceRuleSetTest {

    @Test
    void rulesMergeAndCancelAsOnV1() throws Exception {
        DeviceRuleSet s = DeviceRuleSet.of(List.of(
                rule('a', -1, -1, "rwm", false),
                rule('c', 1, 3, "r", true),
                rule('c', 1, 3, "w", true), // merges into rw
                rule('c', 10, 200, "rwm", true),
                rule('c', 10, 200, "rwm", false), // cancels
                rule('b', -1, -1, "m", true)));
        assertFalse(s.defaultAllow());
        assertEquals(List.of(rule('b', -1, -1, "m", true), rule('c', 1, 3, "rw", true)), s.rules());
    }

    @Test
    void anARuleResetsWhateverCameBefore() throws Exception {
        DeviceRuleSet s = DeviceRuleSet.of(List.of(rule('c', 1, 3, "r", true), rule('a', -1, -1, "r", true),
                rule('c', 4, 1, "w", false)));
        assertTrue(s.defaultAllow());
        assertEquals(List.of(rule('a', -1, -1, "rwm", true), rule('c', 4, 1, "w", false)), s.rules());
    }

    @Test
    void specRulesAreParsedWithRuncsMessages() throws Exception {
        assertEquals(rule('c', 1, 3, "rwm", true), DeviceRule.of(new DeviceCgroup(true, "c", 1L, 3L, "mwr"), 0));
        assertEquals(rule('a', -1, -1, "r", false), DeviceRule.of(new DeviceCgroup(null, null, null, null, "r"), 0));
        assertEquals("invalid cgroup device type \"x\" at linux.resources.devices[2]", assertThrows(
                DeviceRuleException.class, () -> DeviceRule.of(new DeviceCgroup(true, "x", 1L, 3L, "r"), 2))
                .getMessage());
        assertEquals("device access at 1 field cannot be empty", assertThrows(DeviceRuleException.class,
                () -> DeviceRule.of(new DeviceCgroup(true, "c", 1L, 3L, ""), 1)).getMessage());
        assertEquals("invalid device access \"rx\" at linux.resources.devices[0]", assertThrows(
                DeviceRuleException.class, () -> DeviceRule.of(new DeviceCgroup(true, "c", 1L, 3L, "rx"), 0))
                .getMessage());
    }
}
