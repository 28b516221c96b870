package io.jshim.engine.cgroup;

import static io.jshim.engine.cgroup.ResourceWriter.nz;
import static io.jshim.engine.cgroup.ResourceWriter.val;

import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Path;

/**
 * v2 memory controller (cgroup-v2.rst "Memory Interface Files"; runc
 * libcontainer/cgroups/fs2/memory.go): limit → memory.max, reservation → memory.low,
 * swap (v1's memory+swap total) → memory.swap.max as swap - limit. v2 has no
 * swappiness, OOM-killer switch or hierarchy flag; those fields are ignored, as in runc.
 */
final class MemoryV2 implements ResourceWriter {

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
        return m != null && (nz(m.limit()) || nz(m.swap()) || nz(m.reservation()));
    }

    @Override
    public void validate(LinuxResources r) throws CgroupException {
        Conversions.memorySwapToV2(val(r.memory().swap()), val(r.memory().limit()));
    }

    @Override
    public void write(CgroupFs fs, Path dir, LinuxResources r) throws CgroupException {
        LinuxResources.Memory m = r.memory();
        long limit = val(m.limit());
        long swapTotal = val(m.swap());
        if (Boolean.TRUE.equals(m.checkBeforeUpdate())) {
            MemoryV1.checkBeforeUpdate(fs, dir.resolve("memory.current"), limit);
        }
        long swap = Conversions.memorySwapToV2(swapTotal, limit);
        String swapStr = numToStr(swap);
        if (swapStr.isEmpty() && swap == 0 && swapTotal > 0) {
            swapStr = "0"; // memory == memory+swap: no swap at all
        }
        // Never write "" to memory.swap.max. Without swap accounting the file is missing;
        // skip it then, as the v1 writer does for memsw.
        Path swapMax = dir.resolve("memory.swap.max");
        if (!swapStr.isEmpty() && fs.exists(swapMax)) {
            fs.write(swapMax, swapStr);
        }
        if (limit != 0) {
            fs.write(dir.resolve("memory.max"), numToStr(limit));
        }
        if (nz(m.reservation())) {
            fs.write(dir.resolve("memory.low"), numToStr(m.reservation()));
        }
    }

    /** runc numToStr: 0 → "" (unset), -1 → "max", else the number. */
    static String numToStr(long v) {
        if (v == 0) {
            return "";
        }
        return v == -1 ? "max" : Long.toString(v);
    }
}
