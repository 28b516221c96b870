package io.jshim.engine.cgroup.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupFs;
import io.jshim.engine.json.GoJson;
import io.jshim.engine.stats.RuncStatsJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readers against directories laid out as the kernel lays out cgroupfs (contents as seen on a real host). */
class StatsReaderTest {
    @TempDir
    Path tmp;

    private Path file(String rel, String content) throws IOException {
        Path p = tmp.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    private Map<String, Path> v1Container() throws IOException {
        file("cpuacct/c/cpuacct.stat", "user 1\nsystem 3\n");
        file("cpuacct/c/cpuacct.usage", "40149312\n");
        file("cpuacct/c/cpuacct.usage_percpu", "10449863 29699449 \n");
        file("cpuacct/c/cpuacct.usage_all", "cpu user system\n0 0 12000000\n1 12000000 24000000\n");
        file("cpu/c/cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n");
        file("cpuset/c/cpuset.cpus", "0-1\n");
        file("cpuset/c/cpuset.mems", "0\n");
        for (String f : List.of("cpu_exclusive", "mem_hardwall", "mem_exclusive", "memory_migrate",
                "memory_spread_page", "memory_spread_slab", "memory_pressure")) {
            file("cpuset/c/cpuset." + f, "0\n");
        }
        file("cpuset/c/cpuset.sched_load_balance", "1\n");
        file("cpuset/c/cpuset.sched_relax_domain_level", "-1\n");
        file("memory/c/memory.stat", "cache 0\nrss 53248\npgfault 679\nhierarchical_memory_limit 9223372036854771712\n");
        memoryFiles("memory", "610304", "2486272", "0", "9223372036854771712");
        memoryFiles("memory.memsw", "610304", "2486272", "0", "9223372036854771712");
        memoryFiles("memory.kmem", "282624", "581632", "0", "9223372036854771712");
        memoryFiles("memory.kmem.tcp", "0", "0", "0", "9223372036854771712");
        file("memory/c/memory.use_hierarchy", "1\n");
        file("pids/c/pids.current", "1\n");
        file("pids/c/pids.max", "max\n");
        Files.createDirectories(tmp.resolve("blkio/c"));
        file("blkio/c/blkio.bfq.io_serviced_recursive", "");
        file("blkio/c/blkio.throttle.io_serviced_recursive", "Total 0\n");
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (String c : List.of("cpuacct", "cpu", "cpuset", "memory", "pids", "blkio")) {
            dirs.put(c, tmp.resolve(c).resolve("c"));
        }
        return dirs;
    }

    private void memoryFiles(String prefix, String usage, String max, String failcnt, String limit) throws IOException {
        file("memory/c/" + prefix + ".usage_in_bytes", usage + "\n");
        file("memory/c/" + prefix + ".max_usage_in_bytes", max + "\n");
        file("memory/c/" + prefix + ".failcnt", failcnt + "\n");
        file("memory/c/" + prefix + ".limit_in_bytes", limit + "\n");
    }

    private V1StatsReader v1(List<String> hugePageSizes) {
        return new V1StatsReader(new StatFiles(CgroupFs.kernel()), hugePageSizes);
    }

    @Test
    void v1ContainerReadsAsRuncPrintsIt() throws Exception {
        CgroupStats s = v1(List.of()).read(v1Container());
        // The same container as runc 1.1.5 printed it on this host kind (events --stats), raw abridged.
        String expected = "{\"cpu\":{\"usage\":{\"total\":40149312,\"percpu\":[10449863,29699449],"
                + "\"percpu_kernel\":[12000000,24000000],\"percpu_user\":[0,12000000],\"kernel\":30000000,"
                + "\"user\":10000000},\"throttling\":{}},\"cpuset\":{\"cpus\":[0,1],\"cpu_exclusive\":0,\"mems\":[0],"
                + "\"mem_hardwall\":0,\"mem_exclusive\":0,\"memory_migrate\":0,\"memory_spread_page\":0,"
                + "\"memory_spread_slab\":0,\"memory_pressure\":0,\"sched_load_balance\":1,"
                + "\"sched_relax_domain_level\":-1},\"memory\":{\"usage\":{\"limit\":9223372036854771712,"
                + "\"usage\":610304,\"max\":2486272,\"failcnt\":0},\"swap\":{\"limit\":9223372036854771712,"
                + "\"usage\":610304,\"max\":2486272,\"failcnt\":0},\"kernel\":{\"limit\":9223372036854771712,"
                + "\"usage\":282624,\"max\":581632,\"failcnt\":0},\"kernelTCP\":{\"limit\":9223372036854771712,"
                + "\"failcnt\":0},\"raw\":{\"cache\":0,\"hierarchical_memory_limit\":9223372036854771712,"
                + "\"pgfault\":679,\"rss\":53248}},\"pids\":{\"current\":1},\"blkio\":{},\"hugetlb\":{},"
                + "\"intel_rdt\":{},\"network_interfaces\":null}";
        assertEquals(expected, GoJson.compact(RuncStatsJson.stats(s)));
        assertTrue(s.memory().useHierarchy());
    }

    @Test
    void v1SwapAndKmemAreOptionalButMemoryUsageIsNot() throws Exception {
        Map<String, Path> dirs = v1Container();
        Path mem = dirs.get("memory");
        for (String f : List.of("usage_in_bytes", "max_usage_in_bytes", "failcnt", "limit_in_bytes")) {
            Files.delete(mem.resolve("memory.memsw." + f));
        }
        CgroupStats s = v1(List.of()).read(dirs);
        assertEquals(CgroupStats.MemoryData.EMPTY, s.memory().swap());
        Files.delete(mem.resolve("memory.usage_in_bytes"));
        CgroupException e = assertThrows(CgroupException.class, () -> v1(List.of()).read(dirs));
        assertTrue(e.getMessage().contains("memory.usage_in_bytes"), e.getMessage());
    }

    @Test
    void v1PidsLimitAndThrottling() throws Exception {
        Map<String, Path> dirs = v1Container();
        file("pids/c/pids.max", "50\n");
        file("cpu/c/cpu.stat", "nr_periods 10\nnr_throttled 4\nthrottled_time 123456\n");
        CgroupStats s = v1(List.of()).read(dirs);
        assertEquals(new CgroupStats.Pids(1, 50), s.pids());
        assertEquals(new CgroupStats.Throttling(10, 4, 123456), s.cpu().throttling());
        String json = GoJson.compact(RuncStatsJson.stats(s));
        assertTrue(json.contains("\"throttling\":{\"periods\":10,\"throttledPeriods\":4,\"throttledTime\":123456}"),
                json);
        assertTrue(json.contains("\"pids\":{\"current\":1,\"limit\":50}"), json);
    }

    @Test
    void v1BlkioFollowsRuncsOrderOfPreference() throws Exception {
        Map<String, Path> dirs = v1Container();
        // BFQ without debug statistics: the second group wins.
        file("blkio/c/blkio.bfq.io_serviced_recursive", "8:0 Read 5\n8:0 Write 6\nTotal 11\n");
        file("blkio/c/blkio.bfq.io_service_bytes_recursive", "8:0 Read 4096\n8:0 Write 8192\nTotal 12288\n");
        CgroupStats.Blkio b = v1(List.of()).read(dirs).blkio();
        assertEquals(List.of(new CgroupStats.BlkioEntry(8, 0, "Read", 5), new CgroupStats.BlkioEntry(8, 0, "Write", 6)),
                b.ioServicedRecursive());
        assertEquals(2, b.ioServiceBytesRecursive().size());
        assertTrue(b.sectorsRecursive().isEmpty());
        String json = GoJson.compact(RuncStatsJson.stats(v1(List.of()).read(dirs)));
        assertTrue(json.contains("\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":4096},"
                + "{\"major\":8,\"op\":\"Write\",\"value\":8192}],\"ioServicedRecursive\":[{\"major\":8,\"op\":\"Read\","
                + "\"value\":5},{\"major\":8,\"op\":\"Write\",\"value\":6}]}"), json);
        // A malformed line in a group's later file is an error naming the file.
        file("blkio/c/blkio.bfq.io_service_bytes_recursive", "8:0\n");
        CgroupException e = assertThrows(CgroupException.class, () -> v1(List.of()).read(dirs));
        assertTrue(e.getMessage().contains("blkio.bfq.io_service_bytes_recursive: malformed line"), e.getMessage());
    }

