package io.jshim.engine.cgroup;

import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container's cgroup on v1 hierarchies: a directory per mounted controller, combined
 * mounts (cpu,cpuacct) sharing one (runc libcontainer/cgroups/fs/fs.go).
 *
 * <p>On a hybrid host runc 1.1 also creates and joins the same path in the
 * controller-less cgroup2 mount (its NameGroup ""). This manager does not: nothing is
 * enforced there, and it keeps one directory fewer to clean up.
 */
final class V1Manager extends BaseManager {
    /** In runc's order (fs.go subsystems): cpuset before the rest, as tasks need it set to join. */
    static final List<ResourceWriter> WRITERS = List.of(new CpusetV1(), new DevicesV1(), new MemoryV1(),
            new CpuV1(), SimpleWriters.PIDS, new BlkioV1(), SimpleWriters.HUGETLB_V1, SimpleWriters.NET_CLS,
            SimpleWriters.NET_PRIO, SimpleWriters.RDMA);

    private final CgroupLayout layout;
    private final Map<String, Path> paths;

    V1Manager(CgroupLayout layout, Map<String, Path> paths, Killer killer) {
        super(layout.fs(), killer);
        this.layout = layout;
        this.paths = Collections.unmodifiableMap(new LinkedHashMap<>(paths));
    }

    @Override
    public CgroupLayout.Mode mode() {
        return CgroupLayout.Mode.V1;
    }

    @Override
    Collection<Path> leafDirs() {
        return new LinkedHashSet<>(paths.values());
    }

    @Override
    public void create() throws CgroupException {
        Path cpuset = paths.get("cpuset");
        for (Path dir : leafDirs()) {
            if (dir.equals(cpuset)) {
                Path mount = layout.v1Mount("cpuset").map(CgroupLayout.Mount::mountPoint).orElse(null);
                CpusetV1.ensure(fs, mount, dir);
            } else {
                mkdirs(dir);
            }
        }
    }

    @Override
    public void apply(LinuxResources r) throws CgroupException {
        if (r == null) {
            return;
        }
        if (r.unified() != null && !r.unified().isEmpty()) {
            throw new CgroupException("linux.resources.unified needs cgroup v2, but this host's controllers are on"
                    + " cgroup v1" + (layout.hybrid() ? " (the cgroup2 mount of this hybrid host has none)" : ""));
        }
        List<ResourceWriter> active = new ArrayList<>();
        for (ResourceWriter w : WRITERS) {
            if (w.isSet(r)) {
                if (!paths.containsKey(w.controller())) {
                    throw new CgroupException(w.what() + " needs the " + w.controller()
                            + " cgroup controller, which is not available: " + layout.whyMissing(w.controller()));
                }
                active.add(w);
            }
        }
        for (ResourceWriter w : active) {
            w.validate(r);
        }
        for (ResourceWriter w : active) {
            w.write(fs, paths.get(w.controller()), r);
        }
    }

    @Override
    public void freeze() throws CgroupException {
        FreezerV1.freeze(fs, freezerDir());
    }

    @Override
    public void thaw() throws CgroupException {
        FreezerV1.thaw(fs, freezerDir());
    }

    @Override
    public boolean isFrozen() throws CgroupException {
        Path dir = paths.get("freezer");
        return dir != null && FreezerV1.isFrozen(fs, dir);
    }

    private Path freezerDir() throws CgroupException {
        Path dir = paths.get("freezer");
        if (dir == null) {
            throw new CgroupException("cannot freeze or thaw: the freezer cgroup controller is not available: "
                    + layout.whyMissing("freezer"));
        }
        return dir;
    }

    @Override
    boolean killByKernel() {
        return false; // v1 has no cgroup.kill
    }

    @Override
    public Map<String, String> paths() {
        Map<String, String> out = new LinkedHashMap<>();
        paths.forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }

    @Override
    public Optional<Path> dir(String controller) {
        return Optional.ofNullable(paths.get(controller));
    }

    @Override
    public String toString() {
        return "V1Manager" + paths;
    }
}
