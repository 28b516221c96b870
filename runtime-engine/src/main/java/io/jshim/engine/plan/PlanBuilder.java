package io.jshim.engine.plan;

import static io.jshim.engine.spec.MountOptions.*;

import io.jshim.engine.namespace.NamespacePlan;
import io.jshim.engine.security.SecurityPlan;
import io.jshim.engine.spec.MountOptions;
import io.jshim.engine.spec.NamespaceType;
import io.jshim.engine.spec.RlimitType;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import io.jshim.engine.spec.SpecProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a validated config.json into the {@link InitPlan} for a new container.
 * Everything that needs judgement (paths relative to the bundle, option parsing,
 * cgroup mounts, default devices and /dev symlinks) is decided here, so that
 * jshim-init only executes (design.md §3).
 */
public final class PlanBuilder {
    /** The devices every container gets (runtime-linux.md "Default Devices"). */
    private static final Object[][] DEFAULT_DEVICES = {
        {"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
        {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
    };
    private static final long CGROUP_TMPFS_FLAGS = MS_NOEXEC | MS_NOSUID | MS_NODEV;

    private final Spec spec;
    private final Path bundle;
    private final Path rootfs;
    private final String id;
    private final CgroupMountSource cgroups;
    private Path execFifo;
    private int preserveFds;
    private boolean noPivot;
    private boolean noNewKeyring;

    public PlanBuilder(Spec spec, Path bundle, Path rootfs, String id, CgroupMountSource cgroups) {
        this.spec = spec;
        this.bundle = bundle;
        this.rootfs = rootfs;
        this.id = id;
        this.cgroups = cgroups;
    }

    public PlanBuilder execFifo(Path fifo) {
        this.execFifo = fifo;
        return this;
    }

    public PlanBuilder preserveFds(int n) {
        this.preserveFds = n;
        return this;
    }

    public PlanBuilder noPivot(boolean v) {
        this.noPivot = v;
        return this;
    }

    public PlanBuilder noNewKeyring(boolean v) {
        this.noNewKeyring = v;
        return this;
    }

    /** The rootfs named by root.path, made absolute against the bundle (config.md "root"). */
    public static Path resolveRootfs(Spec spec, Path bundle) throws SpecException {
        Path p = Path.of(spec.root().path());
        Path abs = (p.isAbsolute() ? p : bundle.resolve(p)).normalize();
        if (!Files.isDirectory(abs)) {
            throw new SpecException("root.path " + abs + ": " + (Files.exists(abs) ? "not a directory"
                    : "no such file or directory"));
        }
        return abs;
    }

    public InitPlan build() throws SpecException {
        InitPlan plan = new InitPlan().mode(SyncProtocol.MODE_CREATE).containerId(id);
        namespaces(plan);
        plan.rootfs(rootfs.toString());
        String prop = spec.linux() == null ? null : spec.linux().rootfsPropagation();
        // Only an explicit rootfsPropagation goes in the plan: jshim-init re-applies a sent one after
        // pivot_root, and re-applying the default (rslave, recursive; jshim-init uses it before the
        // mounts anyway) would undo a mount's own "shared"/"rshared" option, which runc keeps.
        if (prop != null && !prop.isEmpty()) {
            plan.rootfsPropagation(MountOptions.propagation(prop));
        }
        if (noPivot) {
            plan.noPivot();
        }
        boolean devIsTmpfs = mounts(plan);
        if (devIsTmpfs) {
            defaultDevices(plan);
        }
        specDevices(plan);
        if (devIsTmpfs) {
            devSymlinks(plan);
        }
        if (spec.linux() != null) {
            if (spec.linux().maskedPaths() != null) {
                spec.linux().maskedPaths().forEach(plan::maskedPath);
            }
            if (spec.linux().readonlyPaths() != null) {
                spec.linux().readonlyPaths().forEach(plan::readonlyPath);
            }
        }
        if (spec.root().isReadonly()) {
            plan.rootfsReadonly();
        }
        if (spec.hostname() != null && !spec.hostname().isEmpty()) {
            plan.hostname(spec.hostname());
        }
        if (spec.domainname() != null && !spec.domainname().isEmpty()) {
            plan.domainname(spec.domainname());
        }
        if (noNewKeyring) {
            plan.noNewKeyring();
        }
        process(plan, spec.process());
        SecurityPlan.of(spec).addTo(plan); // capabilities, no_new_privs, seccomp
        NamespacePlan.addTo(plan, spec); // time namespace, sysctl, scheduler, ioPriority, personality
        if (execFifo != null) {
            plan.execFifo(execFifo.toString());
        }
        plan.preserveFds(preserveFds);
        return plan;
    }

    /**
     * The plan of {@code exec} (MODE_JOIN, see io.jshim.engine.lifecycle.ExecProcess):
     * join {@code joins} (the running container's namespaces, user first) and run
     * {@code process} there. It goes through the same steps as the container's own
     * process ({@link #process}: rlimits, user, cwd, env, args; then capabilities,
     * no_new_privs and the container's seccomp profile; scheduler, I/O priority and
     * personality), so that whatever applies to the container's process applies to
     * an exec'd one too, as runc's setns init does.
     *
     * @param joins namespaces as {@code {type, path}}, in the order to join them
     */
    public InitPlan buildExec(SpecProcess process, List<Spec.Namespace> joins) throws SpecException {
        InitPlan plan = new InitPlan().mode(SyncProtocol.MODE_JOIN).containerId(id);
        for (Spec.Namespace ns : NamespacePlan.joinOrder(joins)) { // time, user, then as given
            NamespaceType t = NamespaceType.fromSpec(ns.type())
                    .orElseThrow(() -> new SpecException("unknown namespace type \"" + ns.type() + "\""));
            plan.joinNamespace(t.cloneFlag(), ns.path());
        }
        if (noNewKeyring) {
            plan.noNewKeyring();
        }
        Spec execSpec = new Spec(spec.ociVersion(), process, spec.root(), spec.hostname(), spec.domainname(),
                spec.mounts(), spec.hooks(), spec.annotations(), spec.linux());
        process(plan, process);
        SecurityPlan.of(execSpec).addTo(plan); // the exec'd process's capabilities and no_new_privs, seccomp
        io.jshim.engine.namespace.ProcessAttributes.addTo(plan, execSpec); // scheduler, ioPriority, personality
        plan.preserveFds(preserveFds);
        return plan;
    }

    private void namespaces(InitPlan plan) throws SpecException {
        int cloneFlags = 0;
        if (spec.linux() != null && spec.linux().namespaces() != null) {
            for (Spec.Namespace ns : NamespacePlan.joinOrder(spec.linux().namespaces())) {
                NamespaceType t = NamespaceType.fromSpec(ns.type())
                        .orElseThrow(() -> new SpecException("unknown namespace type \"" + ns.type() + "\""));
                if (ns.path() != null && !ns.path().isEmpty()) {
                    if (!Files.exists(Path.of(ns.path()))) {
                        throw new SpecException("linux.namespaces: " + ns.type() + " namespace path " + ns.path()
                                + ": no such file or directory");
                    }
                    plan.joinNamespace(t.cloneFlag(), ns.path());
                } else if (NamespacePlan.madeByClone(t)) {
                    cloneFlags |= t.cloneFlag();
                }
            }
        }
        plan.cloneNamespaces(cloneFlags);
    }

    private boolean newCgroupNamespace() {
        if (spec.linux() == null || spec.linux().namespaces() == null) {
            return false;
        }
        return spec.linux().namespaces().stream()
                .anyMatch(n -> "cgroup".equals(n.type()) && (n.path() == null || n.path().isEmpty()));
    }

    /** Adds every mount in order; returns whether /dev is a fresh tmpfs (so devices must be made). */
    private boolean mounts(InitPlan plan) throws SpecException {
        boolean devIsTmpfs = false;
        if (spec.mounts() == null) {
            return false;
        }
        for (int i = 0; i < spec.mounts().size(); i++) {
            Spec.Mount m = spec.mounts().get(i);
            String dest = m.destination().startsWith("/") ? m.destination() : "/" + m.destination();
            dest = Path.of(dest).normalize().toString();
            MountOptions o = MountOptions.parse(m.optionsOrEmpty());
            String type = m.type() == null ? "" : m.type();
            boolean bind = o.isBind() || type.equals("bind");
            if (type.equals("cgroup") || type.equals("cgroup2")) {
                cgroupMount(plan, dest, o);
                continue;
            }
            if (bind) {
                String src = m.source() == null ? "" : m.source();
                Path source = Path.of(src);
                if (!source.isAbsolute()) {
                    source = bundle.resolve(source).normalize();
                }
                if (!Files.exists(source)) {
                    throw new SpecException("mounts[" + i + "]: bind source " + source + " for " + dest
                            + ": no such file or directory");
                }
                int mntFlags = Files.isDirectory(source) ? 0 : SyncProtocol.MNT_BIND_FILE;
                plan.mount(o.flags() | MS_BIND, o.propagationFlags(), mntFlags, source.toString(), dest, "",
                        o.data());
            } else {
                if (dest.equals("/dev") && type.equals("tmpfs")) {
                    devIsTmpfs = true;
                }
                plan.mount(o.flags(), o.propagationFlags(), 0, m.source() == null ? type : m.source(), dest, type,
                        o.data());
            }
        }
        return devIsTmpfs;
    }

    private void cgroupMount(InitPlan plan, String dest, MountOptions o) {
        long flags = o.flags() & ~MS_BIND;
        boolean cgroupns = newCgroupNamespace();
        if (cgroups.unified()) {
            if (cgroupns) {
                plan.mount(flags, o.propagationFlags(), 0, "cgroup2", dest, "cgroup2", "");
            } else {
                plan.mount(flags | MS_BIND | MS_REC, o.propagationFlags(), 0, cgroups.unifiedDir(), dest, "", "");
            }
            return;
        }
        plan.mount(CGROUP_TMPFS_FLAGS, o.propagationFlags(), 0, "tmpfs", dest, "tmpfs", "mode=755");
        for (CgroupMountSource.Hierarchy h : cgroups.hierarchies()) {
            String sub = dest + "/" + h.name();
            if (cgroupns) {
                plan.mount(flags, 0, 0, "cgroup", sub, "cgroup", h.data());
            } else {
                plan.mount(flags | MS_BIND | MS_REC, 0, 0, h.hostDir(), sub, "", "");
            }
            if (h.name().contains(",")) {
                for (String part : h.name().split(",")) {
                    if (!part.startsWith("name=")) {
                        plan.symlink(h.name(), dest + "/" + part);
                    }
                }
            }
        }
        if ((flags & MS_RDONLY) != 0) {
            // runc remounts the tmpfs read-only only after filling it (mountCgroupV1).
            plan.mount(CGROUP_TMPFS_FLAGS | MS_REMOUNT | MS_RDONLY, 0, 0, "tmpfs", dest, "tmpfs", "mode=755");
        }
    }

    private void defaultDevices(InitPlan plan) {
        for (Object[] d : DEFAULT_DEVICES) {
            String path = (String) d[0];
            if (specHasDevice(path)) {
                continue;
            }
            plan.device('c', (Integer) d[1], (Integer) d[2], 0666, 0, 0, SyncProtocol.DEV_BIND_FALLBACK, path);
        }
    }

    private boolean specHasDevice(String path) {
        return spec.linux() != null && spec.linux().devices() != null
                && spec.linux().devices().stream().anyMatch(d -> path.equals(d.path()));
    }

    private void specDevices(InitPlan plan) throws SpecException {
        if (spec.linux() == null || spec.linux().devices() == null) {
            return;
        }
        for (int i = 0; i < spec.linux().devices().size(); i++) {
            Spec.Device d = spec.linux().devices().get(i);
            if (d.path() == null || !d.path().startsWith("/dev/")) {
                throw new SpecException("linux.devices[" + i + "]: path must be under /dev, got \"" + d.path() + "\"");
            }
            String t = d.type() == null ? "" : d.type();
            char type = switch (t) {
                case "c", "u" -> 'c';
                case "b" -> 'b';
                case "p" -> 'p';
                default -> throw new SpecException("linux.devices[" + i + "] (" + d.path() + "): unknown type \"" + t
                        + "\" (c, u, b or p)");
            };
            if (type != 'p' && (d.major() == null || d.minor() == null)) {
                throw new SpecException("linux.devices[" + i + "] (" + d.path() + "): major and minor are required");
            }
            if (d.path().equals("/dev/ptmx") && mountsDevpts()) {
                // it becomes the symlink to the container's own pts/ptmx (devSymlinks); a privileged
                // pod lists the host's ptmx among its devices, and runc's setupPtmx replaces that node
                continue;
            }
            int mode = d.fileMode() == null ? 0666 : d.fileMode() & 07777;
            plan.device(type, d.major() == null ? 0 : d.major(), d.minor() == null ? 0 : d.minor(), mode,
                    d.uid() == null ? 0 : d.uid(), d.gid() == null ? 0 : d.gid(), SyncProtocol.DEV_BIND_FALLBACK,
                    d.path());
        }
    }

    /** runtime-linux.md "Dev symbolic links", plus /dev/ptmx → pts/ptmx for devpts newinstance (runc setupPtmx). */
    private void devSymlinks(InitPlan plan) {
        plan.symlink("/proc/self/fd", "/dev/fd");
        plan.symlink("/proc/self/fd/0", "/dev/stdin");
        plan.symlink("/proc/self/fd/1", "/dev/stdout");
        plan.symlink("/proc/self/fd/2", "/dev/stderr");
        if (Files.exists(Path.of("/proc/kcore"))) {
            plan.symlink("/proc/kcore", "/dev/core");
        }
        if (mountsDevpts()) {
            plan.symlink("pts/ptmx", "/dev/ptmx");
        }
    }

    private boolean mountsDevpts() {
        return spec.mounts().stream().anyMatch(m -> "/dev/pts".equals(m.destination()));
    }

    private void process(InitPlan plan, SpecProcess p) {
        if (p.rlimits() != null) {
            for (SpecProcess.Rlimit r : p.rlimits()) {
                plan.rlimit(RlimitType.resource(r.type()), r.soft(), r.hard());
            }
        }
        SpecProcess.User u = p.user();
        List<Long> groups = u.additionalGids() == null ? List.of() : u.additionalGids();
        plan.user(u.uid(), u.gid(), u.umask() == null ? SyncProtocol.UMASK_UNSET : (int) (long) u.umask(), groups);
        plan.cwd(p.cwd());
        plan.env(p.env() == null ? List.of() : new ArrayList<>(p.env()));
        plan.args(p.args());
    }
}
