package io.jshim.engine.cgroup.stats;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.stats.CgroupStats.Blkio;
import io.jshim.engine.cgroup.stats.CgroupStats.BlkioEntry;
import io.jshim.engine.cgroup.stats.CgroupStats.CpuSet;
import io.jshim.engine.cgroup.stats.CgroupStats.CpuUsage;
import io.jshim.engine.cgroup.stats.CgroupStats.Hugetlb;
import io.jshim.engine.cgroup.stats.CgroupStats.Memory;
import io.jshim.engine.cgroup.stats.CgroupStats.MemoryData;
import io.jshim.engine.cgroup.stats.CgroupStats.Pids;
import io.jshim.engine.cgroup.stats.CgroupStats.Throttling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Statistics of a container on cgroup v1 hierarchies, file by file as runc 1.1's
 * libcontainer/cgroups/fs/*.go GetStats read them (and the kernel documents them in
 * Documentation/admin-guide/cgroup-v1/): which files are optional, which are an error
 * when missing, and how each is parsed. A controller the container has no directory for
 * contributes nothing.
 */
final class V1StatsReader {
    /** runc's clockTicks: sysconf(_SC_CLK_TCK) is 100 on every Linux (USER_HZ). */
    private static final long CLOCK_TICKS = 100;
    private static final long NS_PER_SECOND = 1_000_000_000L;

    private final StatFiles files;
    private final List<String> hugePageSizes;

    V1StatsReader(StatFiles files, List<String> hugePageSizes) {
        this.files = files;
        this.hugePageSizes = hugePageSizes;
    }

    /** @param dirs controller name → the container's directory in that hierarchy */
    CgroupStats read(Map<String, Path> dirs) throws CgroupException {
        Path cpuacct = dirs.get("cpuacct");
        Path cpu = dirs.get("cpu");
        CpuUsage usage = cpuacct == null ? CpuUsage.EMPTY : cpuacct(cpuacct);
        Throttling throttling = cpu == null ? Throttling.EMPTY : throttling(cpu);
        Path cpuset = dirs.get("cpuset");
        Path memory = dirs.get("memory");
        Path pids = dirs.get("pids");
        Path blkio = dirs.get("blkio");
        Path hugetlb = dirs.get("hugetlb");
        return new CgroupStats(new CgroupStats.Cpu(usage, throttling),
                cpuset == null ? CpuSet.EMPTY : cpuset(cpuset),
                memory == null ? Memory.EMPTY : memory(memory),
                pids == null ? Pids.EMPTY : pids(pids),
                blkio == null ? Blkio.EMPTY : blkio(blkio),
                hugetlb == null ? Map.of() : hugetlb(hugetlb));
    }

    // ---- cpuacct (cgroup-v1/cpuacct.rst; runc fs/cpuacct.go) ----

