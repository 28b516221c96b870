package io.jshim.shim.task;

import com.google.protobuf.Any;
import io.jshim.engine.cgroup.stats.CgroupStats;
import io.jshim.proto.cgroups.v1.BlkIOEntry;
import io.jshim.proto.cgroups.v1.BlkIOStat;
import io.jshim.proto.cgroups.v1.CPUStat;
import io.jshim.proto.cgroups.v1.CPUUsage;
import io.jshim.proto.cgroups.v1.HugetlbStat;
import io.jshim.proto.cgroups.v1.MemoryEntry;
import io.jshim.proto.cgroups.v1.MemoryStat;
import io.jshim.proto.cgroups.v1.Metrics;
import io.jshim.proto.cgroups.v1.PidsStat;
import io.jshim.proto.cgroups.v1.Throttle;
import java.util.List;
import java.util.Map;

/**
 * The engine's cgroup statistics as containerd's Stats answer (shim-v2-protocol.md §3.4): an Any of
 * {@code io.containerd.cgroups.v1.Metrics} (this is what CRI's ListContainerStats and {@code ctr task
 * metrics} decode on a cgroup v1 host), or {@code io.containerd.cgroups.v2.Metrics} on a unified host.
 * Never another type: CRI fails the whole call for an unknown one.
 */
final class CgroupMetrics {

    static final String V1_TYPE = "io.containerd.cgroups.v1.Metrics";
    static final String V2_TYPE = "io.containerd.cgroups.v2.Metrics";

    private CgroupMetrics() {
    }

    static Any of(CgroupStats s, boolean unified) {
        return unified
                ? Any.newBuilder().setTypeUrl(V2_TYPE).setValue(v2(s).toByteString()).build()
                : Any.newBuilder().setTypeUrl(V1_TYPE).setValue(v1(s).toByteString()).build();
    }

    static Metrics v1(CgroupStats s) {
        Metrics.Builder m = Metrics.newBuilder();
        if (s.pids() != null) {
            m.setPids(PidsStat.newBuilder().setCurrent(s.pids().current()).setLimit(s.pids().limit()));
        }
        if (s.cpu() != null) {
            CgroupStats.CpuUsage u = s.cpu().usage();
            CgroupStats.Throttling t = s.cpu().throttling();
            CPUStat.Builder cpu = CPUStat.newBuilder();
            if (u != null) {
                cpu.setUsage(CPUUsage.newBuilder().setTotal(u.total()).setKernel(u.kernel()).setUser(u.user())
                        .addAllPerCpu(u.percpu()));
            }
            if (t != null) {
                cpu.setThrottling(Throttle.newBuilder().setPeriods(t.periods())
                        .setThrottledPeriods(t.throttledPeriods()).setThrottledTime(t.throttledTime()));
            }
            m.setCpu(cpu);
        }
        if (s.memory() != null) {
            m.setMemory(memory(s.memory()));
        }
        if (s.blkio() != null) {
            CgroupStats.Blkio b = s.blkio();
            m.setBlkio(BlkIOStat.newBuilder()
                    .addAllIoServiceBytesRecursive(blkio(b.ioServiceBytesRecursive()))
                    .addAllIoServicedRecursive(blkio(b.ioServicedRecursive()))
                    .addAllIoQueuedRecursive(blkio(b.ioQueuedRecursive()))
                    .addAllIoServiceTimeRecursive(blkio(b.ioServiceTimeRecursive()))
                    .addAllIoWaitTimeRecursive(blkio(b.ioWaitTimeRecursive()))
                    .addAllIoMergedRecursive(blkio(b.ioMergedRecursive()))
                    .addAllIoTimeRecursive(blkio(b.ioTimeRecursive()))
                    .addAllSectorsRecursive(blkio(b.sectorsRecursive())));
        }
        if (s.hugetlb() != null) {
            for (Map.Entry<String, CgroupStats.Hugetlb> h : s.hugetlb().entrySet()) {
                m.addHugetlb(HugetlbStat.newBuilder().setPagesize(h.getKey()).setUsage(h.getValue().usage())
                        .setMax(h.getValue().maxUsage()).setFailcnt(h.getValue().failcnt()));
            }
        }
        return m.build();
    }

