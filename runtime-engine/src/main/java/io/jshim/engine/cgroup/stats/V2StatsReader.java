package io.jshim.engine.cgroup.stats;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.stats.CgroupStats.Blkio;
import io.jshim.engine.cgroup.stats.CgroupStats.BlkioEntry;
import io.jshim.engine.cgroup.stats.CgroupStats.Cpu;
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
 * Statistics of a container's cgroup v2 directory (cgroup-v2.rst "Core Interface Files"
 * and each controller's section), mapped onto the v1-shaped {@link CgroupStats} as runc
 * 1.1's libcontainer/cgroups/fs2 does: microseconds become nanoseconds, io.stat's
 * rbytes/wbytes/rios/wios become the v1 service tables, swap is reported as memory+swap.
 * A controller whose files are absent contributes nothing; any other failure is collected
 * and reported together, as runc does.
 */
final class V2StatsReader {
    private final StatFiles files;
    private final List<String> hugePageSizes;

    V2StatsReader(StatFiles files, List<String> hugePageSizes) {
        this.files = files;
        this.hugePageSizes = hugePageSizes;
    }

    CgroupStats read(Path dir) throws CgroupException {
        List<String> errors = new ArrayList<>();
        Pids pids = Pids.EMPTY;
        Memory memory = Memory.EMPTY;
        Blkio blkio = Blkio.EMPTY;
        Cpu cpu = Cpu.EMPTY;
        Map<String, Hugetlb> hugetlb = new LinkedHashMap<>();
        try {
            pids = pids(dir);
        } catch (CgroupException e) {
            errors.add(e.getMessage());
        }
        try {
            memory = memory(dir);
        } catch (CgroupException e) {
            errors.add(e.getMessage());
        }
        try {
            blkio = io(dir);
        } catch (CgroupException e) {
            errors.add(e.getMessage());
        }
        try {
            cpu = cpu(dir);
        } catch (CgroupException e) {
            errors.add(e.getMessage());
        }
        try {
            hugetlb(dir, hugetlb);
        } catch (CgroupException e) {
            errors.add(e.getMessage());
        }
        if (!errors.isEmpty()) {
            throw new CgroupException("error while statting cgroup v2: [" + String.join(" ", errors) + "]");
        }
        return new CgroupStats(cpu, CpuSet.EMPTY, memory, pids, blkio, hugetlb);
    }

    /** pids.current/pids.max; without the pids controller, count cgroup.procs (runc statPidsFromCgroupProcs). */
    Pids pids(Path dir) throws CgroupException {
        Long current = files.uintOptional(dir, "pids.current");
        if (current == null) {
            String procs = files.read(dir, "cgroup.procs");
            return new Pids(procs.chars().filter(c -> c == '\n').count(), 0);
        }
        long max = files.uint(dir, "pids.max");
        return new Pids(current, max == StatFiles.MAX ? 0 : max);
    }

    Memory memory(Path dir) throws CgroupException {
        String stat = files.readOptional(dir, "memory.stat");
        if (stat == null) {
            return Memory.EMPTY;
        }
        Map<String, Long> kv = StatFiles.keyValues(dir.resolve("memory.stat"), stat);
        MemoryData usage = new MemoryData(files.uint(dir, "memory.current"), 0, 0, files.uint(dir, "memory.max"));
        // v2's memory.swap.* count swap alone; v1 (and so every consumer) counts memory+swap.
        Long swapCurrent = files.uintOptional(dir, "memory.swap.current");
        long swapUsage = 0;
        long swapLimit = 0;
        if (swapCurrent != null) {
            swapUsage = swapCurrent;
            swapLimit = files.uint(dir, "memory.swap.max");
        }
        swapUsage += usage.usage();
        if (swapLimit != StatFiles.MAX) {
            swapLimit += usage.limit();
        }
        MemoryData swap = new MemoryData(swapUsage, 0, 0, swapLimit);
        // The page cache is "file" in v2's memory.stat; v2 is always hierarchical.
        return new Memory(kv.getOrDefault("file", 0L), usage, swap, MemoryData.EMPTY, MemoryData.EMPTY, true, kv);
    }

    /** io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device. */
    Blkio io(Path dir) throws CgroupException {
        String text = files.readOptional(dir, "io.stat");
        if (text == null) {
            return Blkio.EMPTY;
        }
        Path file = dir.resolve("io.stat");
        List<BlkioEntry> bytes = new ArrayList<>();
        List<BlkioEntry> ios = new ArrayList<>();
        for (String line : StatFiles.lines(text)) {
            String[] parts = line.strip().split("\\s+");
            if (parts.length < 2) {
                continue;
            }
            String[] dev = parts[0].split(":");
            if (dev.length != 2) {
                continue;
            }
            long major = StatFiles.parseUint(file, dev[0]);
            long minor = StatFiles.parseUint(file, dev[1]);
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=");
                if (kv.length != 2) {
                    continue;
                }
                List<BlkioEntry> table;
                String op;
                switch (kv[0]) {
                    case "rbytes" -> {
                        table = bytes;
                        op = "Read";
                    }
                    case "wbytes" -> {
                        table = bytes;
                        op = "Write";
                    }
                    case "rios" -> {
                        table = ios;
                        op = "Read";
                    }
                    case "wios" -> {
                        table = ios;
                        op = "Write";
                    }
                    default -> {
                        continue; // no v1 equivalent (dbytes, dios, ...)
                    }
                }
                table.add(new BlkioEntry(major, minor, op, StatFiles.parseUint(file, kv[1])));
            }
        }
        return new Blkio(bytes, ios, List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** cpu.stat (present even without the cpu controller): microseconds → nanoseconds. */
    Cpu cpu(Path dir) throws CgroupException {
        String text = files.readOptional(dir, "cpu.stat");
        if (text == null) {
            return Cpu.EMPTY;
        }
        Map<String, Long> kv = StatFiles.keyValues(dir.resolve("cpu.stat"), text);
        CpuUsage usage = new CpuUsage(kv.getOrDefault("usage_usec", 0L) * 1000, List.of(), List.of(), List.of(),
                kv.getOrDefault("system_usec", 0L) * 1000, kv.getOrDefault("user_usec", 0L) * 1000);
        Throttling t = new Throttling(kv.getOrDefault("nr_periods", 0L), kv.getOrDefault("nr_throttled", 0L),
                kv.getOrDefault("throttled_usec", 0L) * 1000);
        return new Cpu(usage, t);
    }

    /** hugetlb.SIZE.current and the "max" count of hugetlb.SIZE.events (allocation failures). */
    void hugetlb(Path dir, Map<String, Hugetlb> out) throws CgroupException {
        for (String size : hugePageSizes) {
            String p = "hugetlb." + size;
            Long usage = files.uintOptional(dir, p + ".current");
            if (usage == null) {
                return; // no hugetlb controller here
            }
            long failcnt = 0;
            Path events = dir.resolve(p + ".events");
            for (String line : StatFiles.lines(files.read(dir, p + ".events"))) {
                String[] kv = line.split(" ");
                if (kv.length == 2 && kv[0].equals("max")) {
                    failcnt = StatFiles.parseUint(events, kv[1]);
                    break;
                }
            }
            out.put(size, new Hugetlb(usage, 0, failcnt));
        }
    }
}
