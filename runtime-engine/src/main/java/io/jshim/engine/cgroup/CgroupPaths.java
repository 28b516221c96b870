package io.jshim.engine.cgroup;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a spec's {@code linux.cgroupsPath} into cgroup directories, following runc's
 * cgroupfs driver (libcontainer/cgroups/fs/paths.go {@code subsysPath},
 * fs2/defaultpath.go {@code _defaultDirPath}; config-linux.md "Cgroups path"):
 * <ul>
 * <li>absent or empty: the container id, taken as a relative path;
 * <li>relative: under this process's own cgroup, per v1 controller; on v2 under the
 *     <em>parent</em> of the own cgroup, because the own cgroup holds processes and so
 *     cannot enable controllers for children (cgroup-v2.rst "No Internal Process Constraint");
 * <li>absolute: from the root of each hierarchy (the mount point).
 * </ul>
 * Paths are cleaned as runc's utils.CleanPath does, so ".." cannot climb out.
 */
final class CgroupPaths {
    /** The v1 controllers runc's fs driver places a container in (fs/fs.go {@code subsystems}). */
    static final List<String> V1_CONTROLLERS = List.of("cpuset", "devices", "memory", "cpu", "cpuacct", "pids",
            "blkio", "hugetlb", "net_cls", "net_prio", "perf_event", "freezer", "rdma", "misc", "name=systemd");

    private CgroupPaths() {
    }

    /** runc utils.CleanPath: lexical clean; a relative path is cleaned as if rooted, then made relative again. */
    static String clean(String path) {
        if (path == null || path.isEmpty()) {
            return "";
        }
        boolean abs = path.startsWith("/");
        Deque<String> parts = new ArrayDeque<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
                continue;
            }
            parts.addLast(p);
        }
        String joined = String.join("/", parts);
        return abs ? "/" + joined : joined;
    }

    /** The path inside the hierarchies: cgroupsPath if given, else the container id. */
    static String inner(String cgroupsPath, String containerId) throws CgroupException {
        String inner = clean(cgroupsPath);
        if (inner.isEmpty()) {
            inner = clean(containerId);
        }
        if (inner.isEmpty() || inner.equals("/")) {
            throw new CgroupException("cgroupsPath " + quote(cgroupsPath) + " with container id " + quote(containerId)
                    + " names no cgroup below the hierarchy root");
        }
        return inner;
    }

    /**
     * One directory per v1 controller that is mounted (and, for relative paths, that this
     * process has a cgroup in); combined mounts such as cpu,cpuacct give both keys the same
     * directory.
     */
    static Map<String, Path> v1(CgroupLayout layout, String cgroupsPath, String containerId) throws CgroupException {
        String inner = inner(cgroupsPath, containerId);
        Map<String, Path> out = new LinkedHashMap<>();
        for (String c : V1_CONTROLLERS) {
            CgroupLayout.Mount m = layout.v1Mounts().get(c);
            if (m == null) {
                continue;
            }
            Path dir;
            if (inner.startsWith("/")) {
                dir = m.mountPoint().resolve(inner.substring(1));
            } else {
                String own = layout.ownCgroup(c).orElse(null);
                if (own == null) {
                    continue; // runc skips a subsystem this process is not in (cgroups.IsNotFound)
                }
                dir = under(m, own).resolve(inner);
            }
            out.put(c, dir);
        }
        if (out.isEmpty()) {
            throw new CgroupException("no cgroup v1 controller is mounted for " + quote(inner));
        }
        return out;
    }

    /** The one cgroup2 directory. */
    static Path v2(CgroupLayout layout, String cgroupsPath, String containerId) throws CgroupException {
        String inner = inner(cgroupsPath, containerId);
        CgroupLayout.Mount m = layout.unifiedMount()
                .orElseThrow(() -> new CgroupException("no cgroup2 filesystem is mounted"));
        if (inner.startsWith("/")) {
            return m.mountPoint().resolve(inner.substring(1));
        }
        String own = layout.ownCgroup("").orElseThrow(() -> new CgroupException(
                "cannot place relative cgroupsPath " + quote(inner) + ": /proc/self/cgroup has no 0:: line"));
        return under(m, parent(own)).resolve(inner);
    }

    /** The directory of cgroup {@code cgroup} (a hierarchy path) under mount {@code m}. */
    static Path under(CgroupLayout.Mount m, String cgroup) throws CgroupException {
        String root = clean(m.root());
        String cg = clean(cgroup);
        String rel;
        if (root.equals("/") || root.isEmpty()) {
            rel = cg;
        } else if (cg.equals(root)) {
            rel = "/";
        } else if (cg.startsWith(root + "/")) {
            rel = cg.substring(root.length());
        } else {
            throw new CgroupException("own cgroup " + cg + " is outside the mounted part " + root + " of the hierarchy at "
                    + m.mountPoint());
        }
        return rel.equals("/") ? m.mountPoint() : m.mountPoint().resolve(rel.substring(1));
    }

    private static String parent(String cgroup) {
        String c = clean(cgroup);
        int i = c.lastIndexOf('/');
        return i <= 0 ? "/" : c.substring(0, i);
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
