package io.jshim.engine.cgroup;

import static io.jshim.engine.cgroup.ResourceWriter.nonEmpty;

import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Path;
import java.util.List;

/**
 * v1 devices controller (Documentation/admin-guide/cgroup-v1/devices.rst). The spec's
 * rules apply in order on top of deny-all (runc builds its target the same way), so the
 * list is written as {@code devices.deny "a"} followed by each rule to devices.allow or
 * devices.deny. The leading deny-all is left out when the first rule already is one
 * (the usual spec), since writing "a" resets the list either way.
 *
 * <p>Unlike runc 1.1, which diffs against devices.list to write only the transitions, an
 * update briefly denies everything while the rules are rewritten.
 */
final class DevicesV1 implements ResourceWriter {

    @Override
    public String controller() {
        return "devices";
    }

    @Override
    public String what() {
        return "linux.resources.devices";
    }

    @Override
    public boolean isSet(LinuxResources r) {
        return nonEmpty(r.devices());
    }

    @Override
    public void validate(LinuxResources r) throws CgroupException {
        List<LinuxResources.DeviceCgroup> rules = r.devices();
        for (int i = 0; i < rules.size(); i++) {
            rule(rules.get(i), i);
        }
    }

    @Override
    public void write(CgroupFs fs, Path dir, LinuxResources r) throws CgroupException {
        List<LinuxResources.DeviceCgroup> rules = r.devices();
        LinuxResources.DeviceCgroup first = rules.getFirst();
        if (first.allows() || !type(first).equals("a")) {
            fs.write(dir.resolve("devices.deny"), "a");
        }
        for (int i = 0; i < rules.size(); i++) {
            LinuxResources.DeviceCgroup d = rules.get(i);
            fs.write(dir.resolve(d.allows() ? "devices.allow" : "devices.deny"), rule(d, i));
        }
    }

    /** The devices.allow/deny line, "TYPE MAJOR:MINOR ACCESS", with "*" for a wildcard (runc devices.Rule.CgroupString). */
    static String rule(LinuxResources.DeviceCgroup d, int index) throws CgroupException {
        String type = type(d);
        if (!type.equals("a") && !type.equals("b") && !type.equals("c")) {
            throw new CgroupException("invalid cgroup device type \"" + type + "\" at linux.resources.devices[" + index
                    + "]");
        }
        String access = d.access();
        if (access == null || access.isEmpty()) {
            throw new CgroupException("device access at " + index + " field cannot be empty");
        }
        if (!access.matches("[rwm]{1,3}")) {
            throw new CgroupException("invalid device access \"" + access + "\" at linux.resources.devices[" + index
                    + "]");
        }
        return type + " " + number(d.major()) + ":" + number(d.minor()) + " " + access;
    }

    private static String type(LinuxResources.DeviceCgroup d) {
        return d.type() == null || d.type().isEmpty() ? "a" : d.type();
    }

    private static String number(Long n) {
        return n == null || n == -1 ? "*" : Long.toString(n);
    }
}
