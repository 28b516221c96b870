package io.jshim.engine.lifecycle;

import io.jshim.engine.cgroup.CgroupLayout;
import io.jshim.engine.plan.CgroupMountSource;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link CgroupMountSource} of one container: for each cgroup v1 hierarchy
 * mounted on the host, the container's own directory in it (runc binds exactly
 * that, so the container sees its cgroup as the root of each hierarchy). Built
 * from the {@link CgroupLayout} the engine already detected, so create does not
 * read mountinfo a second time.
 */
final class CgroupMounts implements CgroupMountSource {
    private final boolean unified;
    private final String unifiedDir;
    private final List<Hierarchy> hierarchies;

    private CgroupMounts(boolean unified, String unifiedDir, List<Hierarchy> hierarchies) {
        this.unified = unified;
        this.unifiedDir = unifiedDir;
        this.hierarchies = hierarchies;
    }

    static CgroupMounts of(CgroupLayout layout, Map<String, String> containerPaths) {
        if (layout.mode() == CgroupLayout.Mode.V2) {
            return new CgroupMounts(true, containerPaths.getOrDefault("", containerPaths.values().stream().findFirst()
                    .orElse("/sys/fs/cgroup")), List.of());
        }
        List<Hierarchy> out = new ArrayList<>();
        // Co-mounted controllers (cpu,cpuacct) share one Mount: visit each hierarchy once.
        Set<CgroupLayout.Mount> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (CgroupLayout.Mount m : layout.v1Mounts().values()) {
            if (!seen.add(m)) {
                continue;
            }
            String dir = null;
            List<String> data = new ArrayList<>();
            for (String c : m.controllers()) {
                if (dir == null) {
                    dir = containerPaths.get(c);
                }
                if (c.startsWith("name=")) {
                    data.add("none");
                }
                data.add(c);
            }
            if (dir != null) {
                out.add(new Hierarchy(m.mountPoint().getFileName().toString(), dir, String.join(",", data)));
            }
        }
        return new CgroupMounts(false, null, out);
    }

    @Override
    public boolean unified() {
        return unified;
    }

    @Override
    public String unifiedDir() {
        return unifiedDir;
    }

    @Override
    public List<Hierarchy> hierarchies() {
        return hierarchies;
    }
}
