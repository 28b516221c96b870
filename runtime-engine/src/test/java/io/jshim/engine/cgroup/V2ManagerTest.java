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

class V2ManagerTest {
    static final String ALL = "cpuset cpu io memory hugetlb pids rdma misc";

    @TempDir
    Path tmp;

    FakeHost host;
    FakeCgroupFs fs;
    final List<Integer> killed = new ArrayList<>();
    CgroupManager m;
    Path dir;

    static LinuxResources res(String json) throws Exception {
        return JsonMapper.builder().build().readValue(json, LinuxResources.class);
    }

    @BeforeEach
    void setUp() throws Exception {
        host = FakeHost.v2(tmp, ALL).own("", "/user.slice/session-1.scope");
        fs = host.fs;
        m = CgroupManager.create(host.layout(), "/machine.slice/jshim/c1", "c1", pid -> {
            killed.add(pid);
            fs.kill(pid);
        });
        dir = host.cgroupRoot.resolve("machine.slice/jshim/c1");
    }

    void created() throws CgroupException {
        m.create();
        fs.log.clear();
    }

    List<String> writes() {
        return fs.writes().stream().map(s -> s.replaceAll(".*/", "")).toList();
    }

    @Test
    void createEnablesControllersTopDown() throws Exception {
        m.create();
        Path root = host.cgroupRoot;
        for (Path level : List.of(root, root.resolve("machine.slice"), root.resolve("machine.slice/jshim"))) {
            assertEquals(ALL, read(level.resolve("cgroup.subtree_control")), level.toString());
        }
        assertEquals(ALL, read(dir.resolve("cgroup.controllers")));
        assertEquals("", read(dir.resolve("cgroup.subtree_control")), "the leaf enables nothing");
        assertEquals(List.of("sys/fs/cgroup/cgroup.subtree_control=+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc",
                "sys/fs/cgroup/machine.slice/cgroup.subtree_control=+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc",
                "sys/fs/cgroup/machine.slice/jshim/cgroup.subtree_control=+cpuset +cpu +io +memory +hugetlb +pids +rdma"
                        + " +misc"), fs.writes());
        assertEquals(Map.of("", dir.toString()), m.paths());
    }

    @Test
    void alreadyEnabledControllersAreNotWrittenAgain() throws Exception {
        fs.write(host.cgroupRoot.resolve("cgroup.subtree_control"), "+memory +pids");
        fs.log.clear();
        m.create();
        assertEquals("sys/fs/cgroup/cgroup.subtree_control=+cpuset +cpu +io +hugetlb +rdma +misc", fs.writes().get(0));
        fs.log.clear();
        CgroupManager.create(host.layout(), "/machine.slice/jshim/c2", "c2").create();
        assertTrue(fs.writes().isEmpty(), "everything on the way is enabled already: " + fs.writes());
    }

    @Test
    void controllerThatCannotBeEnabledIsReportedByApply() throws Exception {
        // The combined write fails, then +memory alone fails (a level with tasks of its own, say).
        Path st = host.cgroupRoot.resolve("cgroup.subtree_control");
        fs.fail(st, CgroupException.Errno.EBUSY, 1);
        m.create();
        assertTrue(writes().contains("cgroup.subtree_control=+pids"), "falls back to one by one");
        Path mid = host.cgroupRoot.resolve("machine.slice/cgroup.subtree_control");
        fs.write(mid, "-memory");
        fs.failAlways(mid, CgroupException.Errno.EBUSY); // machine.slice now refuses to enable anything
        CgroupManager m2 = CgroupManager.create(host.layout(), "/machine.slice/other", "o");
        m2.create();
        CgroupException e = assertThrows(CgroupException.class,
                () -> m2.apply(res("{\"memory\": {\"limit\": 1048576}}")));
        assertTrue(e.getMessage().startsWith("linux.resources.memory needs the memory cgroup controller, which is not"
                + " available in " + host.cgroupRoot.resolve("machine.slice/other")), e.getMessage());
    }

    @Test
    void relativePathUsesTheParentOfOwnCgroup() throws Exception {
        CgroupManager mm = CgroupManager.create(host.layout(), null, "c9");
        mm.create();
        assertTrue(Files.isDirectory(host.cgroupRoot.resolve("user.slice/c9")));
    }

    @Test
    void memoryConvertsSwapToSwapOnly() throws Exception {
        created();
        m.apply(res("{\"memory\": {\"limit\": 1073741824, \"reservation\": 536870912, \"swap\": 3221225472,"
                + " \"swappiness\": 10, \"disableOOMKiller\": true}}"));
        assertEquals(List.of("memory.swap.max=2147483648", "memory.max=1073741824", "memory.low=536870912"),
                writes(), "swappiness and the OOM switch have no v2 file");

        fs.log.clear();
        m.apply(res("{\"memory\": {\"limit\": 1048576, \"swap\": 1048576}}"));
        assertEquals(List.of("memory.swap.max=0", "memory.max=1048576"), writes());

        fs.log.clear();
        m.apply(res("{\"memory\": {\"limit\": -1}}"));
        assertEquals(List.of("memory.swap.max=max", "memory.max=max"), writes());
    }

