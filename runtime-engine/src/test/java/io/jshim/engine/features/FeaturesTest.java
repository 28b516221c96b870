package io.jshim.engine.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.hooks.HookPhase;
import io.jshim.engine.security.CapabilityNames;
import io.jshim.engine.spec.MountOptions;
import io.jshim.engine.spec.NamespaceType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FeaturesTest {
    private static List<String> keys(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.textValue()));
        return out;
    }

    @Test
    void keysInTheSpecsOrder() {
        ObjectNode f = Features.build("1.0.2", "0.1.0", Optional.of("2.5.4"));
        assertEquals(List.of("ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux", "annotations"),
                keys(f));
        assertEquals(List.of("namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt",
                "mountExtensions"), keys(f.get("linux")));
        assertEquals("1.0.0", f.get("ociVersionMin").textValue());
        assertEquals("1.0.2", f.get("ociVersionMax").textValue());
        assertEquals("2.5.4", f.at("/annotations/io.github.seccomp.libseccomp.version").textValue());
        assertEquals("0.1.0", f.at("/annotations/io.jshim.version").textValue());
        assertFalse(Features.build("1.0.2", "0.1.0", Optional.empty()).get("annotations")
                .has(Features.ANNOTATION_LIBSECCOMP));
    }

    @Test
    void listsComeFromTheCodesOwnTables() {
        ObjectNode f = Features.build("1.0.2", "0.1.0", Optional.empty());
        List<String> hooks = strings(f.get("hooks"));
        assertEquals(HookPhase.values().length, hooks.size());
        assertEquals("prestart", hooks.getFirst());
        assertEquals(List.copyOf(MountOptions.known()), strings(f.get("mountOptions")));
        assertFalse(strings(f.get("mountOptions")).contains("tmpcopyup"), "tmpcopyup is ignored, not supported");
        assertEquals(CapabilityNames.last() + 1, f.at("/linux/capabilities").size());
        assertEquals("CAP_CHOWN", f.at("/linux/capabilities/0").textValue());
        for (String ns : strings(f.at("/linux/namespaces"))) {
            assertTrue(NamespaceSupport.accepted(NamespaceType.fromSpec(ns).orElseThrow()), ns);
        }
        assertTrue(strings(f.at("/linux/namespaces")).contains("mount"));
        assertTrue(strings(f.at("/linux/seccomp/actions")).contains("SCMP_ACT_ERRNO"));
        assertFalse(f.at("/linux/cgroup/systemd").booleanValue());
        assertFalse(f.at("/linux/apparmor/enabled").booleanValue());
        assertEquals(MountOptions.known().contains("idmap"), f.at("/linux/mountExtensions/idmap/enabled").booleanValue());
    }

    @Test
    void libseccompVersionFromJshimInitsVersionLine() {
        assertEquals(Optional.of("2.5.4"), LibseccompVersion.parse("jshim-init 0.1.0-SNAPSHOT libseccomp 2.5.4\n"));
        assertEquals(Optional.empty(), LibseccompVersion.parse("jshim-init 0.1.0\n"));
    }
}
