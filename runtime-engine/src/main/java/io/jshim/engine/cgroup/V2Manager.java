package io.jshim.engine.cgroup;

import io.jshim.engine.devices.DeviceFilterProgram;
import io.jshim.engine.devices.DeviceRule;
import io.jshim.engine.devices.DeviceRuleException;
import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A container's cgroup on the unified hierarchy: one directory (cgroup-v2.rst; runc
 * libcontainer/cgroups/fs2). Controllers must be enabled in every ancestor's
 * cgroup.subtree_control before the leaf gets their files ("Top-down Constraint").
 *
 * <p>Device rules have no file on v2: they become a BPF_PROG_TYPE_CGROUP_DEVICE program
 * (io.jshim.engine.devices), attached to the directory in place of any earlier one.
 */
final class V2Manager extends BaseManager {
    static final String CONTROLLERS = "cgroup.controllers";
    static final String SUBTREE = "cgroup.subtree_control";

    /** In runc's order (fs2.go Set); unified goes last so that it overrides the converted values. */
    static final List<ResourceWriter> WRITERS = List.of(SimpleWriters.PIDS, new MemoryV2(), new IoV2(), new CpuV2(),
            SimpleWriters.CPUSET_V2, SimpleWriters.HUGETLB_V2, SimpleWriters.RDMA);

    private final Path mount;
    private final Path dir;

    V2Manager(CgroupFs fs, Path mount, Path dir, Killer killer) {
        super(fs, killer);
        this.mount = mount;
        this.dir = dir;
    }

    @Override
    public CgroupLayout.Mode mode() {
        return CgroupLayout.Mode.V2;
    }

    @Override
    Collection<Path> leafDirs() {
        return List.of(dir);
    }

    /**
     * runc CreateCgroupPath: from the mount point down, enable in each level's
     * subtree_control whatever that level offers and has not enabled yet, then create the
     * next level. Enabling can fail (a level with processes of its own refuses with EBUSY);
     * that is left to {@link #apply}, which names any controller the leaf lacks.
     */
    @Override
    public void create() throws CgroupException {
        if (!dir.startsWith(mount) || dir.equals(mount)) {
            throw new CgroupException("cgroup " + dir + " is not below the cgroup2 mount " + mount);
        }
        Path current = mount;
        for (Path name : mount.relativize(dir)) {
            enableControllers(current);
            current = current.resolve(name.toString());
            fs.mkdir(current);
        }
    }

    private void enableControllers(Path level) throws CgroupException {
        Set<String> missing = words(level.resolve(CONTROLLERS));
        missing.removeAll(words(level.resolve(SUBTREE)));
        if (missing.isEmpty()) {
            return;
        }
        try {
            fs.write(level.resolve(SUBTREE), "+" + String.join(" +", missing));
        } catch (CgroupException all) {
            for (String c : missing) {
                try {
                    fs.write(level.resolve(SUBTREE), "+" + c);
                } catch (CgroupException one) {
                    // not enableable here; apply reports it if a limit needs it
                }
            }
        }
    }

    private Set<String> words(Path file) throws CgroupException {
        Set<String> out = new LinkedHashSet<>();
        if (fs.exists(file)) {
            for (String w : fs.read(file).strip().split("\\s+")) {
                if (!w.isEmpty()) {
                    out.add(w);
                }
            }
        }
        return out;
    }

    @Override
    public void apply(LinuxResources r) throws CgroupException {
        if (r == null) {
            return;
        }
        LinuxResources.Network net = r.network();
        if (net != null && (ResourceWriter.nz(net.classID()) || ResourceWriter.nonEmpty(net.priorities()))) {
            throw new CgroupException("linux.resources.network needs the net_cls/net_prio controllers,"
                    + " which cgroup v2 does not have");
        }
        DeviceFilterProgram deviceFilter = ResourceWriter.nonEmpty(r.devices()) ? deviceFilter(r) : null;
        Set<String> available = words(dir.resolve(CONTROLLERS));
        List<ResourceWriter> active = new ArrayList<>();
        for (ResourceWriter w : WRITERS) {
            if (w.isSet(r)) {
                if (!available.contains(w.controller())) {
                    throw new CgroupException(w.what() + " needs the " + w.controller()
                            + " cgroup controller, which is not available in " + dir + " (cgroup.controllers: "
                            + String.join(" ", available) + ")");
                }
                active.add(w);
            }
        }
        Map<String, String> unified = r.unified() == null ? Map.of() : r.unified();
        for (String key : unified.keySet()) {
            checkUnifiedKey(key, available);
        }
        for (ResourceWriter w : active) {
            w.validate(r);
        }
        for (ResourceWriter w : active) {
            w.write(fs, dir, r);
        }
        for (Map.Entry<String, String> e : unified.entrySet()) {
            fs.write(dir.resolve(e.getKey()), e.getValue());
        }
        if (deviceFilter != null) {
            fs.replaceDeviceFilter(dir, deviceFilter);
        }
    }

    /** linux.resources.devices as an eBPF program; a bad rule fails before anything is written. */
    private static DeviceFilterProgram deviceFilter(LinuxResources r) throws CgroupException {
        List<DeviceRule> rules = new ArrayList<>();
        try {
            for (int i = 0; i < r.devices().size(); i++) {
                rules.add(DeviceRule.of(r.devices().get(i), i));
            }
            return DeviceFilterProgram.of(rules);
        } catch (DeviceRuleException e) {
            throw new CgroupException(e.getMessage(), e);
        }
    }

    /**
     * config-linux.md "Unified": keys are file names in the container's cgroup, and the
     * runtime MUST fail if the controller is not available (runc fs2 setUnified).
     */
    private void checkUnifiedKey(String key, Set<String> available) throws CgroupException {
        if (key.contains("/") || key.equals(".") || key.equals("..")) {
            throw new CgroupException("unified resource \"" + key + "\" must be a file name (no slashes)");
        }
        int dot = key.indexOf('.');
        if (dot <= 0 || dot == key.length() - 1) {
            throw new CgroupException("unified resource \"" + key + "\" must be in the form CONTROLLER.PARAMETER");
        }
        String c = key.substring(0, dot);
        if (!c.equals("cgroup") && !available.contains(c)) {
            throw new CgroupException("unified resource \"" + key + "\" can't be set: controller \"" + c
                    + "\" not available");
        }
        if (!fs.exists(dir.resolve(key))) {
            throw new CgroupException("unified resource \"" + key + "\" can't be set: " + dir.resolve(key)
                    + " does not exist");
        }
    }

    @Override
    public void freeze() throws CgroupException {
        FreezerV2.freeze(fs, dir);
    }

    @Override
    public void thaw() throws CgroupException {
        FreezerV2.thaw(fs, dir);
    }

    @Override
    public boolean isFrozen() throws CgroupException {
        return FreezerV2.frozen(fs, dir);
    }

    /** cgroup.kill (Linux 5.14+) SIGKILLs the whole subtree at once. */
    @Override
    boolean killByKernel() throws CgroupException {
        Path kill = dir.resolve("cgroup.kill");
        if (!fs.exists(kill)) {
            return false;
        }
        fs.write(kill, "1");
        return true;
    }

    @Override
    public Map<String, String> paths() {
        return Map.of("", dir.toString());
    }

    @Override
    public Optional<Path> dir(String controller) {
        return Optional.of(dir);
    }

    @Override
    public String toString() {
        return "V2Manager[" + dir + "]";
    }
}