    @Test
    void v1HugetlbPerPageSize() throws Exception {
        Map<String, Path> dirs = v1Container();
        file("hugetlb/c/hugetlb.2MB.usage_in_bytes", "2097152\n");
        file("hugetlb/c/hugetlb.2MB.max_usage_in_bytes", "4194304\n");
        file("hugetlb/c/hugetlb.2MB.failcnt", "0\n");
        dirs.put("hugetlb", tmp.resolve("hugetlb/c"));
        CgroupStats s = v1(List.of("2MB")).read(dirs);
        assertEquals(Map.of("2MB", new CgroupStats.Hugetlb(2097152, 4194304, 0)), s.hugetlb());
        assertTrue(GoJson.compact(RuncStatsJson.stats(s))
                .contains("\"hugetlb\":{\"2MB\":{\"usage\":2097152,\"max\":4194304,\"failcnt\":0}}"));
    }

    @Test
    void v1ParseErrorsNameTheFile() throws Exception {
        Map<String, Path> dirs = v1Container();
        file("cpuacct/c/cpuacct.stat", "bogus\n");
        CgroupException e = assertThrows(CgroupException.class, () -> v1(List.of()).read(dirs));
        assertEquals("unable to parse " + tmp.resolve("cpuacct/c/cpuacct.stat") + ": malformed line: bogus",
                e.getMessage());
    }

