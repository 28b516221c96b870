package io.jshim.engine.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a fake host in a temporary directory: /proc/self/mountinfo, /proc/self/cgroup and
 * /proc/cgroups describing cgroup mounts under {@code <tmp>/sys/fs/cgroup}, and those
 * mounts as {@link FakeCgroupFs} trees with the process's own cgroups created.
 */
final class FakeHost {
    static final List<String> KERNEL = List.of("cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer",
            "net_cls", "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc");

    final Path tmp;
    final Path cgroupRoot;
    final FakeCgroupFs fs;
    private final boolean v2;
    private final List<Hierarchy> hierarchies = new ArrayList<>();
    private String v2Controllers = "";
    private String v2Own = "/";
    private boolean hybrid;
    private CgroupLayout layout;

    private static final class Hierarchy {
        final String opts;
        String mountRoot = "/";
        String own = "/";

        Hierarchy(String opts) {
            this.opts = opts;
        }

        String dirName() {
            return opts.replace("name=", "");
        }
    }

    private FakeHost(Path tmp, boolean v2) {
        this.tmp = tmp;
        this.v2 = v2;
        this.cgroupRoot = tmp.resolve("sys/fs/cgroup");
        this.fs = new FakeCgroupFs(tmp);
    }

    /** This machine's layout: separate cpu, cpuacct, cpuset, memory, devices, freezer, blkio, pids, name=systemd; no hugetlb. */
    static FakeHost thisMachine(Path tmp) {
        FakeHost h = v1(tmp, "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
                "name=systemd");
        h.hybrid = true;
        return h;
    }

    /** v1 hierarchies, each "ctrl" or "ctrl1,ctrl2" (mounted at sys/fs/cgroup/ctrl1,ctrl2). */
    static FakeHost v1(Path tmp, String... hierarchies) {
        FakeHost h = new FakeHost(tmp, false);
        for (String o : hierarchies) {
            h.hierarchies.add(new Hierarchy(o));
        }
        return h;
    }

    /** Unified layout whose root offers {@code controllers} (space-separated). */
    static FakeHost v2(Path tmp, String controllers) {
        FakeHost h = new FakeHost(tmp, true);
        h.v2Controllers = controllers;
        return h;
    }

    FakeHost hybrid() {
        hybrid = true;
        return this;
    }

    /** The process's own cgroup in the hierarchy holding {@code controller} ("" for v2). */
    FakeHost own(String controller, String path) {
        if (v2) {
            v2Own = path;
        } else {
            hierarchy(controller).own = path;
        }
        return this;
    }

    /** The own cgroup in every hierarchy. */
    FakeHost ownEverywhere(String path) {
        hierarchies.forEach(h -> h.own = path);
        v2Own = path;
        return this;
    }

    /** mountinfo field 4 for the hierarchy of {@code controller} (a container seeing part of the host's tree). */
    FakeHost mountRoot(String controller, String root) {
        hierarchy(controller).mountRoot = root;
        return this;
    }

    private Hierarchy hierarchy(String controller) {
        for (Hierarchy h : hierarchies) {
            if (List.of(h.opts.split(",")).contains(controller)) {
                return h;
            }
        }
        throw new IllegalArgumentException(controller);
    }

    Path mount(String dirName) {
        return cgroupRoot.resolve(dirName);
    }

    CgroupLayout layout() {
        if (layout == null) {
            try {
                layout = build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (CgroupException e) {
                throw new IllegalStateException(e);
            }
        }
        return layout;
    }

    private CgroupLayout build() throws IOException, CgroupException {
        Path proc = tmp.resolve("proc");
        Files.createDirectories(proc.resolve("self"));
        Files.createDirectories(cgroupRoot);
        StringBuilder mi = new StringBuilder();
        StringBuilder self = new StringBuilder();
        Map<String, Integer> ids = new LinkedHashMap<>();
        mi.append("22 1 0:20 / ").append(tmp.resolve("sys")).append(" rw,nosuid - sysfs sysfs rw\n");
        mi.append("30 22 0:27 / ").append(cgroupRoot).append(" rw,relatime - tmpfs tmpfs rw,mode=755\n");
        int n = 31;
        if (v2) {
            fs.v2Mount = cgroupRoot;
            mi.append(n).append(" 22 0:").append(n).append(" / ").append(cgroupRoot)
                    .append(" rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
            fs.populate(cgroupRoot);
            FakeCgroupFs.put(cgroupRoot.resolve("cgroup.controllers"), v2Controllers + "\n");
            self.append("0::").append(v2Own).append('\n');
            mkdirs(cgroupRoot, v2Own);
        } else {
            int hid = hierarchies.size() + (hybrid ? 1 : 0);
            List<String> selfLines = new ArrayList<>();
            for (Hierarchy h : hierarchies) {
                Path mp = mount(h.dirName());
                Files.createDirectories(mp);
                Set<String> ctrls = new LinkedHashSet<>(List.of(h.opts.split(",")));
                fs.v1Mounts.put(mp, ctrls);
                fs.populate(mp);
                mi.append(n).append(" 30 0:").append(n).append(' ').append(h.mountRoot).append(' ').append(mp)
                        .append(" rw,nosuid,nodev,noexec,relatime shared:").append(n).append(" - cgroup cgroup rw,")
                        .append(h.opts).append('\n');
                n++;
                for (String c : ctrls) {
                    ids.put(c, hid);
                }
                selfLines.add(hid + ":" + h.opts + ":" + h.own);
                hid--;
                // The own cgroup as a directory under the mount (relative to its root).
                String rel = h.own.equals(h.mountRoot) ? "/" : h.own.substring(h.mountRoot.equals("/") ? 0
                        : h.mountRoot.length());
                mkdirs(mp, rel);
            }
            if (hybrid) {
                Path u = cgroupRoot.resolve("unified");
                Files.createDirectories(u);
                mi.append(n).append(" 30 0:").append(n).append(" / ").append(u)
                        .append(" rw,nosuid,nodev,noexec,relatime shared:").append(n)
                        .append(" - cgroup2 cgroup2 rw,nsdelegate\n");
            }
            selfLines.forEach(l -> self.append(l).append('\n'));
            if (hybrid) {
                self.append("0::/\n");
            }
        }
        StringBuilder pc = new StringBuilder("#subsys_name\thierarchy\tnum_cgroups\tenabled\n");
        for (String k : KERNEL) {
            pc.append(k).append('\t').append(ids.getOrDefault(k, 0)).append("\t1\t1\n");
        }
        Files.writeString(proc.resolve("self/mountinfo"), mi.toString());
        Files.writeString(proc.resolve("self/cgroup"), self.toString());
        Files.writeString(proc.resolve("cgroups"), pc.toString());
        return CgroupLayout.of(proc.resolve("self/mountinfo"), proc.resolve("self/cgroup"), proc.resolve("cgroups"),
                fs);
    }

    private void mkdirs(Path mount, String cgroup) throws CgroupException {
        Path p = mount;
        for (String part : cgroup.split("/")) {
            if (!part.isEmpty()) {
                p = p.resolve(part);
                fs.mkdir(p);
                // A cgroup with tasks in it has its cpuset configured.
                for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                    if (Files.exists(p.resolve(f)) && read(p.resolve(f)).isEmpty()) {
                        FakeCgroupFs.put(p.resolve(f), read(p.getParent().resolve(f)) + "\n");
                    }
                }
            }
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
