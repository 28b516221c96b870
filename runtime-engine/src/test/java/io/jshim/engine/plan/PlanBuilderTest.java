package io.jshim.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.json.Json;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanBuilderTest {
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
            return List.of(new Hierarchy("memory", "/sys/fs/cgroup/memory/c1", "memory"),
                    new Hierarchy("cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/c1", "cpu,cpuacct"));
        }
    };

    private static ObjectNode runcDefault() throws Exception {
        try (InputStream in = PlanBuilderTest.class.getResourceAsStream("/io/jshim/engine/default-spec.json")) {
            return (ObjectNode) Json.MAPPER.readTree(in);
        }
    }

    private static List<String> describe(ObjectNode n, Path bundle) throws Exception {
        Files.createDirectories(bundle.resolve("rootfs"));
        Spec spec = io.jshim.engine.json.RecordJson.bind(n, Spec.class);
        InitPlan plan = new PlanBuilder(spec, bundle, bundle.resolve("rootfs"), "c1", V1)
                .execFifo(bundle.resolve("exec.fifo")).build();
        return plan.records().stream().map(PlanRecord::describe).toList();
    }

    @Test
    void runcsDefaultSpecBecomesAnOrderedPlan(@TempDir Path bundle) throws Exception {
        List<String> d = describe(runcDefault(), bundle);
        assertEquals("hello v1", d.get(0));
        assertTrue(d.contains("clone 0x6c020000"), d.toString()); // pid|net|ipc|uts|mnt
        int proc = indexOf(d, "mount proc on /proc type proc");
        int dev = indexOf(d, "mount tmpfs on /dev type tmpfs");
        int pts = indexOf(d, "mount devpts on /dev/pts type devpts");
        int nullDev = indexOf(d, "device /dev/null c 1:3 666");
        int ptmx = indexOf(d, "symlink /dev/ptmx -> pts/ptmx");
        assertTrue(proc < dev && dev < pts && pts < nullDev && nullDev < ptmx, d.toString());
        assertTrue(indexOf(d, "mask /proc/kcore") > 0);
        assertTrue(indexOf(d, "readonly /proc/sys") > 0);
        assertTrue(d.contains("rootfs readonly"));
        assertTrue(d.contains("hostname jrunc"));
        assertTrue(d.contains("rlimit 7 1024 1024"));
        assertTrue(d.contains("args [sh]"));
    }

    @Test
    void cgroupMountBindsTheContainersOwnCgroupsAndLinksComountedControllers(@TempDir Path bundle)
            throws Exception {
        List<String> d = describe(runcDefault(), bundle);
        assertTrue(indexOf(d, "mount /sys/fs/cgroup/memory/c1 on /sys/fs/cgroup/memory type  flags 0x20500f") > 0,
                d.toString());
        assertTrue(d.contains("symlink /sys/fs/cgroup/cpu -> cpu,cpuacct"));
        assertTrue(d.contains("symlink /sys/fs/cgroup/cpuacct -> cpu,cpuacct"));
        assertTrue(indexOf(d, "mount tmpfs on /sys/fs/cgroup type tmpfs flags 0xe ") > 0, d.toString());
    }

    @Test
    void bindSourcesAreRelativeToTheBundleAndMustExist(@TempDir Path bundle) throws Exception {
        Files.writeString(bundle.resolve("hostfile"), "x");
        ObjectNode n = runcDefault();
        ((ArrayNode) n.path("mounts")).addObject().put("destination", "/etc/x").put("type", "bind")
                .put("source", "hostfile").putArray("options").add("rbind").add("ro");
        List<String> d = describe(n, bundle);
        assertTrue(indexOf(d, "mount " + bundle.resolve("hostfile") + " on /etc/x") > 0, d.toString());
        assertTrue(indexOf(d, "mnt 0x1") > 0);
        ((ArrayNode) n.path("mounts")).addObject().put("destination", "/y").put("type", "bind")
                .put("source", "missing").putArray("options").add("bind");
        String msg = assertThrows(SpecException.class, () -> describe(n, bundle)).getMessage();
        assertTrue(msg.contains("missing") && msg.contains("/y"), msg);
    }

    @Test
    void encodesFramesAsSyncProtocolSays(@TempDir Path bundle) throws Exception {
        Files.createDirectories(bundle.resolve("rootfs"));
        Spec spec = io.jshim.engine.json.RecordJson.bind(runcDefault(), Spec.class);
        byte[] wire = new PlanBuilder(spec, bundle, bundle.resolve("rootfs"), "c1", V1).build().encode();
        // first frame: tag 1 (hello), length 4, version 1
        assertEquals(1, wire[0]);
        assertEquals(0, wire[1]);
        assertEquals(4, wire[2]);
        assertEquals(1, wire[6]);
        // last frame: PLAN_END with no payload
        assertEquals(SyncProtocol.PLAN_END, wire[wire.length - 6]);
        assertEquals(0, wire[wire.length - 4]);
    }

    private static int indexOf(List<String> d, String prefix) {
        for (int i = 0; i < d.size(); i++) {
            if (d.get(i).startsWith(prefix) || d.get(i).contains(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