    @Test
    void v2ContainerMapsOntoV1Shapes() throws Exception {
        file("c/cgroup.procs", "12\n13\n");
        file("c/pids.current", "2\n");
        file("c/pids.max", "max\n");
        file("c/memory.stat", "anon 4096\nfile 8192\n");
        file("c/memory.current", "12288\n");
        file("c/memory.max", "104857600\n");
        file("c/memory.swap.current", "0\n");
        file("c/memory.swap.max", "max\n");
        file("c/io.stat", "8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");
        file("c/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 3\nnr_throttled 1\n"
                + "throttled_usec 7\n");
        file("c/hugetlb.2MB.current", "0\n");
        file("c/hugetlb.2MB.events", "max 3\n");
        CgroupStats s = new V2StatsReader(new StatFiles(CgroupFs.kernel()), List.of("2MB")).read(tmp.resolve("c"));
        assertEquals(new CgroupStats.Pids(2, 0), s.pids());
        assertEquals(8192, s.memory().cache());
        assertEquals(new CgroupStats.MemoryData(12288, 0, 0, 104857600), s.memory().usage());
        // swap is reported as memory+swap; an unlimited swap stays unlimited (2^64-1)
        assertEquals(new CgroupStats.MemoryData(12288, 0, 0, -1), s.memory().swap());
        assertEquals(List.of(new CgroupStats.BlkioEntry(8, 0, "Read", 4096), new CgroupStats.BlkioEntry(8, 0, "Write",
                0)), s.blkio().ioServiceBytesRecursive());
        assertEquals(new CgroupStats.CpuUsage(1_500_000, List.of(), List.of(), List.of(), 500_000, 1_000_000),
                s.cpu().usage());
        assertEquals(new CgroupStats.Throttling(3, 1, 7000), s.cpu().throttling());
        assertEquals(Map.of("2MB", new CgroupStats.Hugetlb(0, 0, 3)), s.hugetlb());
        String json = GoJson.compact(RuncStatsJson.stats(s));
        assertTrue(json.contains("\"swap\":{\"limit\":18446744073709551615,\"usage\":12288,\"failcnt\":0}"), json);
    }

    @Test
    void v2WithoutControllersCountsProcsAndSkipsTheRest() throws Exception {
        file("c/cgroup.procs", "12\n13\n14\n");
        CgroupStats s = new V2StatsReader(new StatFiles(CgroupFs.kernel()), List.of("2MB")).read(tmp.resolve("c"));
        assertEquals(new CgroupStats.Pids(3, 0), s.pids());
        assertEquals(CgroupStats.MemoryData.EMPTY, s.memory().usage());
        assertTrue(s.hugetlb().isEmpty());
    }

    @Test
    void v2ErrorsAreCollected() throws Exception {
        file("c/pids.current", "x\n");
        file("c/cpu.stat", "usage_usec\n");
        CgroupException e = assertThrows(CgroupException.class,
                () -> new V2StatsReader(new StatFiles(CgroupFs.kernel()), List.of()).read(tmp.resolve("c")));
        assertTrue(e.getMessage().startsWith("error while statting cgroup v2: [unable to parse "), e.getMessage());
        assertTrue(e.getMessage().contains("pids.current") && e.getMessage().contains("cpu.stat"), e.getMessage());
    }

    @Test
    void parseUintReadsNegativesAsZeroLikeRunc() throws Exception {
        assertEquals(0, StatFiles.parseUint(tmp, "-5"));
        assertEquals(-1, StatFiles.parseUintOrMax(tmp, "max"));
        assertEquals(-1, StatFiles.parseUint(tmp, "18446744073709551615"));
        assertThrows(CgroupException.class, () -> StatFiles.parseUint(tmp, "1x"));
    }

    @Test
    void cpuListsExpandAsCpuset7() throws Exception {
        assertEquals(List.of(0, 1, 2, 5), StatFiles.cpuList(tmp, "0-2,5\n"));
        assertThrows(CgroupException.class, () -> StatFiles.cpuList(tmp, "3-1"));
        assertThrows(CgroupException.class, () -> StatFiles.cpuList(tmp, "\n"));
    }

    @Test
    void hugePageSizesAreNamedAsTheKernelNamesHugetlbFiles() {
        assertEquals(List.of("1GB", "2MB", "64KB"), HugePageSizes.fromDirNames(
                List.of("hugepages-1048576kB", "hugepages-2048kB", "hugepages-64kB", "other")));
    }
}
