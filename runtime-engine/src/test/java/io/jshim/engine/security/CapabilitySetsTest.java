package io.jshim.engine.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.engine.spec.SpecException;
import io.jshim.engine.spec.SpecProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CapabilitySetsTest {
    private static final List<String> RUNC_DEFAULT = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    @Test
    void namesAndNumbersAreThoseOfTheKernelHeader() throws Exception {
        Path header = Path.of("/usr/include/linux/capability.h");
        if (!Files.exists(header)) {
            return; // linux-libc-dev not installed: the table stands alone
        }
        Matcher m = Pattern.compile("(?m)^#define (CAP_[A-Z_]+)\\s+(\\d+)\\s*$").matcher(Files.readString(header));
        int seen = 0;
        while (m.find()) {
            if (m.group(1).equals("CAP_LAST_CAP")) {
                continue;
            }
            int n = Integer.parseInt(m.group(2));
            if (n <= CapabilityNames.last()) {
                assertEquals(m.group(1), CapabilityNames.name(n));
                seen++;
            }
        }
        assertEquals(CapabilityNames.last() + 1, seen);
        assertEquals(40, CapabilityNames.number("CAP_CHECKPOINT_RESTORE").getAsInt());
        assertEquals(0, CapabilityNames.number("CAP_CHOWN").getAsInt());
    }

    @Test
    void runcsDefaultSetsBecomeMasks() throws Exception {
        CapabilitySets c = CapabilitySets.fromSpec(
                new SpecProcess.Capabilities(RUNC_DEFAULT, RUNC_DEFAULT, null, RUNC_DEFAULT, RUNC_DEFAULT),
                "process.capabilities", 40);
        long want = (1L << 29) | (1L << 5) | (1L << 10);
        assertEquals(new CapabilitySets(want, want, want, 0, want), c);
        assertEquals(0x20000420L, want); // CapBnd of a runc container
    }

    @Test
    void absentCapabilitiesAreTheEmptySetAsInRunc() throws Exception {
        assertEquals(CapabilitySets.EMPTY, CapabilitySets.fromSpec(null, "process.capabilities", 40));
    }

    @Test
    void anUnknownNameIsAnErrorNamingTheSetAndTheName() {
        SpecException e = assertThrows(SpecException.class, () -> CapabilitySets.fromSpec(
                new SpecProcess.Capabilities(List.of("CAP_KILL", "CAP_BOGUS"), null, null, null, null),
                "process.capabilities", 40));
        assertEquals("process.capabilities.bounding: unknown capability \"CAP_BOGUS\"", e.getMessage());
        e = assertThrows(SpecException.class, () -> CapabilitySets.fromSpec(
                new SpecProcess.Capabilities(null, null, null, null, List.of("net_admin")),
                "process.capabilities", 40));
        assertEquals("process.capabilities.ambient: unknown capability \"net_admin\" (did you mean \"CAP_NET_ADMIN\"?)",
                e.getMessage());
        e = assertThrows(SpecException.class, () -> CapabilitySets.fromSpec(
                new SpecProcess.Capabilities(null, Arrays.asList("CAP_KILL", null), null, null, null),
                "process.capabilities", 40));
        assertEquals("process.capabilities.effective[1]: null is not a capability name", e.getMessage());
    }

    @Test
    void capabilitiesTheKernelLacksAreSkippedAsRuncDoes() throws Exception {
        // a 5.4 kernel stops at CAP_AUDIT_READ (37)
        long m = CapabilitySets.mask("f", List.of("CAP_KILL", "CAP_BPF", "CAP_PERFMON", "CAP_CHECKPOINT_RESTORE"), 37);
        assertEquals(1L << 5, m);
    }

    @Test
    void whatCapsetWouldRefuseFailsFirst() throws Exception {
        long kill = 1L << 5;
        long sysResource = 1L << 24;
        SpecException e = assertThrows(SpecException.class,
                () -> new CapabilitySets(kill, kill, 0, 0, 0).checkGrantable("process.capabilities", -1L, false));
        assertEquals("process.capabilities.effective: CAP_KILL must also be in process.capabilities.permitted "
                + "(capset(2): effective is a subset of permitted)", e.getMessage());
        long held = 0x1fffeffffffL; // this machine kind: everything but CAP_SYS_RESOURCE
        e = assertThrows(SpecException.class, () -> new CapabilitySets(0, 0, sysResource | kill, 0, 0)
                .checkGrantable("process.capabilities", held, false));
        assertEquals("process.capabilities.permitted: CAP_SYS_RESOURCE: jrunc itself does not have this capability, "
                + "so it cannot grant it to a container", e.getMessage());
        // in a user namespace the container's root has every capability of its own namespace
        new CapabilitySets(0, 0, sysResource, 0, 0).checkGrantable("process.capabilities", held, true);
        new CapabilitySets(kill, kill, kill, kill, kill).checkGrantable("process.capabilities", held, false);
        assertTrue(CapabilityNames.describe(kill | sysResource).equals("CAP_KILL, CAP_SYS_RESOURCE"));
    }
}
