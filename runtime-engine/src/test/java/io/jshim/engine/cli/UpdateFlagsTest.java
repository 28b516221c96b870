package io.jshim.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.engine.spec.LinuxResources;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpdateFlagsTest {
    private final List<String> warnings = new ArrayList<>();

    private LinuxResources flags(String... args) throws Exception {
        return UpdateFlags.fromFlags(ParsedArgs.parse(List.of(args), UpdateFlags.FLAGS, false), warnings::add);
    }

    private LinuxResources json(String text) throws Exception {
        return UpdateFlags.fromJson(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "stdin",
                warnings::add);
    }

    @Test
    void flagsBecomeResourcesWithZeroForUnset() throws Exception {
        LinuxResources r = flags("--memory", "256m", "--memory-swap", "-1", "--pids-limit", "50", "--cpu-quota",
                "-1", "--cpu-period", "100000", "--cpu-share", "512", "--cpuset-cpus", "0", "--blkio-weight", "300",
                "c1");
        assertEquals(256L << 20, r.memory().limit());
        assertEquals(-1L, r.memory().swap());
        assertEquals(0L, r.memory().reservation());
        assertEquals(50L, r.pids().limit());
        assertEquals(-1L, r.cpu().quota());
        assertEquals(100000L, r.cpu().period());
        assertEquals(512L, r.cpu().shares());
        assertEquals(0L, r.cpu().realtimeRuntime());
        assertEquals("0", r.cpu().cpus());
        assertEquals("", r.cpu().mems());
        assertEquals(300, r.blockIO().weight());
        assertTrue(warnings.isEmpty());
    }

    @Test
    void kernelMemoryIsAcceptedWithAWarning() throws Exception {
        flags("--kernel-memory", "10m", "c1");
        assertEquals(List.of(UpdateFlags.KERNEL_MEMORY_WARNING), warnings);
    }

    @Test
    void badValuesNameTheFlag() {
        CommandFailed e = assertThrows(CommandFailed.class, () -> flags("--memory", "lots", "c1"));
        assertEquals("invalid value for memory: invalid size: 'lots'", e.getMessage());
        e = assertThrows(CommandFailed.class, () -> flags("--cpu-period", "-5", "c1"));
        assertTrue(e.getMessage().startsWith("invalid value for cpu-period: strconv.ParseUint: parsing \"-5\""),
                e.getMessage());
        e = assertThrows(CommandFailed.class, () -> flags("--cpu-quota", "1.5", "c1"));
        assertTrue(e.getMessage().startsWith("invalid value for cpu-quota: strconv.ParseInt"), e.getMessage());
        UsageException u = assertThrows(UsageException.class, () -> flags("--pids-limit", "many", "c1"));
        assertEquals("invalid value \"many\" for flag -pids-limit: parse error", u.getMessage());
    }

    @Test
    void jsonAsContainerdSendsIt() throws Exception {
        LinuxResources r = json("{\"pids\":{\"limit\":50},\"memory\":{\"limit\":104857600}}");
        assertEquals(50L, r.pids().limit());
        assertEquals(104857600L, r.memory().limit());
        assertNull(r.cpu());
    }

    @Test
    void badJsonIsOneClearLine() {
        CommandFailed e = assertThrows(CommandFailed.class, () -> json("{\"memory\":{\"limit\":\"big\"}}"));
        assertEquals("read resources from stdin: memory.limit: expected an integer, got a string", e.getMessage());
        e = assertThrows(CommandFailed.class, () -> json("{\"memory\":"));
        assertTrue(e.getMessage().startsWith("read resources from stdin: invalid JSON: "), e.getMessage());
        e = assertThrows(CommandFailed.class, () -> json(""));
        assertEquals("read resources from stdin: no JSON object (empty input)", e.getMessage());
        e = assertThrows(CommandFailed.class, () -> json("null"));
        assertEquals("read resources from stdin: expected a JSON object, got null", e.getMessage());
    }

    @Test
    void intelRdtIsRefused() throws Exception {
        CommandFailed e = assertThrows(CommandFailed.class, () -> UpdateFlags.checkIntelRdt(
                ParsedArgs.parse(List.of("--l3-cache-schema", "L3:0=f", "c1"), UpdateFlags.FLAGS, false)));
        assertTrue(e.getMessage().startsWith("Intel RDT/CAT: l3 cache schema is not enabled"), e.getMessage());
    }
}