    CpuUsage cpuacct(Path dir) throws CgroupException {
        if (!files.exists(dir)) {
            return CpuUsage.EMPTY;
        }
        Path statFile = dir.resolve("cpuacct.stat");
        String stat = files.read(dir, "cpuacct.stat");
        String[] f = stat.strip().split("\\s+");
        if (f.length < 4 || !f[0].equals("user") || !f[2].equals("system")) {
            throw StatFiles.parseError(statFile, "malformed line: " + stat.strip());
        }
        // cpuacct.stat counts USER_HZ ticks; runc reports nanoseconds.
        long user = Long.divideUnsigned(strictUint(statFile, f[1]) * NS_PER_SECOND, CLOCK_TICKS);
        long kernel = Long.divideUnsigned(strictUint(statFile, f[3]) * NS_PER_SECOND, CLOCK_TICKS);
        long total = files.uint(dir, "cpuacct.usage");
        List<Long> percpu = new ArrayList<>();
        Path percpuFile = dir.resolve("cpuacct.usage_percpu");
        for (String v : files.read(dir, "cpuacct.usage_percpu").strip().split("\\s+")) {
            if (!v.isEmpty()) {
                percpu.add(strictUint(percpuFile, v));
            }
        }
        List<Long> percpuKernel = new ArrayList<>();
        List<Long> percpuUser = new ArrayList<>();
        // cpuacct.usage_all (Linux 4.7+): "cpu user system" per CPU after a header line.
        String all = files.readOptional(dir, "cpuacct.usage_all");
        if (all != null) {
            Path allFile = dir.resolve("cpuacct.usage_all");
            List<String> lines = StatFiles.lines(all);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] cols = line.split(" ", 4);
                if (cols.length != 3) {
                    continue;
                }
                percpuKernel.add(strictUint(allFile, cols[2]));
                percpuUser.add(strictUint(allFile, cols[1]));
            }
        }
        return new CpuUsage(total, percpu, percpuKernel, percpuUser, kernel, user);
    }

    // ---- cpu (scheduler/sched-bwc.rst; runc fs/cpu.go) ----

    Throttling throttling(Path dir) throws CgroupException {
        String text = files.readOptional(dir, "cpu.stat");
        if (text == null) {
            return Throttling.EMPTY;
        }
        Map<String, Long> kv = StatFiles.keyValues(dir.resolve("cpu.stat"), text);
        return new Throttling(kv.getOrDefault("nr_periods", 0L), kv.getOrDefault("nr_throttled", 0L),
                kv.getOrDefault("throttled_time", 0L));
    }

    // ---- cpuset (cgroup-v1/cpusets.rst; runc fs/cpuset.go): every file optional ----

    CpuSet cpuset(Path dir) throws CgroupException {
        String cpus = files.readOptional(dir, "cpuset.cpus");
        String mems = files.readOptional(dir, "cpuset.mems");
        Long relax = files.intOptional(dir, "cpuset.sched_relax_domain_level");
        return new CpuSet(
                cpus == null ? List.of() : StatFiles.cpuList(dir.resolve("cpuset.cpus"), cpus),
                opt(dir, "cpuset.cpu_exclusive"),
                mems == null ? List.of() : StatFiles.cpuList(dir.resolve("cpuset.mems"), mems),
                opt(dir, "cpuset.mem_hardwall"), opt(dir, "cpuset.mem_exclusive"),
                opt(dir, "cpuset.memory_migrate"), opt(dir, "cpuset.memory_spread_page"),
                opt(dir, "cpuset.memory_spread_slab"), opt(dir, "cpuset.memory_pressure"),
                opt(dir, "cpuset.sched_load_balance"), relax == null ? 0 : relax);
    }

    private long opt(Path dir, String file) throws CgroupException {
        Long v = files.uintOptional(dir, file);
        return v == null ? 0 : v;
    }

    // ---- memory (cgroup-v1/memory.rst; runc fs/memory.go) ----

    Memory memory(Path dir) throws CgroupException {
        String stat = files.readOptional(dir, "memory.stat");
        if (stat == null) {
            return Memory.EMPTY;
        }
        Map<String, Long> kv = StatFiles.keyValues(dir.resolve("memory.stat"), stat);
        MemoryData usage = memoryData(dir, "memory", false);
        // memsw (swap accounting) and kmem are optional in the kernel: absent reads as zeros.
        MemoryData swap = memoryData(dir, "memory.memsw", true);
        MemoryData kernel = memoryData(dir, "memory.kmem", true);
        MemoryData kernelTcp = memoryData(dir, "memory.kmem.tcp", true);
        boolean hierarchy = files.uint(dir, "memory.use_hierarchy") == 1;
        return new Memory(kv.getOrDefault("cache", 0L), usage, swap, kernel, kernelTcp, hierarchy, kv);
    }

    private MemoryData memoryData(Path dir, String prefix, boolean optional) throws CgroupException {
        Long usage = files.uintOptional(dir, prefix + ".usage_in_bytes");
        if (usage == null) {
            if (optional) {
                return MemoryData.EMPTY;
            }
            files.read(dir, prefix + ".usage_in_bytes"); // throws, naming the missing file
        }
        return new MemoryData(usage, files.uint(dir, prefix + ".max_usage_in_bytes"),
                files.uint(dir, prefix + ".failcnt"), files.uint(dir, prefix + ".limit_in_bytes"));
    }

    // ---- pids (cgroup-v1/pids.rst) ----

    Pids pids(Path dir) throws CgroupException {
        if (!files.exists(dir)) {
            return Pids.EMPTY;
        }
        long current = files.uint(dir, "pids.current");
        long max = files.uint(dir, "pids.max");
        // "max" (no limit) is reported as 0, as runc has always done.
        return new Pids(current, max == StatFiles.MAX ? 0 : max);
    }

    // ---- hugetlb (cgroup-v1/hugetlb.rst) ----

    Map<String, Hugetlb> hugetlb(Path dir) throws CgroupException {
        Map<String, Hugetlb> out = new LinkedHashMap<>();
        if (!files.exists(dir)) {
            return out;
        }
        for (String size : hugePageSizes) {
            String p = "hugetlb." + size;
            out.put(size, new Hugetlb(files.uint(dir, p + ".usage_in_bytes"),
                    files.uint(dir, p + ".max_usage_in_bytes"), files.uint(dir, p + ".failcnt")));
        }
        return out;
    }

    // ---- blkio (cgroup-v1/blkio-controller.rst; runc fs/blkio.go GetStats) ----

    private enum Table { SERVICE_BYTES, SERVICED, QUEUED, SERVICE_TIME, WAIT_TIME, MERGED, TIME, SECTORS }

    private record Source(String file, Table table) {
    }

    /**
     * Which files feed which table, in runc's order of preference: BFQ with debug statistics,
     * BFQ, CFQ, throttling (recursive), throttling. Within a group, a first file that is
     * missing or empty moves on to the next group; a later one ends the search with what
     * was found so far.
     */
    private static final List<List<Source>> BLKIO_GROUPS = List.of(
            List.of(new Source("blkio.bfq.sectors_recursive", Table.SECTORS),
                    new Source("blkio.bfq.io_service_time_recursive", Table.SERVICE_TIME),
                    new Source("blkio.bfq.io_wait_time_recursive", Table.WAIT_TIME),
                    new Source("blkio.bfq.io_merged_recursive", Table.MERGED),
                    new Source("blkio.bfq.io_queued_recursive", Table.QUEUED),
                    new Source("blkio.bfq.time_recursive", Table.TIME),
                    new Source("blkio.bfq.io_serviced_recursive", Table.SERVICED),
                    new Source("blkio.bfq.io_service_bytes_recursive", Table.SERVICE_BYTES)),
            List.of(new Source("blkio.bfq.io_serviced_recursive", Table.SERVICED),
                    new Source("blkio.bfq.io_service_bytes_recursive", Table.SERVICE_BYTES)),
            List.of(new Source("blkio.sectors_recursive", Table.SECTORS),
                    new Source("blkio.io_service_time_recursive", Table.SERVICE_TIME),
                    new Source("blkio.io_wait_time_recursive", Table.WAIT_TIME),
                    new Source("blkio.io_merged_recursive", Table.MERGED),
                    new Source("blkio.io_queued_recursive", Table.QUEUED),
                    new Source("blkio.time_recursive", Table.TIME),
                    new Source("blkio.io_serviced_recursive", Table.SERVICED),
                    new Source("blkio.io_service_bytes_recursive", Table.SERVICE_BYTES)),
            List.of(new Source("blkio.throttle.io_serviced_recursive", Table.SERVICED),
                    new Source("blkio.throttle.io_service_bytes_recursive", Table.SERVICE_BYTES)),
            List.of(new Source("blkio.throttle.io_serviced", Table.SERVICED),
                    new Source("blkio.throttle.io_service_bytes", Table.SERVICE_BYTES)));

    Blkio blkio(Path dir) throws CgroupException {
        Map<Table, List<BlkioEntry>> t = new LinkedHashMap<>();
        search:
        for (List<Source> group : BLKIO_GROUPS) {
            for (int i = 0; i < group.size(); i++) {
                Source s = group.get(i);
                List<BlkioEntry> entries;
                try {
                    entries = blkioFile(dir, s.file());
                } catch (CgroupException e) {
                    if (i == 0) {
                        continue search; // runc: an error on a group's first file means "try the next group"
                    }
                    throw e;
                }
                if (entries == null) {
                    if (i == 0) {
                        continue search;
                    }
                    break search;
                }
                t.put(s.table(), entries);
                if (i == group.size() - 1) {
                    break search;
                }
            }
        }
        return new Blkio(get(t, Table.SERVICE_BYTES), get(t, Table.SERVICED), get(t, Table.QUEUED),
                get(t, Table.SERVICE_TIME), get(t, Table.WAIT_TIME), get(t, Table.MERGED), get(t, Table.TIME),
                get(t, Table.SECTORS));
    }

    private static List<BlkioEntry> get(Map<Table, List<BlkioEntry>> t, Table k) {
        return t.getOrDefault(k, List.of());
    }

    /** One blkio file: "MAJ:MIN [Op] value" per line, "Total N" skipped; null when missing or empty. */
    private List<BlkioEntry> blkioFile(Path dir, String name) throws CgroupException {
        String text = files.readOptional(dir, name);
        if (text == null) {
            return null;
        }
        Path file = dir.resolve(name);
        List<BlkioEntry> out = new ArrayList<>();
        for (String line : StatFiles.lines(text)) {
            List<String> f = new ArrayList<>();
            for (String x : line.split("[ :]")) {
                if (!x.isEmpty()) {
                    f.add(x);
                }
            }
            if (f.size() < 3) {
                if (f.size() == 2 && f.get(0).equals("Total")) {
                    continue;
                }
                throw StatFiles.parseError(file, "malformed line: " + line);
            }
            String op = f.size() == 4 ? f.get(2) : "";
            String value = f.size() == 4 ? f.get(3) : f.get(2);
            out.add(new BlkioEntry(strictUint(file, f.get(0)), strictUint(file, f.get(1)), op,
                    strictUint(file, value)));
        }
        return out.isEmpty() ? null : out;
    }

    /** strconv.ParseUint: unlike fscommon.ParseUint, a negative value is an error. */
    private static long strictUint(Path file, String s) throws CgroupException {
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw StatFiles.parseError(file, "invalid syntax in \"" + s + "\"");
        }
    }
}
