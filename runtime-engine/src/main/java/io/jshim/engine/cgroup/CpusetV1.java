package io.jshim.engine.cgroup;

import static io.jshim.engine.cgroup.ResourceWriter.nonEmpty;

import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * v1 cpuset controller (Documentation/admin-guide/cgroup-v1/cpusets.rst; runc
 * libcontainer/cgroups/fs/cpuset.go). A new v1 cpuset starts with empty cpuset.cpus and
 * cpuset.mems, and no task can join it until both are set ("ENOSPC"), so {@link #ensure}
 * fills every level from the mount point down with its parent's values.
 */
final class CpusetV1 implements ResourceWriter {
    static final String CPUS = "cpuset.cpus";
    static final String MEMS = "cpuset.mems";

    @Override
    public String controller() {
        return "cpuset";
    }

    @Override
    public String what() {
        return "linux.resources.cpu.cpus/mems";
    }

    @Override
    public boolean isSet(LinuxResources r) {
        return r.cpu() != null && (nonEmpty(r.cpu().cpus()) || nonEmpty(r.cpu().mems()));
    }

    @Override
    public void write(CgroupFs fs, Path dir, LinuxResources r) throws CgroupException {
        writeCpusMems(fs, dir, r);
    }

    /** Shared with v2, where the files have the same names and format (cgroup-v2.rst "Cpuset"). */
    static void writeCpusMems(CgroupFs fs, Path dir, LinuxResources r) throws CgroupException {
        if (nonEmpty(r.cpu().cpus())) {
            fs.write(dir.resolve(CPUS), r.cpu().cpus());
        }
        if (nonEmpty(r.cpu().mems())) {
            fs.write(dir.resolve(MEMS), r.cpu().mems());
        }
    }

    /**
     * runc cpusetEnsureParent + cpusetCopyIfNeeded: creates {@code leaf} and any missing
     * levels below {@code mountPoint}, copying cpus and mems from the parent into every
     * level whose values are empty, top-down so that each parent is filled first.
     */
    static void ensure(CgroupFs fs, Path mountPoint, Path leaf) throws CgroupException {
        List<Path> levels = new ArrayList<>();
        Path top = mountPoint != null && leaf.startsWith(mountPoint) && !leaf.equals(mountPoint)
                ? mountPoint : leaf.getParent();
        for (Path p = leaf; p != null && !p.equals(top); p = p.getParent()) {
            levels.addFirst(p);
        }
        for (Path level : levels) {
            fs.mkdir(level);
            copyIfEmpty(fs, level.getParent(), level, CPUS);
            copyIfEmpty(fs, level.getParent(), level, MEMS);
        }
    }

    private static void copyIfEmpty(CgroupFs fs, Path parent, Path dir, String file) throws CgroupException {
        if (fs.read(dir.resolve(file)).isBlank()) {
            fs.write(dir.resolve(file), fs.readTrimmed(parent.resolve(file)));
        }
    }
}
