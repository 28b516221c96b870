package io.jshim.engine.lifecycle;

import io.jshim.engine.linux.MountInfo;
import io.jshim.engine.plan.CgroupMountSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link CgroupMountSource} of one container: for each cgroup v1 hierarchy
 * mounted on the host, the container's own directory in it (runc binds exactly
 * that, so the container sees its cgroup as the root of each hierarchy).
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

    static CgroupMounts of(Map<String, String> containerPaths, boolean unified) throws IOException {
        if (unified) {
            return new CgroupMounts(true, containerPaths.getOrDefault("", containerPaths.values().stream().findFirst()
                    .orElse("/sys/fs/cgroup")), List.of());
        }
        List<Hierarchy> out = new ArrayList<>();
        for (MountInfo m : MountInfo.self()) {
            if (!m.fsType().equals("cgroup")) {
                continue;
            }
            String mp = m.mountPoint();
            String dir = null;
            for (String p : containerPaths.values()) {
                if (p.equals(mp) || p.startsWith(mp + "/")) {
                    dir = p;
                    break;
                }
            }
            if (dir == null) {
                continue;
            }
            String name = Path.of(mp).getFileName().toString();
            List<String> data = new ArrayList<>();
            for (String o : m.superOptions().split(",")) {
                if (o.startsWith("name=")) {
                    data.add("none");
                    data.add(o);
                } else if (!o.equals("rw") && !o.equals("ro") && !o.startsWith("release_agent")
                        && !o.equals("clone_children") && !o.equals("noprefix") && !o.equals("xattr")) {
                    data.add(o);
                }
            }
            out.add(new Hierarchy(name, dir, String.join(",", data)));
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
