package io.jshim.engine.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the host's cgroup hierarchies are and where this process sits in them, read once
 * from /proc/self/mountinfo, /proc/self/cgroup and /proc/cgroups (cgroups(7); runc:
 * libcontainer/cgroups/v1_utils.go, utils.go). Immutable.
 *
 * <p>{@link Mode#V1} covers both pure v1 and the hybrid layout (v1 controllers plus a
 * cgroup2 mount, usually /sys/fs/cgroup/unified, without controllers);
 * {@link Mode#V2} is the unified layout where only cgroup2 is mounted.
 */
public final class CgroupLayout {

    public enum Mode {
        /** Controllers on v1 hierarchies (including the hybrid layout). */
        V1,
        /** Everything on the unified cgroup2 hierarchy. */
        V2
    }

    /**
     * A cgroup mount: where it is mounted, which directory of the hierarchy is mounted
     * there (mountinfo field 4: "/" on the host, something deeper in some containers), and
     * the controllers bound to it ("name=systemd" for the named hierarchy; empty for cgroup2).
     */
    public record Mount(Path mountPoint, String root, Set<String> controllers) {
    }

    /** What /proc/cgroups says about a controller the kernel knows. */
    public record KernelController(String name, int hierarchy, boolean enabled) {
    }

    private final Mode mode;
    private final Map<String, Mount> v1;
    private final Mount unified;
    private final Map<String, String> own;
    private final Map<String, KernelController> kernel;
    private final CgroupFs fs;

    private CgroupLayout(Mode mode, Map<String, Mount> v1, Mount unified, Map<String, String> own,
            Map<String, KernelController> kernel, CgroupFs fs) {
        this.mode = mode;
        this.v1 = Collections.unmodifiableMap(v1);
        this.unified = unified;
        this.own = Collections.unmodifiableMap(own);
        this.kernel = Collections.unmodifiableMap(kernel);
        this.fs = fs;
    }

    /** The running host's layout, as seen by this process. */
    public static CgroupLayout detect() throws CgroupException {
        return of(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"), Path.of("/proc/cgroups"));
    }

    public static CgroupLayout of(Path procSelfMountinfo, Path procSelfCgroup) throws CgroupException {
        return of(procSelfMountinfo, procSelfCgroup, null, CgroupFs.kernel());
    }

    /** @param procCgroups /proc/cgroups, or null if unknown (used only to word errors) */
    public static CgroupLayout of(Path procSelfMountinfo, Path procSelfCgroup, Path procCgroups)
            throws CgroupException {
        return of(procSelfMountinfo, procSelfCgroup, procCgroups, CgroupFs.kernel());
    }

    /** As {@link #of(Path, Path, Path)}, with the file operations managers will use. */
    public static CgroupLayout of(Path procSelfMountinfo, Path procSelfCgroup, Path procCgroups, CgroupFs fs)
            throws CgroupException {
        String kernelText = "";
        if (procCgroups != null) {
            try {
                kernelText = readProc(procCgroups);
            } catch (NoSuchFileException e) {
                kernelText = "";
            } catch (IOException e) {
                throw CgroupException.op("read", procCgroups, e);
            }
        }
        String mountinfo;
        String self;
        try {
            mountinfo = readProc(procSelfMountinfo);
        } catch (IOException e) {
            throw CgroupException.op("read", procSelfMountinfo, e);
        }
        try {
            self = readProc(procSelfCgroup);
        } catch (IOException e) {
            throw CgroupException.op("read", procSelfCgroup, e);
        }
        return parse(ProcFiles.mountinfo(mountinfo), ProcFiles.selfCgroup(self),
                ProcFiles.procCgroups(kernelText), fs);
    }

    private static String readProc(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static CgroupLayout parse(List<ProcFiles.MountLine> mounts, Map<String, String> own,
            Map<String, ProcFiles.KernelController> kernelLines, CgroupFs fs) throws CgroupException {
        Map<String, KernelController> kernel = new LinkedHashMap<>();
        kernelLines.forEach((k, v) -> kernel.put(k, new KernelController(v.name(), v.hierarchy(), v.enabled())));

        Map<String, Mount> v1 = new LinkedHashMap<>();
        Mount unified = null;
        boolean v1Controllers = false;
        for (ProcFiles.MountLine m : mounts) {
            if (m.fsType().equals("cgroup2")) {
                Path mp = Path.of(m.mountPoint());
                // Prefer the canonical place if cgroup2 is mounted more than once.
                if (unified == null || mp.equals(Path.of("/sys/fs/cgroup"))) {
                    unified = new Mount(mp, m.root(), Set.of());
                }
                continue;
            }
            if (!m.fsType().equals("cgroup")) {
                continue;
            }
            // The controllers of a v1 mount are those of its super options that this
            // process's /proc/self/cgroup (or /proc/cgroups) names, as runc's
            // getCgroupMountsV1 does; the rest are mount flags (rw, noprefix, xattr...).
            Set<String> ctrls = new LinkedHashSet<>();
            for (String opt : m.superOptions()) {
                if (own.containsKey(opt) || kernel.containsKey(opt) || opt.startsWith("name=")) {
                    ctrls.add(opt);
                }
            }
            if (ctrls.isEmpty()) {
                continue;
            }
            Mount mount = new Mount(Path.of(m.mountPoint()), m.root(), Collections.unmodifiableSet(ctrls));
            for (String c : ctrls) {
                // The first mount of a hierarchy wins; later ones are bind mounts of it.
                v1.putIfAbsent(c, mount);
                if (!c.startsWith("name=")) {
                    v1Controllers = true;
                }
            }
        }
        Mode mode;
        if (v1Controllers || (unified == null && !v1.isEmpty())) {
            mode = Mode.V1;
        } else if (unified != null) {
            mode = Mode.V2;
        } else {
            throw new CgroupException("no cgroup filesystem is mounted (no cgroup or cgroup2 entry in mountinfo)");
        }
        return new CgroupLayout(mode, v1, unified, new LinkedHashMap<>(own), kernel, fs);
    }

    public Mode mode() {
        return mode;
    }

    /** v1 controllers with a cgroup2 mount beside them. */
    public boolean hybrid() {
        return mode == Mode.V1 && unified != null;
    }

    /** Controller (or "name=systemd") to its v1 mount, in mountinfo order. Empty in V2 mode. */
    public Map<String, Mount> v1Mounts() {
        return mode == Mode.V1 ? v1 : Map.of();
    }

    public Optional<Mount> v1Mount(String controller) {
        return Optional.ofNullable(v1Mounts().get(controller));
    }

    /** The cgroup2 mount: the whole layout in V2 mode, the controller-less extra one in hybrid mode. */
    public Optional<Mount> unifiedMount() {
        return Optional.ofNullable(unified);
    }

    /**
     * This process's cgroup, as /proc/self/cgroup names it (a path within the hierarchy,
     * not a directory): per v1 controller, or under "" for cgroup2.
     */
    public Optional<String> ownCgroup(String controller) {
        return Optional.ofNullable(own.get(controller));
    }

    /** /proc/cgroups by controller name; empty if it was not read. */
    public Map<String, KernelController> kernelControllers() {
        return kernel;
    }

    public CgroupFs fs() {
        return fs;
    }

    /** Why {@code controller} cannot be used on this v1 host, for error messages. */
    String whyMissing(String controller) {
        KernelController k = kernel.get(controller);
        if (k == null) {
            return kernel.isEmpty() ? "it is not mounted" : "the kernel does not have it";
        }
        if (!k.enabled()) {
            return "it is disabled in the kernel (cgroup_disable=)";
        }
        if (k.hierarchy() == 0) {
            return "it is not mounted as a cgroup v1 hierarchy";
        }
        return "it is not mounted in this mount namespace";
    }

    @Override
    public String toString() {
        return "CgroupLayout[" + mode + (hybrid() ? " hybrid" : "") + ", v1=" + v1.keySet()
                + ", unified=" + (unified == null ? "-" : unified.mountPoint()) + "]";
    }
}