    private static MemoryStat memory(CgroupStats.Memory mem) {
        Map<String, Long> st = mem.stats() == null ? Map.of() : mem.stats();
        MemoryStat.Builder b = MemoryStat.newBuilder()
                .setCache(st.getOrDefault("cache", mem.cache()))
                .setRss(st.getOrDefault("rss", 0L))
                .setRssHuge(st.getOrDefault("rss_huge", 0L))
                .setMappedFile(st.getOrDefault("mapped_file", 0L))
                .setDirty(st.getOrDefault("dirty", 0L))
                .setWriteback(st.getOrDefault("writeback", 0L))
                .setPgPgIn(st.getOrDefault("pgpgin", 0L))
                .setPgPgOut(st.getOrDefault("pgpgout", 0L))
                .setPgFault(st.getOrDefault("pgfault", 0L))
                .setPgMajFault(st.getOrDefault("pgmajfault", 0L))
                .setInactiveAnon(st.getOrDefault("inactive_anon", 0L))
                .setActiveAnon(st.getOrDefault("active_anon", 0L))
                .setInactiveFile(st.getOrDefault("inactive_file", 0L))
                .setActiveFile(st.getOrDefault("active_file", 0L))
                .setUnevictable(st.getOrDefault("unevictable", 0L))
                .setHierarchicalMemoryLimit(st.getOrDefault("hierarchical_memory_limit", 0L))
                .setHierarchicalSwapLimit(st.getOrDefault("hierarchical_memsw_limit", 0L))
                .setTotalCache(st.getOrDefault("total_cache", 0L))
                .setTotalRss(st.getOrDefault("total_rss", 0L))
                .setTotalRssHuge(st.getOrDefault("total_rss_huge", 0L))
                .setTotalMappedFile(st.getOrDefault("total_mapped_file", 0L))
                .setTotalDirty(st.getOrDefault("total_dirty", 0L))
                .setTotalWriteback(st.getOrDefault("total_writeback", 0L))
                .setTotalPgPgIn(st.getOrDefault("total_pgpgin", 0L))
                .setTotalPgPgOut(st.getOrDefault("total_pgpgout", 0L))
                .setTotalPgFault(st.getOrDefault("total_pgfault", 0L))
                .setTotalPgMajFault(st.getOrDefault("total_pgmajfault", 0L))
                .setTotalInactiveAnon(st.getOrDefault("total_inactive_anon", 0L))
                .setTotalActiveAnon(st.getOrDefault("total_active_anon", 0L))
                .setTotalInactiveFile(st.getOrDefault("total_inactive_file", 0L))
                .setTotalActiveFile(st.getOrDefault("total_active_file", 0L))
                .setTotalUnevictable(st.getOrDefault("total_unevictable", 0L));
        b.setUsage(entry(mem.usage())).setSwap(entry(mem.swap())).setKernel(entry(mem.kernel()))
                .setKernelTcp(entry(mem.kernelTcp()));
        return b.build();
    }

    private static MemoryEntry entry(CgroupStats.MemoryData d) {
        if (d == null) {
            return MemoryEntry.getDefaultInstance();
        }
        return MemoryEntry.newBuilder().setUsage(d.usage()).setMax(d.maxUsage()).setFailcnt(d.failcnt())
                .setLimit(d.limit()).build();
    }

    private static List<BlkIOEntry> blkio(List<CgroupStats.BlkioEntry> entries) {
        if (entries == null) {
            return List.of();
        }
        return entries.stream().map(e -> BlkIOEntry.newBuilder().setMajor(e.major()).setMinor(e.minor())
                .setOp(e.op() == null ? "" : e.op()).setValue(e.value()).build()).toList();
    }

    static io.jshim.proto.cgroups.v2.Metrics v2(CgroupStats s) {
        io.jshim.proto.cgroups.v2.Metrics.Builder m = io.jshim.proto.cgroups.v2.Metrics.newBuilder();
        if (s.pids() != null) {
            m.setPids(io.jshim.proto.cgroups.v2.PidsStat.newBuilder().setCurrent(s.pids().current())
                    .setLimit(s.pids().limit()));
        }
        if (s.cpu() != null && s.cpu().usage() != null) {
            CgroupStats.CpuUsage u = s.cpu().usage();
            io.jshim.proto.cgroups.v2.CPUStat.Builder cpu = io.jshim.proto.cgroups.v2.CPUStat.newBuilder()
                    .setUsageUsec(u.total() / 1000).setUserUsec(u.user() / 1000).setSystemUsec(u.kernel() / 1000);
            if (s.cpu().throttling() != null) {
                cpu.setNrPeriods(s.cpu().throttling().periods())
                        .setNrThrottled(s.cpu().throttling().throttledPeriods())
                        .setThrottledUsec(s.cpu().throttling().throttledTime() / 1000);
            }
            m.setCpu(cpu);
        }
        if (s.memory() != null) {
            Map<String, Long> st = s.memory().stats() == null ? Map.of() : s.memory().stats();
            io.jshim.proto.cgroups.v2.MemoryStat.Builder mem = io.jshim.proto.cgroups.v2.MemoryStat.newBuilder()
                    .setAnon(st.getOrDefault("anon", 0L))
                    .setFile(st.getOrDefault("file", 0L))
                    .setInactiveFile(st.getOrDefault("inactive_file", 0L))
                    .setActiveFile(st.getOrDefault("active_file", 0L))
                    .setInactiveAnon(st.getOrDefault("inactive_anon", 0L))
                    .setActiveAnon(st.getOrDefault("active_anon", 0L));
            if (s.memory().usage() != null) {
                mem.setUsage(s.memory().usage().usage()).setUsageLimit(s.memory().usage().limit());
            }
            m.setMemory(mem);
        }
        return m.build();
    }
}
