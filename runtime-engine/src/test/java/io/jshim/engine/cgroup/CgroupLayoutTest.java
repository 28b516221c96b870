package io.jshim.engine.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupLayoutTest {
    @TempDir
    Path tmp;

    /** This machine's own files, verbatim. */
    static final String HYBRID_MOUNTINFO = """
            22 1 0:20 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
            30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
            36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
            37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
            38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    static final String HYBRID_SELF = """
            9:name=systemd:/
            8:pids:/
            7:blkio:/
            6:freezer:/
            5:devices:/
            4:memory:/process_api/7d9b85de
            3:cpuset:/
            2:cpuacct:/
            1:cpu:/
            0::/
            """;
    static final String PROC_CGROUPS = """
            #subsys_name\thierarchy\tnum_cgroups\tenabled
            cpuset\t3\t1\t1
            cpu\t1\t1\t1
            cpuacct\t2\t1\t1
            blkio\t7\t1\t1
            memory\t4\t35\t1
            devices\t5\t1\t1
            freezer\t6\t1\t1
            net_cls\t0\t1\t1
            perf_event\t0\t1\t1
            net_prio\t0\t1\t1
            hugetlb\t0\t1\t1
            pids\t8\t1\t1
            """;

    private CgroupLayout layout(String mountinfo, String self, String procCgroups) throws Exception {
        Files.writeString(tmp.resolve("mountinfo"), mountinfo);
        Files.writeString(tmp.resolve("cgroup"), self);
        Path pc = null;
        if (procCgroups != null) {
            pc = tmp.resolve("cgroups");
            Files.writeString(pc, procCgroups);
        }
        return CgroupLayout.of(tmp.resolve("mountinfo"), tmp.resolve("cgroup"), pc);
    }

    @Test
    void hybridHostAsOnThisMachine() throws Exception {
        CgroupLayout l = layout(HYBRID_MOUNTINFO, HYBRID_SELF, PROC_CGROUPS);
        assertEquals(CgroupLayout.Mode.V1, l.mode());
        assertTrue(l.hybrid());
        assertEquals(Set.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
                "name=systemd"), l.v1Mounts().keySet());
        assertEquals(Path.of("/sys/fs/cgroup/systemd"), l.v1Mount("name=systemd").orElseThrow().mountPoint());
        assertEquals(Path.of("/sys/fs/cgroup/unified"), l.unifiedMount().orElseThrow().mountPoint());
        assertEquals(Optional.of("/process_api/7d9b85de"), l.ownCgroup("memory"));
        assertEquals(Optional.of("/"), l.ownCgroup(""));
        assertTrue(l.v1Mount("hugetlb").isEmpty());
        assertEquals(0, l.kernelControllers().get("hugetlb").hierarchy());
        assertEquals("it is not mounted as a cgroup v1 hierarchy", l.whyMissing("hugetlb"));
        assertEquals("the kernel does not have it", l.whyMissing("rdma"));
    }

    @Test
    void combinedMountsShareOneHierarchy() throws Exception {
        CgroupLayout l = layout("""
                25 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct
                26 24 0:23 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid - cgroup cgroup rw,net_cls,net_prio
                27 24 0:24 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,xattr,memory
                """, """
                3:memory:/
                2:net_cls,net_prio:/
                1:cpu,cpuacct:/user.slice
                """, null);
        assertEquals(CgroupLayout.Mode.V1, l.mode());
        assertFalse(l.hybrid());
        assertSame(l.v1Mount("cpu").orElseThrow(), l.v1Mount("cpuacct").orElseThrow());
        assertEquals(Set.of("cpu", "cpuacct"), l.v1Mount("cpu").orElseThrow().controllers());
        assertEquals(Set.of("memory"), l.v1Mount("memory").orElseThrow().controllers()); // "xattr" is a flag
        assertEquals(Optional.of("/user.slice"), l.ownCgroup("cpuacct"));
        assertEquals("it is not mounted", l.whyMissing("pids"));
    }

    @Test
    void unifiedHost() throws Exception {
        CgroupLayout l = layout("""
                22 1 0:20 / /sys rw - sysfs sysfs rw
                35 22 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
                """, "0::/user.slice/user-0.slice/session-1.scope\n", null);
        assertEquals(CgroupLayout.Mode.V2, l.mode());
        assertFalse(l.hybrid());
        assertTrue(l.v1Mounts().isEmpty());
        assertEquals(Path.of("/sys/fs/cgroup"), l.unifiedMount().orElseThrow().mountPoint());
        assertEquals(Optional.of("/user.slice/user-0.slice/session-1.scope"), l.ownCgroup(""));
    }

    @Test
    void mountPointsWithEscapesAndOptionalFields() throws Exception {
        CgroupLayout l = layout("""
                40 30 0:37 /docker/abc /tmp/my\\040cgroups/memory rw,relatime shared:1 master:2 - cgroup cgroup rw,memory
                """, "4:memory:/docker/abc\n", null);
        CgroupLayout.Mount m = l.v1Mount("memory").orElseThrow();
        assertEquals(Path.of("/tmp/my cgroups/memory"), m.mountPoint());
        assertEquals("/docker/abc", m.root());
    }

    @Test
    void noCgroupMountIsAnError() {
        CgroupException e = assertThrows(CgroupException.class,
                () -> layout("22 1 0:20 / /sys rw - sysfs sysfs rw\n", "", null));
        assertTrue(e.getMessage().contains("no cgroup filesystem"), e.getMessage());
    }

    @Test
    void missingProcFileNamesThePath() {
        CgroupException e = assertThrows(CgroupException.class,
                () -> CgroupLayout.of(tmp.resolve("nope"), tmp.resolve("nope2")));
        assertEquals("read " + tmp.resolve("nope") + ": no such file or directory", e.getMessage());
        assertEquals(CgroupException.Errno.ENOENT, e.errno());
    }

    @Test
    void detectsTheRunningHost() throws Exception {
        CgroupLayout l = CgroupLayout.detect();
        String mi = Files.readString(Path.of("/proc/self/mountinfo"));
        boolean v1 = mi.lines().anyMatch(line -> line.contains(" - cgroup ") && !line.endsWith("name=systemd"));
        if (v1) {
            assertEquals(CgroupLayout.Mode.V1, l.mode());
        } else {
            assertEquals(CgroupLayout.Mode.V2, l.mode());
        }
    }
}
