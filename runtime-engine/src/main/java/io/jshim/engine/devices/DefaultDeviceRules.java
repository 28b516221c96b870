package io.jshim.engine.devices;

import io.jshim.engine.spec.LinuxResources;
import io.jshim.engine.spec.LinuxResources.DeviceCgroup;
import io.jshim.engine.spec.Spec;
import java.util.ArrayList;
import java.util.List;

/**
 * The device cgroup rules every container gets after its own: runc's {@code AllowedDevices}
 * (libcontainer/specconv), appended to {@code linux.resources.devices} whether or not the spec
 * has resources, so that the default devices jshim creates (/dev/null, zero, full, random,
 * urandom, tty), the pty devices (/dev/pts/*, /dev/ptmx) and tun stay usable under the usual
 * "deny all" first rule, and mknod of any device is allowed (runc's comment calls that
 * questionable; containers have relied on it for years, so it is kept for parity).
 *
 * <p>As in runc, a default rule for a path that {@code linux.devices} also lists is dropped:
 * the spec's device takes its place (and its cgroup access is then up to the spec's rules).
 */
public final class DefaultDeviceRules {
    private record Default(String path, DeviceCgroup rule) {
    }

    private static final List<Default> DEFAULTS = List.of(
            new Default(null, rule("c", null, null, "m")),
            new Default(null, rule("b", null, null, "m")),
            new Default("/dev/null", rule("c", 1L, 3L, "rwm")),
            new Default("/dev/random", rule("c", 1L, 8L, "rwm")),
            new Default("/dev/full", rule("c", 1L, 7L, "rwm")),
            new Default("/dev/tty", rule("c", 5L, 0L, "rwm")),
            new Default("/dev/zero", rule("c", 1L, 5L, "rwm")),
            new Default("/dev/urandom", rule("c", 1L, 9L, "rwm")),
            new Default(null, rule("c", 136L, null, "rwm")), // /dev/pts/*
            new Default(null, rule("c", 5L, 2L, "rwm")), // /dev/ptmx
            new Default(null, rule("c", 10L, 200L, "rwm"))); // /dev/net/tun

    private DefaultDeviceRules() {
    }

    private static DeviceCgroup rule(String type, Long major, Long minor, String access) {
        return new DeviceCgroup(true, type, major, minor, access);
    }

    /** The default rules for {@code spec}, without those whose path {@code linux.devices} lists. */
    public static List<DeviceCgroup> forSpec(Spec spec) {
        List<Spec.Device> devices = spec.linux() == null || spec.linux().devices() == null ? List.of()
                : spec.linux().devices();
        List<DeviceCgroup> out = new ArrayList<>();
        for (Default d : DEFAULTS) {
            if (d.path() == null || devices.stream().noneMatch(s -> d.path().equals(s.path()))) {
                out.add(d.rule());
            }
        }
        return out;
    }

    /** {@code linux.resources} (possibly absent) with the defaults appended to its device rules. */
    public static LinuxResources resources(Spec spec) {
        LinuxResources r = spec.linux() == null ? null : spec.linux().resources();
        List<DeviceCgroup> rules = new ArrayList<>();
        if (r != null && r.devices() != null) {
            rules.addAll(r.devices());
        }
        rules.addAll(forSpec(spec));
        if (r == null) {
            return new LinuxResources(rules, null, null, null, null, null, null, null, null);
        }
        return new LinuxResources(rules, r.memory(), r.cpu(), r.pids(), r.blockIO(), r.hugepageLimits(), r.network(),
                r.rdma(), r.unified());
    }
}
