package io.jshim.engine.devices;

import io.jshim.engine.spec.LinuxResources;

/**
 * One rule of the device cgroup: {@code linux.resources.devices[i]} parsed and checked
 * (config-linux.md "Allowed Device List"; runc devices.Rule).
 *
 * @param type   'a' (all), 'b' or 'c'
 * @param major  the major number, or {@link #WILDCARD}
 * @param minor  the minor number, or {@link #WILDCARD}
 * @param access a non-empty subset of "rwm", in that order
 * @param allow  allow (true) or deny
 */
public record DeviceRule(char type, long major, long minor, String access, boolean allow) {
    /** An absent major or minor: any. */
    public static final long WILDCARD = -1;

    /** Parses spec rule {@code index}; the messages are runc's. */
    public static DeviceRule of(LinuxResources.DeviceCgroup d, int index) throws DeviceRuleException {
        String t = d.type() == null || d.type().isEmpty() ? "a" : d.type();
        if (!t.equals("a") && !t.equals("b") && !t.equals("c")) {
            throw new DeviceRuleException("invalid cgroup device type \"" + t + "\" at linux.resources.devices["
                    + index + "]");
        }
        String access = d.access();
        if (access == null || access.isEmpty()) {
            throw new DeviceRuleException("device access at " + index + " field cannot be empty");
        }
        if (!access.matches("[rwm]{1,3}")) {
            throw new DeviceRuleException("invalid device access \"" + access + "\" at linux.resources.devices["
                    + index + "]");
        }
        long major = d.major() == null ? WILDCARD : d.major();
        long minor = d.minor() == null ? WILDCARD : d.minor();
        if (major < WILDCARD || major > 0xFFFF_FFFFL || minor < WILDCARD || minor > 0xFFFF_FFFFL) {
            throw new DeviceRuleException("invalid device number " + major + ":" + minor
                    + " at linux.resources.devices[" + index + "]");
        }
        return new DeviceRule(t.charAt(0), major, minor, normalize(access), d.allows());
    }

    /** The access letters in "rwm" order, each once. */
    static String normalize(String access) {
        StringBuilder sb = new StringBuilder(3);
        for (char c : new char[] {'r', 'w', 'm'}) {
            if (access.indexOf(c) >= 0) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** "c 1:3 rwm", as devices.list shows a rule. */
    @Override
    public String toString() {
        return type + " " + (major == WILDCARD ? "*" : Long.toString(major)) + ":"
                + (minor == WILDCARD ? "*" : Long.toString(minor)) + " " + access + (allow ? " allow" : " deny");
    }
}
