package io.jshim.engine.cgroup.stats;

import java.util.List;
import java.util.Map;

/**
 * What a container's cgroup says about its resource use, shaped as runc's
 * libcontainer/cgroups/stats.go {@code Stats} so that both consumers can be fed from it:
 * {@code jrunc events} (runc's types.Stats JSON, {@link io.jshim.engine.stats.RuncStatsJson})
 * and the shim's Stats RPC (containerd's cgroups v1/v2 Metrics).
 *
 * <p>Every counter is a Go {@code uint64} held in a {@code long}: read it with
 * {@link Long#toUnsignedString}; "max" in a cgroup file reads as {@code -1} (2^64-1).
 */
public record CgroupStats(Cpu cpu, CpuSet cpuset, Memory memory, Pids pids, Blkio blkio,
        Map<String, Hugetlb> hugetlb) {

    /** CPU time: usage (nanoseconds) and CFS throttling. */
    public record Cpu(CpuUsage usage, Throttling throttling) {
        static final Cpu EMPTY = new Cpu(CpuUsage.EMPTY, Throttling.EMPTY);
    }

    /**
     * Nanoseconds since the cgroup was made; per-CPU lists are empty where the kernel has no
     * per-CPU accounting (cgroup v2, or v1 without cpuacct.usage_all).
     */
    public record CpuUsage(long total, List<Long> percpu, List<Long> percpuKernel, List<Long> percpuUser,
            long kernel, long user) {
        static final CpuUsage EMPTY = new CpuUsage(0, List.of(), List.of(), List.of(), 0, 0);
    }

    /** cpu.stat nr_periods, nr_throttled, throttled_time (ns). */
    public record Throttling(long periods, long throttledPeriods, long throttledTime) {
        static final Throttling EMPTY = new Throttling(0, 0, 0);
    }

    /** The v1 cpuset files (cgroup-v1/cpusets.rst); v2 has no such statistics in runc 1.1. */
    public record CpuSet(List<Integer> cpus, long cpuExclusive, List<Integer> mems, long memHardwall,
            long memExclusive, long memoryMigrate, long memorySpreadPage, long memorySpreadSlab,
            long memoryPressure, long schedLoadBalance, long schedRelaxDomainLevel) {
        static final CpuSet EMPTY = new CpuSet(List.of(), 0, List.of(), 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** One memory counter set: bytes used now, the peak, how often the limit was hit, the limit. */
    public record MemoryData(long usage, long maxUsage, long failcnt, long limit) {
        public static final MemoryData EMPTY = new MemoryData(0, 0, 0, 0);
    }

    /**
     * Memory: {@code swap} is memory+swap as v1 reports it (v2's swap is converted to that);
     * {@code stats} is memory.stat as read, in file order.
     */
    public record Memory(long cache, MemoryData usage, MemoryData swap, MemoryData kernel, MemoryData kernelTcp,
            boolean useHierarchy, Map<String, Long> stats) {
        static final Memory EMPTY = new Memory(0, MemoryData.EMPTY, MemoryData.EMPTY, MemoryData.EMPTY,
                MemoryData.EMPTY, false, Map.of());
    }

    /** pids.current and pids.max (0 = no limit, as runc reports it). */
    public record Pids(long current, long limit) {
        static final Pids EMPTY = new Pids(0, 0);
    }

    /** One line of a blkio file: device, operation ("Read", "Write", ... or ""), value. */
    public record BlkioEntry(long major, long minor, String op, long value) {
    }

    /** The v1 blkio *_recursive tables (v2's io.stat mapped onto the first two). */
    public record Blkio(List<BlkioEntry> ioServiceBytesRecursive, List<BlkioEntry> ioServicedRecursive,
            List<BlkioEntry> ioQueuedRecursive, List<BlkioEntry> ioServiceTimeRecursive,
            List<BlkioEntry> ioWaitTimeRecursive, List<BlkioEntry> ioMergedRecursive,
            List<BlkioEntry> ioTimeRecursive, List<BlkioEntry> sectorsRecursive) {
        static final Blkio EMPTY = new Blkio(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of());
    }

    /** Per huge page size ("2MB"): usage, peak (v1 only), allocation failures. */
    public record Hugetlb(long usage, long maxUsage, long failcnt) {
    }
}
