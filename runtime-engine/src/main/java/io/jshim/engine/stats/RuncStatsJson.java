package io.jshim.engine.stats;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.cgroup.stats.CgroupStats;
import io.jshim.engine.cgroup.stats.CgroupStats.BlkioEntry;
import io.jshim.engine.cgroup.stats.CgroupStats.MemoryData;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * runc's {@code events} output (runc types/events.go): {@code Event{type,id,data}} with
 * {@code data} a {@code types.Stats}, keys in Go's field order and Go's {@code omitempty}
 * rules (a zero number, an empty list or map vanishes; a struct never does). Printed with
 * {@link io.jshim.engine.json.GoJson#compact}, one event per line.
 */
public final class RuncStatsJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private RuncStatsJson() {
    }

    /** {@code {"type":"stats","id":ID,"data":{...}}}. */
    public static ObjectNode statsEvent(String id, CgroupStats s) {
        ObjectNode e = F.objectNode();
        e.put("type", "stats");
        e.put("id", id);
        e.set("data", stats(s));
        return e;
    }

    /** {@code {"type":"oom","id":ID}}: runc sends no data with it. */
    public static ObjectNode oomEvent(String id) {
        ObjectNode e = F.objectNode();
        e.put("type", "oom");
        e.put("id", id);
        return e;
    }

    /** runc's convertLibcontainerStats, as JSON. */
    public static ObjectNode stats(CgroupStats s) {
        ObjectNode d = F.objectNode();

        ObjectNode cpu = d.putObject("cpu");
        ObjectNode usage = cpu.putObject("usage");
        omit(usage, "total", s.cpu().usage().total());
        omit(usage, "percpu", s.cpu().usage().percpu());
        omit(usage, "percpu_kernel", s.cpu().usage().percpuKernel());
        omit(usage, "percpu_user", s.cpu().usage().percpuUser());
        u64(usage, "kernel", s.cpu().usage().kernel());
        u64(usage, "user", s.cpu().usage().user());
        ObjectNode thr = cpu.putObject("throttling");
        omit(thr, "periods", s.cpu().throttling().periods());
        omit(thr, "throttledPeriods", s.cpu().throttling().throttledPeriods());
        omit(thr, "throttledTime", s.cpu().throttling().throttledTime());

        CgroupStats.CpuSet cs = s.cpuset();
        ObjectNode cpuset = d.putObject("cpuset");
        omitInts(cpuset, "cpus", cs.cpus());
        u64(cpuset, "cpu_exclusive", cs.cpuExclusive());
        omitInts(cpuset, "mems", cs.mems());
        u64(cpuset, "mem_hardwall", cs.memHardwall());
        u64(cpuset, "mem_exclusive", cs.memExclusive());
        u64(cpuset, "memory_migrate", cs.memoryMigrate());
        u64(cpuset, "memory_spread_page", cs.memorySpreadPage());
        u64(cpuset, "memory_spread_slab", cs.memorySpreadSlab());
        u64(cpuset, "memory_pressure", cs.memoryPressure());
        u64(cpuset, "sched_load_balance", cs.schedLoadBalance());
        cpuset.put("sched_relax_domain_level", cs.schedRelaxDomainLevel()); // int64

        CgroupStats.Memory m = s.memory();
        ObjectNode mem = d.putObject("memory");
        omit(mem, "cache", m.cache());
        mem.set("usage", memoryEntry(m.usage()));
        mem.set("swap", memoryEntry(m.swap()));
        mem.set("kernel", memoryEntry(m.kernel()));
        mem.set("kernelTCP", memoryEntry(m.kernelTcp()));
        if (!m.stats().isEmpty()) {
            ObjectNode raw = mem.putObject("raw");
            new TreeMap<>(m.stats()).forEach((k, v) -> u64(raw, k, v)); // a Go map: keys sorted
        }

        ObjectNode pids = d.putObject("pids");
        omit(pids, "current", s.pids().current());
        omit(pids, "limit", s.pids().limit());

        CgroupStats.Blkio b = s.blkio();
        ObjectNode blkio = d.putObject("blkio");
        blkio(blkio, "ioServiceBytesRecursive", b.ioServiceBytesRecursive());
        blkio(blkio, "ioServicedRecursive", b.ioServicedRecursive());
        blkio(blkio, "ioQueueRecursive", b.ioQueuedRecursive()); // sic: runc's JSON name
        blkio(blkio, "ioServiceTimeRecursive", b.ioServiceTimeRecursive());
        blkio(blkio, "ioWaitTimeRecursive", b.ioWaitTimeRecursive());
        blkio(blkio, "ioMergedRecursive", b.ioMergedRecursive());
        blkio(blkio, "ioTimeRecursive", b.ioTimeRecursive());
        blkio(blkio, "sectorsRecursive", b.sectorsRecursive());

        ObjectNode huge = d.putObject("hugetlb");
        for (Map.Entry<String, CgroupStats.Hugetlb> e : new TreeMap<>(s.hugetlb()).entrySet()) {
            ObjectNode h = huge.putObject(e.getKey());
            omit(h, "usage", e.getValue().usage());
            omit(h, "max", e.getValue().maxUsage());
            u64(h, "failcnt", e.getValue().failcnt());
        }

        d.putObject("intel_rdt"); // no Intel RDT support: runc prints {} without it too
        d.putNull("network_interfaces"); // runc 1.1 fills this only for veth interfaces it made
        return d;
    }

    private static ObjectNode memoryEntry(MemoryData md) {
        ObjectNode n = F.objectNode();
        u64(n, "limit", md.limit());
        omit(n, "usage", md.usage());
        omit(n, "max", md.maxUsage());
        u64(n, "failcnt", md.failcnt());
        return n;
    }

    private static void blkio(ObjectNode parent, String key, List<BlkioEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        ArrayNode a = parent.putArray(key);
        for (BlkioEntry e : entries) {
            ObjectNode n = a.addObject();
            omit(n, "major", e.major());
            omit(n, "minor", e.minor());
            if (!e.op().isEmpty()) {
                n.put("op", e.op());
            }
            omit(n, "value", e.value());
        }
    }

    /** A Go uint64 held in a long: printed unsigned, in full. */
    static void u64(ObjectNode n, String key, long v) {
        if (v >= 0) {
            n.put(key, v);
        } else {
            n.put(key, new BigInteger(Long.toUnsignedString(v)));
        }
    }

    /** {@code ,omitempty} on a number: 0 is left out. */
    private static void omit(ObjectNode n, String key, long v) {
        if (v != 0) {
            u64(n, key, v);
        }
    }

    private static void omit(ObjectNode n, String key, List<Long> values) {
        if (values.isEmpty()) {
            return;
        }
        ArrayNode a = n.putArray(key);
        for (long v : values) {
            if (v >= 0) {
                a.add(v);
            } else {
                a.add(new BigInteger(Long.toUnsignedString(v)));
            }
        }
    }

    private static void omitInts(ObjectNode n, String key, List<Integer> values) {
        if (values.isEmpty()) {
            return;
        }
        ArrayNode a = n.putArray(key);
        values.forEach(a::add);
    }
}