    @Test
    void swapBelowLimitIsRefusedBeforeWriting() throws Exception {
        created();
        CgroupException e = assertThrows(CgroupException.class,
                () -> m.apply(res("{\"pids\": {\"limit\": 3}, \"memory\": {\"limit\": 2048, \"swap\": 1024}}")));
        assertEquals("memory+swap limit should be >= memory limit", e.getMessage());
        assertTrue(fs.writes().isEmpty());
        assertThrows(CgroupException.class, () -> m.apply(res("{\"memory\": {\"swap\": 1024}}")));
    }

    @Test
    void conversions() throws Exception {
        assertEquals(39, Conversions.cpuSharesToWeight(1024));
        assertEquals(1, Conversions.cpuSharesToWeight(2));
        assertEquals(1, Conversions.cpuSharesToWeight(1));
        assertEquals(10000, Conversions.cpuSharesToWeight(262144));
        assertEquals(10000, Conversions.cpuSharesToWeight(1_000_000));
        assertEquals(0, Conversions.cpuSharesToWeight(0));
        assertEquals(1, Conversions.blkioWeightToIoWeight(10));
        assertEquals(4950, Conversions.blkioWeightToIoWeight(500));
        assertEquals(10000, Conversions.blkioWeightToIoWeight(1000));
        assertEquals(1024, Conversions.memorySwapToV2(2048, 1024));
        assertEquals(-1, Conversions.memorySwapToV2(-1, 1024));
        assertEquals(-1, Conversions.memorySwapToV2(0, -1));
        assertEquals(0, Conversions.memorySwapToV2(0, 1024));
    }

    @Test
    void cpuWeightMaxBurstIdleAndCpuset() throws Exception {
        created();
        m.apply(res("{\"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 100000, \"burst\": 1000, \"idle\": 0,"
                + " \"cpus\": \"0-1\", \"mems\": \"0\"}}"));
        assertEquals(List.of("cpu.weight=39", "cpu.max=50000 100000", "cpu.max.burst=1000", "cpu.idle=0",
                "cpuset.cpus=0-1", "cpuset.mems=0"), writes());
        assertEquals("39", read(dir.resolve("cpu.weight")));

        fs.log.clear();
        m.apply(res("{\"cpu\": {\"quota\": -1}}"));
        m.apply(res("{\"cpu\": {\"period\": 25000}}"));
        assertEquals(List.of("cpu.max=max 100000", "cpu.max=max 25000"), writes());
    }

    @Test
    void realtimeIsRefusedOnV2() throws Exception {
        created();
        CgroupException e = assertThrows(CgroupException.class,
                () -> m.apply(res("{\"cpu\": {\"realtimeRuntime\": 1000}}")));
        assertTrue(e.getMessage().contains("no realtime group scheduling"), e.getMessage());
        assertTrue(fs.writes().isEmpty());
    }

    @Test
    void ioWeightAndMax() throws Exception {
        created();
        m.apply(res("""
                {"blockIO": {"weight": 500, "leafWeight": 10,
                  "weightDevice": [{"major": 8, "minor": 0, "weight": 400}],
                  "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
                  "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 2097152}],
                  "throttleReadIOPSDevice": [{"major": 8, "minor": 0, "rate": 100}],
                  "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 200}]}}"""));
        assertEquals(List.of("io.weight=4950", "io.max=8:0 rbps=1048576", "io.max=8:0 wbps=2097152",
                "io.max=8:0 riops=100", "io.max=8:0 wiops=200"), writes(),
                "without BFQ: converted weight, no per-device weight, no leaf weight");
    }

    @Test
    void ioWeightGoesToBfqWhenPresent() throws Exception {
        created();
        FakeCgroupFs.put(dir.resolve("io.bfq.weight"), "default 100\n");
        m.apply(res("{\"blockIO\": {\"weight\": 500, \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 400}]}}"));
        assertEquals(List.of("io.bfq.weight=500", "io.bfq.weight=8:0 400"), writes());
    }

    @Test
    void pidsHugetlbRdma() throws Exception {
        created();
        m.apply(res("""
                {"pids": {"limit": -1}, "hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}],
                 "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 1000}, "mlx5_2": {"hcaObjects": 5}}}"""));
        assertEquals(List.of("pids.max=max", "hugetlb.2MB.max=2097152", "rdma.max=mlx5_1 hca_handle=3 hca_object=1000",
                "rdma.max=mlx5_2 hca_object=5"), writes());
    }

