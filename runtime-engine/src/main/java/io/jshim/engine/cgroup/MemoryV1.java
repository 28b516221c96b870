package io.jshim.engine.cgroup;

import static io.jshim.engine.cgroup.ResourceWriter.nz;
import static io.jshim.engine.cgroup.ResourceWriter.val;

import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Path;

/**
 * v1 memory controller (Documentation/admin-guide/cgroup-v1/memory.rst; runc
 * libcontainer/cgroups/fs/memory.go). Kernel and kernelTCP are ignored, as runc does:
 * kmem limits are deprecated and gone from current kernels.
 */
final class MemoryV1 implements ResourceWriter {
    static final String LIMIT = "memory.limit_in_bytes";
    static final String MEMSW = "memory.memsw.limit_in_bytes";
    static final String USAGE = "memory.usage_in_bytes";
    static final String MAX_USAGE = "memory.max_usage_in_bytes";

    @Override
    public String controller() {
        return "memory";
    }

    @Override
    public String what() {
        return "linux.resources.memory";
    }

    @Override
    public boolean isSet(LinuxResources r) {
        LinuxResources.Memory m = r.memory();
        return m != null && (nz(m.limit()) || nz(m.swap()) || nz(m.reservation())
                || Boolean.TRUE.equals(m.disableOOMKiller()) || m.useHierarchy() != null
                || (m.swappiness() != null && m.swappiness() != -1));
    }

    @Override
    public void validate(LinuxResources r) throws CgroupException {
        Long sw = r.memory().swappiness();
        // memory.rst 5.3 swappiness: 0..100; runc treats -1 as "leave alone".
        if (sw != null && sw != -1 && (sw < 0 || sw > 100)) {
            throw new CgroupException("invalid memory swappiness value: " + Long.toUnsignedString(sw)
                    + " (valid range is 0-100)");
        }
    }

    @Override
    public void write(CgroupFs fs, Path dir, LinuxResources r) throws CgroupException {
        LinuxResources.Memory m = r.memory();
        long limit = val(m.limit());
        long swap = val(m.swap());
        if (Boolean.TRUE.equals(m.checkBeforeUpdate())) {
            checkBeforeUpdate(fs, dir.resolve(USAGE), limit);
        }
        boolean swapAccounting = fs.exists(dir.resolve(MEMSW));
        if (!swapAccounting) {
            // No memsw files: the kernel runs without swap accounting (swapaccount=0 or
            // CONFIG_MEMCG_SWAP unset). There is no swap limit to set; skip it.
            swap = 0;
        } else if (limit == -1 && swap == 0) {
            // runc setMemoryAndSwap: unlimited memory with swap unset means unlimited swap too.
            swap = -1;
        }
        // memory.memsw.limit_in_bytes must stay >= memory.limit_in_bytes (memory.rst 2.4), so
        // when both change the order matters: raise swap first when growing, limit first
        // when shrinking (runc setMemoryAndSwap).
        if (limit != 0 && swap != 0) {
            long current = ResourceWriter.parseLong(dir.resolve(LIMIT), fs.read(dir.resolve(LIMIT)));
            if (swap == -1 || Long.compareUnsigned(current, swap) < 0) {
                fs.write(dir.resolve(MEMSW), Long.toString(swap));
                setLimit(fs, dir, limit);
                limit = 0;
                swap = 0;
            }
        }
        if (limit != 0) {
            setLimit(fs, dir, limit);
        }
        if (swap != 0) {
            fs.write(dir.resolve(MEMSW), Long.toString(swap));
        }
        if (nz(m.reservation())) {
            fs.write(dir.resolve("memory.soft_limit_in_bytes"), Long.toString(m.reservation()));
        }
        if (Boolean.TRUE.equals(m.disableOOMKiller())) {
            fs.write(dir.resolve("memory.oom_control"), "1");
        }
        if (m.useHierarchy() != null) {
            fs.write(dir.resolve("memory.use_hierarchy"), m.useHierarchy() ? "1" : "0");
        }
        if (m.swappiness() != null && m.swappiness() != -1) {
            fs.write(dir.resolve("memory.swappiness"), Long.toString(m.swappiness()));
        }
    }

    /** EBUSY means the new limit is below what the cgroup uses; say so, as runc's setMemory does. */
    private static void setLimit(CgroupFs fs, Path dir, long limit) throws CgroupException {
        try {
            fs.write(dir.resolve(LIMIT), Long.toString(limit));
        } catch (CgroupException e) {
            if (e.errno() != CgroupException.Errno.EBUSY) {
                throw e;
            }
            String usage = fs.exists(dir.resolve(USAGE)) ? fs.readTrimmed(dir.resolve(USAGE)) : "?";
            String peak = fs.exists(dir.resolve(MAX_USAGE)) ? fs.readTrimmed(dir.resolve(MAX_USAGE)) : "?";
            throw new CgroupException(e.getMessage() + " (unable to set memory limit to " + limit
                    + ": current usage " + usage + ", peak usage " + peak + ")", e.errno(), e);
        }
    }

    /** runtime-spec memory.checkBeforeUpdate: refuse a limit below current usage instead of reclaiming/OOMing. */
    static void checkBeforeUpdate(CgroupFs fs, Path usageFile, long limit) throws CgroupException {
        if (limit <= 0 || !fs.exists(usageFile)) {
            return;
        }
        long usage = ResourceWriter.parseLong(usageFile, fs.read(usageFile));
        if (Long.compareUnsigned(usage, limit) > 0) {
            throw new CgroupException("rejecting memory limit " + limit + " below current usage " + usage);
        }
    }
}
