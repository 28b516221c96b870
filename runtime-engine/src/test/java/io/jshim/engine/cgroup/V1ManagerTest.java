package io.jshim.engine.cgroup;

import static io.jshim.engine.cgroup.FakeHost.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class V1ManagerTest {
    @TempDir
    Path tmp;

    FakeHost host;
    FakeCgroupFs fs;
    final List<Integer> killed = new ArrayList<>();
    CgroupManager m;

    static LinuxResources res(String json) throws Exception {
        return JsonMapper.builder().build().readValue(json, LinuxResources.class);
    }

    @BeforeEach
    void setUp() throws Exception {
        host = FakeHost.thisMachine(tmp).own("memory", "/process_api/x");
        fs = host.fs;
        m = CgroupManager.create(host.layout(), "/jshim/c1", "c1", pid -> {
            killed.add(pid);
            fs.kill(pid);
        });
    }

    /** create(), then forget its writes so that tests see only apply's. */
    void created() throws CgroupException {
        m.create();
        fs.log.clear();
    }

    Path dir(String mount) {
        return host.mount(mount).resolve("jshim/c1");
    }

    @Test
    void createMakesADirectoryInEveryHierarchy() throws Exception {
        m.create();
        for (String d : List.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
                "systemd")) {
            assertTrue(Files.isDirectory(dir(d)), d);
        }
        assertFalse(Files.exists(host.cgroupRoot.resolve("unified/jshim")), "hybrid: the unified dir is not joined");
        assertTrue(m.exists());
        m.create(); // again: fine
    }

    @Test
    void createCopiesCpusetFromTheParentAtEveryLevel() throws Exception {
        m.create();
        assertEquals("0-3", read(host.mount("cpuset").resolve("jshim/cpuset.cpus")));
        assertEquals("0", read(host.mount("cpuset").resolve("jshim/cpuset.mems")));
        assertEquals("0-3", read(dir("cpuset").resolve("cpuset.cpus")));
        assertEquals("0", read(dir("cpuset").resolve("cpuset.mems")));
    }

    @Test
    void cpusetCopyWalksPastAnExistingEmptyLevelAndKeepsSetValues() throws Exception {
        Path a = host.mount("cpuset").resolve("a");
        fs.mkdir(a); // exists, but nobody set it: empty
        fs.mkdir(a.resolve("b"));
        FakeCgroupFs.put(a.resolve("b/cpuset.cpus"), "1\n"); // already configured: kept
        CgroupManager mm = CgroupManager.create(host.layout(), "/a/b/c", "c");
        mm.create();
        assertEquals("0-3", read(a.resolve("cpuset.cpus")));
        assertEquals("1", read(a.resolve("b/cpuset.cpus")));
        assertEquals("1", read(a.resolve("b/c/cpuset.cpus")));
        assertEquals("0", read(a.resolve("b/c/cpuset.mems")));
    }

    @Test
    void relativePathFollowsOwnCgroupPerController() throws Exception {
        CgroupManager mm = CgroupManager.create(host.layout(), null, "c2");
        assertEquals(host.mount("memory").resolve("process_api/x/c2").toString(), mm.paths().get("memory"));
        assertEquals(host.mount("cpu").resolve("c2").toString(), mm.paths().get("cpu"));
        mm.create();
        assertTrue(Files.isDirectory(host.mount("memory").resolve("process_api/x/c2")));
    }

    @Test
    void memoryLimitsAndRaisingSwapWritesSwapFirst() throws Exception {
        created();
        m.apply(res("""
                {"memory": {"limit": 1048576, "reservation": 524288, "swap": 2097152, "swappiness": 10,
                            "disableOOMKiller": true, "kernel": 1, "kernelTCP": 1}}"""));
        Path d = dir("memory");
        assertEquals("1048576", read(d.resolve("memory.limit_in_bytes")));
        assertEquals("2097152", read(d.resolve("memory.memsw.limit_in_bytes")));
        assertEquals("524288", read(d.resolve("memory.soft_limit_in_bytes")));
        assertEquals("10", read(d.resolve("memory.swappiness")));
        assertEquals("1", read(d.resolve("memory.oom_control")));
        List<String> order = fs.writes().stream().filter(s -> s.contains("/memory.")).map(s -> s.replaceAll(
                ".*/", "")).toList();
        // The current limit (unlimited) is above the new swap total: limit must go first.
        assertEquals(List.of("memory.limit_in_bytes=1048576", "memory.memsw.limit_in_bytes=2097152",
                "memory.soft_limit_in_bytes=524288", "memory.oom_control=1", "memory.swappiness=10"), order);

        // Raising both: swap first, or the kernel refuses limit > memsw.
        fs.log.clear();
        m.apply(res("{\"memory\": {\"limit\": 4194304, \"swap\": 8388608}}"));
        assertEquals(List.of("memory.memsw.limit_in_bytes=8388608", "memory.limit_in_bytes=4194304"),
                fs.writes().stream().map(s -> s.replaceAll(".*/", "")).toList());

        // Lowering both: limit first.
        fs.log.clear();
        m.apply(res("{\"memory\": {\"limit\": 1048576, \"swap\": 1048576}}"));
        assertEquals(List.of("memory.limit_in_bytes=1048576", "memory.memsw.limit_in_bytes=1048576"),
                fs.writes().stream().map(s -> s.replaceAll(".*/", "")).toList());
    }

    @Test
    void unlimitedMemoryAlsoUnlimitsSwap() throws Exception {
        m.create();
        m.apply(res("{\"memory\": {\"limit\": 1048576, \"swap\": 1048576}}"));
        m.apply(res("{\"memory\": {\"limit\": -1}}"));
        assertEquals("-1", read(dir("memory").resolve("memory.limit_in_bytes")));
        assertEquals("-1", read(dir("memory").resolve("memory.memsw.limit_in_bytes")));
    }

    @Test
    void swapIsSkippedWithoutSwapAccounting() throws Exception {
        created();
        Files.delete(dir("memory").resolve("memory.memsw.limit_in_bytes"));
        m.apply(res("{\"memory\": {\"limit\": 1048576, \"swap\": 2097152}}"));
        assertEquals(List.of("memory.limit_in_bytes=1048576"),
                fs.writes().stream().map(s -> s.replaceAll(".*/", "")).toList());
    }

    @Test
    void busyMemoryLimitSaysWhyWithPathAndValue() throws Exception {
        created();
        Path f = dir("memory").resolve("memory.limit_in_bytes");
        FakeCgroupFs.put(dir("memory").resolve("memory.usage_in_bytes"), "5000000\n");
        fs.failAlways(f, CgroupException.Errno.EBUSY);
        CgroupException e = assertThrows(CgroupException.class,
                () -> m.apply(res("{\"memory\": {\"limit\": 1048576}}")));
        assertEquals("write " + f + ": \"1048576\": device or resource busy (unable to set memory limit to 1048576:"
                + " current usage 5000000, peak usage 0)", e.getMessage());
        assertEquals(CgroupException.Errno.EBUSY, e.errno());
    }

    @Test
    void checkBeforeUpdateRefusesALimitBelowUsage() throws Exception {
        created();
        FakeCgroupFs.put(dir("memory").resolve("memory.usage_in_bytes"), "5000000\n");
        CgroupException e = assertThrows(CgroupException.class,
                () -> m.apply(res("{\"memory\": {\"limit\": 1048576, \"checkBeforeUpdate\": true}}")));
        assertEquals("rejecting memory limit 1048576 below current usage 5000000", e.getMessage());
        assertTrue(fs.writes().isEmpty());
    }

    @Test
    void badSwappinessIsRefusedBeforeAnyWrite() throws Exception {
        created();
        CgroupException e = assertThrows(CgroupException.class,
                () -> m.apply(res("{\"pids\": {\"limit\": 5}, \"memory\": {\"swappiness\": 101}}")));
        assertTrue(e.getMessage().contains("invalid memory swappiness value: 101"), e.getMessage());
        assertTrue(fs.writes().isEmpty(), fs.writes().toString());
        // -1 (also as uint64) means "leave alone"
        m.apply(res("{\"memory\": {\"swappiness\": 18446744073709551615}}"));
        assertTrue(fs.writes().isEmpty());
    }

    @Test
    void cpuPeriodBeforeQuotaSharesAndRealtime() throws Exception {
        created();
        m.apply(res("""
                {"cpu": {"shares": 512, "quota": 50000, "period": 200000, "realtimeRuntime": 100,
                         "realtimePeriod": 1000, "cpus": "1-2", "mems": "0"}}"""));
        Path d = dir("cpu");
        assertEquals("512", read(d.resolve("cpu.shares")));
        assertEquals("50000", read(d.resolve("cpu.cfs_quota_us")));
        assertEquals("200000", read(d.resolve("cpu.cfs_period_us")));
        assertEquals("1000", read(d.resolve("cpu.rt_period_us")));
        assertEquals("100", read(d.resolve("cpu.rt_runtime_us")));
        assertEquals("1-2", read(dir("cpuset").resolve("cpuset.cpus")));
        assertEquals("0", read(dir("cpuset").resolve("cpuset.mems")));
        List<String> cpu = fs.writes().stream().filter(s -> s.contains("/cpu.")).map(s -> s.replaceAll(".*/", ""))
                .toList();
        assertEquals(List.of("cpu.shares=512", "cpu.cfs_period_us=200000", "cpu.cfs_quota_us=50000",
                "cpu.rt_period_us=1000", "cpu.rt_runtime_us=100"), cpu);
    }

    @Test
    void refusedPeriodIsRetriedAfterTheQuota() throws Exception {
        created();
        fs.fail(dir("cpu").resolve("cpu.cfs_period_us"), CgroupException.Errno.EINVAL, 1);
        m.apply(res("{\"cpu\": {\"quota\": 5000, \"period\": 10000}}"));
        assertEquals(List.of("cpu.cfs_period_us=10000", "cpu.cfs_quota_us=5000", "cpu.cfs_period_us=10000"),
                fs.writes().stream().map(s -> s.replaceAll(".*/", "")).toList());
        assertEquals("10000", read(dir("cpu").resolve("cpu.cfs_period_us")));
    }

    @Test
    void clampedSharesAreReported() throws Exception {
        m.create();
        CgroupException e = assertThrows(CgroupException.class,
                () -> m.apply(res("{\"cpu\": {\"shares\": 1000000}}")));
        assertEquals("the maximum allowed cpu-shares is 262144", e.getMessage());
    }

    @Test
    void pidsLimit() throws Exception {
        m.create();
        Path f = dir("pids").resolve("pids.max");
        m.apply(res("{\"pids\": {\"limit\": 100}}"));
        assertEquals("100", read(f));
        m.apply(res("{\"pids\": {\"limit\": 0}}"));
        assertEquals("100", read(f), "0 leaves it alone");
        m.apply(res("{\"pids\": {\"limit\": -1}}"));
        assertEquals("max", read(f));
    }

    @Test
    void blkioWeightsAndThrottles() throws Exception {
        created();
        m.apply(res("""
                {"blockIO": {"weight": 300, "leafWeight": 200,
                  "weightDevice": [{"major": 8, "minor": 0, "weight": 400, "leafWeight": 100}],
                  "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
                  "throttleWriteIOPSDevice": [{"major": 8, "minor": 16, "rate": 50}]}}"""));
        assertEquals(List.of("blkio.weight=300", "blkio.leaf_weight=200", "blkio.weight_device=8:0 400",
                "blkio.leaf_weight_device=8:0 100", "blkio.throttle.read_bps_device=8:0 1048576",
                "blkio.throttle.write_iops_device=8:16 50"),
                fs.writes().stream().map(s -> s.replaceAll(".*/", "")).toList());
    }

    @Test
    void devicesDenyAllThenRulesInOrder() throws Exception {
        created();
        m.apply(res("""
                {"devices": [
                  {"allow": false, "access": "rwm"},
                  {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
                  {"allow": true, "type": "c", "major": 136, "access": "rwm"},
                  {"allow": false, "type": "b", "major": 8, "minor": -1, "access": "w"}]}"""));
        assertEquals(List.of("devices.deny=a *:* rwm", "devices.allow=c 1:3 rwm", "devices.allow=c 136:* rwm",
                "devices.deny=b 8:* w"), fs.writes().stream().map(s -> s.replaceAll(".*/", "")).toList());

        fs.log.clear();
        m.apply(res("{\"devices\": [{\"allow\": true, \"type\": \"c\", \"major\": 5, \"minor\": 1, \"access\": \"rw\"}]}"));
        assertEquals(List.of("devices.deny=a", "devices.allow=c 5:1 rw"),
                fs.writes().stream().map(s -> s.replaceAll(".*/", "")).toList(), "deny-all is prepended");
    }

    @Test
    void badDeviceRulesAreRefused() throws Exception {
        created();
        CgroupException e = assertThrows(CgroupException.class,
                () -> m.apply(res("{\"devices\": [{\"allow\": true, \"type\": \"c\", \"major\": 1}]}")));
        assertEquals("device access at 0 field cannot be empty", e.getMessage());
        assertThrows(CgroupException.class,
                () -> m.apply(res("{\"devices\": [{\"allow\": true, \"type\": \"x\", \"access\": \"r\"}]}")));
        assertThrows(CgroupException.class,
                () -> m.apply(res("{\"devices\": [{\"allow\": true, \"type\": \"c\", \"access\": \"rx\"}]}")));
        assertTrue(fs.writes().isEmpty());
    }

    @Test
    void missingControllerIsNamedAndNothingIsWritten() throws Exception {
        created();
        CgroupException e = assertThrows(CgroupException.class, () -> m.apply(res("""
                {"memory": {"limit": 1048576}, "hugepageLimits": [{"pageSize": "2MB", "limit": 0}]}""")));
        assertEquals("linux.resources.hugepageLimits needs the hugetlb cgroup controller, which is not available:"
                + " it is not mounted as a cgroup v1 hierarchy", e.getMessage());
        assertTrue(fs.writes().isEmpty(), "checked before any write");

        e = assertThrows(CgroupException.class, () -> m.apply(res("{\"network\": {\"classID\": 1}}")));
        assertTrue(e.getMessage().contains("net_cls cgroup controller"), e.getMessage());
        e = assertThrows(CgroupException.class,
                () -> m.apply(res("{\"rdma\": {\"mlx\": {\"hcaHandles\": 1}}}")));
        assertTrue(e.getMessage().contains("rdma cgroup controller, which is not available: it is not mounted as a"
                + " cgroup v1 hierarchy"), e.getMessage());
    }

    @Test
    void unifiedIsRefusedOnV1() throws Exception {
        m.create();
        CgroupException e = assertThrows(CgroupException.class,
                () -> m.apply(res("{\"unified\": {\"memory.high\": \"1000\"}}")));
        assertTrue(e.getMessage().startsWith("linux.resources.unified needs cgroup v2"), e.getMessage());
    }

    @Test
    void emptyOrNullResourcesWriteNothing() throws Exception {
        created();
        m.apply(null);
        m.apply(res("{\"memory\": {}, \"cpu\": {\"shares\": 0}, \"devices\": [], \"unified\": {}}"));
        assertTrue(fs.writes().isEmpty(), fs.writes().toString());
    }

    @Test
    void hugetlbAndNetworkWhereMounted(@TempDir Path other) throws Exception {
        FakeHost h = FakeHost.v1(other, "memory", "devices", "hugetlb", "net_cls,net_prio");
        CgroupManager mm = CgroupManager.create(h.layout(), "/x", "x");
        mm.create();
        mm.apply(res("""
                {"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
                 "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 5}, {"name": "lo", "priority": 1}]}}"""));
        assertEquals("4194304", read(h.mount("hugetlb").resolve("x/hugetlb.2MB.limit_in_bytes")));
        assertEquals("1048577", read(h.mount("net_cls,net_prio").resolve("x/net_cls.classid")));
        assertEquals(List.of("eth0 5", "lo 1"), h.fs.writesTo("net_prio.ifpriomap").stream()
                .map(s -> s.substring(s.indexOf('=') + 1)).toList());
        CgroupException e = assertThrows(CgroupException.class,
                () -> mm.apply(res("{\"hugepageLimits\": [{\"pageSize\": \"../x\", \"limit\": 1}]}")));
        assertTrue(e.getMessage().startsWith("invalid hugepage size"), e.getMessage());
    }

    @Test
    void addProcessWritesEachDirectoryOnce(@TempDir Path other) throws Exception {
        FakeHost h = FakeHost.v1(other, "cpu,cpuacct", "memory", "devices", "name=systemd");
        CgroupManager mm = CgroupManager.create(h.layout(), "/x", "x");
        mm.create();
        mm.addProcess(4242);
        assertEquals(4, h.fs.writesTo("cgroup.procs").size(), h.fs.writes().toString());
        for (String d : List.of("cpu,cpuacct", "memory", "devices", "systemd")) {
            assertEquals("4242", read(h.mount(d).resolve("x/cgroup.procs")), d);
        }
        assertEquals(List.of(4242), mm.pids());
        assertEquals(mm.paths().get("cpu"), mm.paths().get("cpuacct"));
    }

    @Test
    void addProcessRetriesEinvalForANewTask() throws Exception {
        m.create();
        fs.fail(dir("pids").resolve("cgroup.procs"), CgroupException.Errno.EINVAL, 2);
        m.addProcess(77);
        assertEquals("77", read(dir("pids").resolve("cgroup.procs")));
    }

    @Test
    void pidsAreTheUnionAndAllPidsIncludeChildCgroups() throws Exception {
        m.create();
        FakeCgroupFs.put(dir("memory").resolve("cgroup.procs"), "10\n11\n");
        FakeCgroupFs.put(dir("pids").resolve("cgroup.procs"), "11\n12\n");
        fs.mkdir(dir("pids").resolve("nested"));
        FakeCgroupFs.put(dir("pids").resolve("nested/cgroup.procs"), "13\n");
        assertEquals(List.of(10, 11, 12), m.pids());
        assertEquals(List.of(10, 11, 12, 13), m.allPids());
    }

    @Test
    void freezeAndThaw() throws Exception {
        m.create();
        assertFalse(m.isFrozen());
        m.freeze();
        assertTrue(m.isFrozen());
        assertEquals("FROZEN", read(dir("freezer").resolve("freezer.state")));
        m.thaw();
        assertFalse(m.isFrozen());
        assertEquals("THAWED", read(dir("freezer").resolve("freezer.state")));
    }

    @Test
    void freezeThatNeverSettlesIsThawedBackAndFails() throws Exception {
        m.create();
        fs.freezeWorks = false;
        CgroupException e = assertThrows(CgroupException.class, m::freeze);
        assertTrue(e.getMessage().contains("still FREEZING"), e.getMessage());
        assertEquals("THAWED", read(dir("freezer").resolve("freezer.state")));
    }

    @Test
    void freezeWithoutFreezerIsAnError(@TempDir Path other) throws Exception {
        FakeHost h = FakeHost.v1(other, "memory", "devices");
        CgroupManager mm = CgroupManager.create(h.layout(), "/x", "x");
        mm.create();
        assertFalse(mm.isFrozen());
        CgroupException e = assertThrows(CgroupException.class, mm::freeze);
        assertTrue(e.getMessage().contains("freezer cgroup controller is not available"), e.getMessage());
    }

    @Test
    void destroyKillsFrozenThenRemovesAndIsIdempotent() throws Exception {
        m.create();
        m.addProcess(100);
        m.addProcess(101);
        fs.mkdir(dir("memory").resolve("sub"));
        fs.write(dir("memory").resolve("sub/cgroup.procs"), "102");
        fs.log.clear();
        m.destroy();
        assertEquals(List.of(100, 101, 102), killed);
        List<String> freezer = fs.writesTo("freezer.state");
        assertEquals("FROZEN", freezer.getFirst().replaceAll(".*=", ""), "frozen before the kill");
        assertEquals("THAWED", freezer.getLast().replaceAll(".*=", ""), "thawed so the kill lands");
        for (String p : m.paths().values()) {
            assertFalse(Files.exists(Path.of(p)), p);
        }
        assertTrue(Files.isDirectory(host.mount("memory").resolve("jshim")), "parents stay, as with runc");
        assertFalse(m.exists());
        m.destroy();
        CgroupManager.create(host.layout(), "/never/created", "x").destroy();
    }

    @Test
    void destroyRetriesBusyDirectories() throws Exception {
        m.create();
        fs.fail(dir("memory"), CgroupException.Errno.EBUSY, 3);
        m.destroy();
        assertFalse(Files.exists(dir("memory")));
    }

    @Test
    void destroyGivesUpOnAPermanentlyBusyDirectory() throws Exception {
        m.create();
        fs.failAlways(dir("memory"), CgroupException.Errno.EBUSY);
        CgroupException e = assertThrows(CgroupException.class, m::destroy);
        assertTrue(e.getMessage().startsWith("failed to remove cgroup [" + dir("memory") + "]: rmdir "
                + dir("memory") + ": device or resource busy"), e.getMessage());
        assertFalse(Files.exists(dir("cpu")), "the others are removed");
    }

    @Test
    void pathsRoundTripThroughLoad() throws Exception {
        m.create();
        m.addProcess(5);
        Map<String, String> paths = m.paths();
        assertEquals(dir("cpu").toString(), paths.get("cpu"));
        assertEquals(dir("systemd").toString(), paths.get("name=systemd"));
        CgroupManager loaded = CgroupManager.load(host.layout(), paths, fs::kill);
        assertEquals(CgroupLayout.Mode.V1, loaded.mode());
        assertEquals(paths, loaded.paths());
        assertEquals(List.of(5), loaded.pids());
        assertEquals(dir("memory"), loaded.dir("memory").orElseThrow());
        loaded.apply(res("{\"pids\": {\"limit\": 9}}"));
        assertEquals("9", read(dir("pids").resolve("pids.max")));
        loaded.destroy();
        assertFalse(m.exists());
    }
}