    @Test
    void unifiedIsWrittenVerbatimAndLast() throws Exception {
        created();
        FakeCgroupFs.put(dir.resolve("memory.high"), "max\n");
        FakeCgroupFs.put(dir.resolve("cgroup.max.depth"), "max\n");
        m.apply(res("{\"memory\": {\"limit\": 2048}, \"unified\": {\"memory.max\": \"4096\","
                + " \"memory.high\": \"1024\", \"cgroup.max.depth\": \"3\"}}"));
        assertEquals(List.of("memory.max=2048", "memory.max=4096", "memory.high=1024", "cgroup.max.depth=3"),
                writes());
        assertEquals("4096", read(dir.resolve("memory.max")));
    }

    @Test
    void unifiedKeysAreChecked() throws Exception {
        created();
        CgroupException e = assertThrows(CgroupException.class,
                () -> m.apply(res("{\"unified\": {\"net_cls.classid\": \"1\"}}")));
        assertEquals("unified resource \"net_cls.classid\" can't be set: controller \"net_cls\" not available",
                e.getMessage());
        e = assertThrows(CgroupException.class, () -> m.apply(res("{\"unified\": {\"../cgroup.procs\": \"1\"}}")));
        assertTrue(e.getMessage().contains("no slashes"), e.getMessage());
        e = assertThrows(CgroupException.class, () -> m.apply(res("{\"unified\": {\"memory\": \"1\"}}")));
        assertTrue(e.getMessage().contains("CONTROLLER.PARAMETER"), e.getMessage());
        e = assertThrows(CgroupException.class, () -> m.apply(res("{\"unified\": {\"memory.nonsense\": \"1\"}}")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(fs.writes().isEmpty());
    }

    @Test
    void deviceRulesBecomeAnEbpfFilterOnTheLeaf() throws Exception {
        created();
        m.apply(res("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
                + " {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200, \"access\": \"rwm\"}]}"));
        // 6 loads, one 5-instruction block for c 10:200 rwm, the default deny
        assertEquals(List.of(fs.writes().getFirst()), fs.writes());
        assertTrue(fs.writes().getFirst().endsWith("/<bpf device filter>=13 insns"), fs.writes().toString());
        assertEquals(13, fs.deviceFilters.get(dir).instructionCount());
    }

    @Test
    void aBadDeviceRuleFailsBeforeAnythingIsWritten() throws Exception {
        created();
        CgroupException e = assertThrows(CgroupException.class, () -> m.apply(res("{\"pids\": {\"limit\": 5},"
                + " \"devices\": [{\"allow\": true, \"type\": \"x\", \"access\": \"rwm\"}]}")));
        assertEquals("invalid cgroup device type \"x\" at linux.resources.devices[0]", e.getMessage());
        assertTrue(fs.writes().isEmpty());
    }

    @Test
    void networkIsRefusedOnV2() throws Exception {
        created();
        CgroupException e = assertThrows(CgroupException.class, () -> m.apply(res("{\"network\": {\"classID\": 7}}")));
        assertTrue(e.getMessage().contains("cgroup v2 does not have"), e.getMessage());
    }

    @Test
    void freezeWaitsForCgroupEvents() throws Exception {
        created();
        assertFalse(m.isFrozen());
        m.freeze();
        assertTrue(m.isFrozen());
        assertEquals("1", read(dir.resolve("cgroup.freeze")));
        m.thaw();
        assertFalse(m.isFrozen());
        assertEquals("0", read(dir.resolve("cgroup.freeze")));
    }

    @Test
    void addProcessAndPids() throws Exception {
        created();
        m.addProcess(300);
        m.addProcess(301);
        assertEquals(List.of("cgroup.procs=300", "cgroup.procs=301"), writes());
        assertEquals(List.of(300, 301), m.pids());
    }

    @Test
    void destroyWithCgroupKill() throws Exception {
        fs.cgroupKill = true;
        created();
        m.addProcess(400);
        m.destroy();
        assertTrue(writes().contains("cgroup.kill=1"));
        assertTrue(killed.isEmpty(), "the kernel did the killing");
        assertFalse(Files.exists(dir));
        assertTrue(Files.isDirectory(dir.getParent()));
        m.destroy();
    }

    @Test
    void destroyWithoutCgroupKillFreezesAndKills() throws Exception {
        created();
        m.addProcess(500);
        fs.mkdir(dir.resolve("child"));
        fs.write(dir.resolve("child/cgroup.procs"), "501");
        fs.log.clear();
        m.destroy();
        assertEquals(List.of(500, 501), killed);
        assertEquals(List.of("cgroup.freeze=1", "cgroup.freeze=0"), writes());
        assertFalse(Files.exists(dir));
        assertFalse(m.exists());
        m.destroy();
    }

    @Test
    void loadRebuildsFromPaths() throws Exception {
        created();
        m.addProcess(600);
        CgroupManager loaded = CgroupManager.load(host.layout(), m.paths());
        assertEquals(CgroupLayout.Mode.V2, loaded.mode());
        assertEquals(List.of(600), loaded.pids());
        assertEquals(dir, loaded.dir("memory").orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> CgroupManager.load(host.layout(), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> CgroupManager.load(host.layout(), Map.of("", "/a", "memory", "/b")));
    }
}
