package io.jshim.engine.namespace;

import static io.jshim.engine.namespace.Specs.addNamespace;
import static io.jshim.engine.namespace.Specs.linux;
import static io.jshim.engine.namespace.Specs.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.plan.CgroupMountSource;
import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.plan.PlanBuilder;
import io.jshim.engine.plan.PlanRecord;
import io.jshim.engine.spec.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What user and time namespaces and sysctls make of the plan PlanBuilder builds. */
class NamespacePlanTest {
    private static final CgroupMountSource V1 = new CgroupMountSource() {
        @Override
        public boolean unified() {
            return false;
        }

        @Override
        public String unifiedDir() {
            return null;
        }

        @Override
        public List<Hierarchy> hierarchies() {
            return List.of(new Hierarchy("memory", "/sys/fs/cgroup/memory/c1", "memory"));
        }
    };

    private static List<String> describe(Path bundle, Consumer<ObjectNode> edit) throws Exception {
        Files.createDirectories(bundle.resolve("rootfs"));
        Spec spec = Specs.spec(edit);
        InitPlan plan = new PlanBuilder(spec, bundle, bundle.resolve("rootfs"), "c1", V1).build();
        return plan.records().stream().map(PlanRecord::describe).toList();
    }

    @Test
    void aNewUserNamespaceIsACloneFlag(@TempDir Path bundle) throws Exception {
        List<String> d = describe(bundle, n -> {
            addNamespace(n, "user", null);
            map(n, "uidMappings", 0, 100000, 65536);
            map(n, "gidMappings", 0, 100000, 65536);
        });
        assertTrue(d.contains("clone 0x7c020000"), d.toString()); // pid|net|ipc|uts|mnt|user
    }

    @Test
    void joinedTimeAndUserNamespacesAreJoinedFirst(@TempDir Path bundle) throws Exception {
        List<String> d = describe(bundle, n -> {
            Specs.removeNamespace(n, "network");
            addNamespace(n, "network", "/proc/self/ns/net");
            addNamespace(n, "user", "/proc/self/ns/user");
            addNamespace(n, "time", "/proc/self/ns/time");
        });
        List<String> joins = d.stream().filter(s -> s.startsWith("setns")).toList();
        // time before user: its owner may be a user namespace the joined one has no power over
        assertEquals(List.of("setns 0x80 /proc/self/ns/time", "setns 0x10000000 /proc/self/ns/user",
                "setns 0x40000000 /proc/self/ns/net"), joins);
    }

    @Test
    void aNewTimeNamespaceIsARecordNotACloneFlag(@TempDir Path bundle) throws Exception {
        List<String> d = describe(bundle, n -> {
            addNamespace(n, "time", null);
            linux(n).with("timeOffsets").with("boottime").put("secs", 3600);
        });
        assertTrue(d.contains("clone 0x6c020000"), d.toString());
        assertTrue(d.contains("timens monotonic 0.000000000 boottime 3600.000000000"), d.toString());
    }

    @Test
    void sysctlsAreSentAsPathsBelowProcSys(@TempDir Path bundle) throws Exception {
        List<String> d = describe(bundle, n -> linux(n).with("sysctl").put("net.ipv4.ip_forward", "1")
                .put("kernel.shmmni", "8192"));
        assertTrue(d.contains("sysctl net/ipv4/ip_forward=1"), d.toString());
        assertTrue(d.contains("sysctl kernel/shmmni=8192"), d.toString());
    }
}
