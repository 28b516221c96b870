package io.jshim.engine.lifecycle;

import io.jshim.engine.spec.LinuxResources;
import io.jshim.engine.spec.LinuxResources.BlockIO;
import io.jshim.engine.spec.LinuxResources.Cpu;
import io.jshim.engine.spec.LinuxResources.Memory;
import io.jshim.engine.spec.LinuxResources.Pids;

/**
 * What {@code update} changes in a container's resources, exactly the fields runc 1.1's
 * update.go copies into its config: blockIO.weight; cpu.shares, quota, period,
 * realtimeRuntime, realtimePeriod, cpus, mems; memory.limit, reservation, swap;
 * pids.limit; unified. Zero (or "") means "leave as it is", as in runc, where a zero is
 * never written to the cgroup; a non-zero value replaces the current one, and
 * {@code unified}, when given, replaces the whole map. Everything else (devices,
 * hugepageLimits, network, swappiness, ...) stays as at create; runc ignores those in an
 * update too.
 */
public final class ResourcesMerge {
    private ResourcesMerge() {
    }

    /** {@code current} (null: none) with {@code update}'s non-zero updatable fields applied. */
    public static LinuxResources merge(LinuxResources current, LinuxResources update) {
        LinuxResources c = current != null ? current
                : new LinuxResources(null, null, null, null, null, null, null, null, null);
        if (update == null) {
            return c;
        }
        return new LinuxResources(c.devices(), memory(c.memory(), update.memory()), cpu(c.cpu(), update.cpu()),
                pids(c.pids(), update.pids()), blockIO(c.blockIO(), update.blockIO()), c.hugepageLimits(),
                c.network(), c.rdma(), update.unified() != null ? update.unified() : c.unified());
    }

    /** The part of {@code r} that {@code update} writes: all but the device rules (runc's SkipDevices). */
    public static LinuxResources withoutDevices(LinuxResources r) {
        return new LinuxResources(null, r.memory(), r.cpu(), r.pids(), r.blockIO(), r.hugepageLimits(), r.network(),
                r.rdma(), r.unified());
    }

    private static Memory memory(Memory c, Memory u) {
        if (u == null || !(nz(u.limit()) || nz(u.reservation()) || nz(u.swap()))) {
            return c;
        }
        Memory b = c != null ? c : new Memory(null, null, null, null, null, null, null, null, null);
        return new Memory(pick(u.limit(), b.limit()), pick(u.reservation(), b.reservation()),
                pick(u.swap(), b.swap()), b.kernel(), b.kernelTCP(), b.swappiness(), b.disableOOMKiller(),
                b.useHierarchy(), b.checkBeforeUpdate());
    }

    private static Cpu cpu(Cpu c, Cpu u) {
        if (u == null || !(nz(u.shares()) || nz(u.quota()) || nz(u.period()) || nz(u.realtimeRuntime())
                || nz(u.realtimePeriod()) || nonEmpty(u.cpus()) || nonEmpty(u.mems()))) {
            return c;
        }
        Cpu b = c != null ? c : new Cpu(null, null, null, null, null, null, null, null, null);
        // runc: a quota without a period (or the reverse) keeps the other at its old value.
        return new Cpu(pick(u.shares(), b.shares()), pick(u.quota(), b.quota()), b.burst(),
                pick(u.period(), b.period()), pick(u.realtimeRuntime(), b.realtimeRuntime()),
                pick(u.realtimePeriod(), b.realtimePeriod()), nonEmpty(u.cpus()) ? u.cpus() : b.cpus(),
                nonEmpty(u.mems()) ? u.mems() : b.mems(), b.idle());
    }

    private static Pids pids(Pids c, Pids u) {
        return u != null && nz(u.limit()) ? new Pids(u.limit()) : c;
    }

    private static BlockIO blockIO(BlockIO c, BlockIO u) {
        if (u == null || u.weight() == null || u.weight() == 0) {
            return c;
        }
        if (c == null) {
            return new BlockIO(u.weight(), null, null, null, null, null, null);
        }
        return new BlockIO(u.weight(), c.leafWeight(), c.weightDevice(), c.throttleReadBpsDevice(),
                c.throttleWriteBpsDevice(), c.throttleReadIOPSDevice(), c.throttleWriteIOPSDevice());
    }

    private static Long pick(Long update, Long current) {
        return nz(update) ? update : current;
    }

    private static boolean nz(Long v) {
        return v != null && v != 0;
    }

    private static boolean nonEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}
