package io.jshim.engine.devices;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a list of device rules amounts to, computed the way the v1 devices controller would
 * (Documentation/admin-guide/cgroup-v1/devices.rst): a default (allow or deny everything) set
 * by "a" rules, plus exceptions per (type, major, minor) with their access. A port of runc's
 * devices emulator (libcontainer/cgroups/devices), so that the v2 eBPF filter enforces
 * exactly what v1 would, including its refusal to punch a hole into a wildcard exception
 * (v1 silently ignores that; runc makes it an error, and so does jshim).
 */
public final class DeviceRuleSet {
    /** The match part of a rule; ordered by major, minor, type (runc's orderedEntries). */
    record Meta(char type, long major, long minor) {
        static final Comparator<Meta> ORDER = Comparator.comparingLong(Meta::major).thenComparingLong(Meta::minor)
                .thenComparing(Meta::type);
    }

    private boolean defaultAllow;
    private final Map<Meta, String> exceptions = new TreeMap<>(Meta.ORDER);

    /** A set that denies everything (an empty v2 cgroup under a deny-all filter; v1 after "a"). */
    public DeviceRuleSet() {
    }

    /** Applies {@code rules} in order to a deny-all set. */
    public static DeviceRuleSet of(List<DeviceRule> rules) throws DeviceRuleException {
        DeviceRuleSet s = new DeviceRuleSet();
        for (DeviceRule r : rules) {
            s.apply(r);
        }
        return s;
    }

    /** One rule, as writing it to devices.allow or devices.deny would. */
    public void apply(DeviceRule rule) throws DeviceRuleException {
        if (rule.type() == 'a') {
            // "a" resets the cgroup to allow-all or deny-all, whatever the access says.
            defaultAllow = rule.allow();
            exceptions.clear();
            return;
        }
        Meta meta = new Meta(rule.type(), rule.major(), rule.minor());
        if (rule.allow() == defaultAllow) {
            remove(meta, rule);
        } else {
            exceptions.merge(meta, rule.access(), DeviceRuleSet::union);
        }
    }

    private void remove(Meta meta, DeviceRule rule) throws DeviceRuleException {
        for (Meta partial : List.of(new Meta(meta.type(), DeviceRule.WILDCARD, meta.minor()),
                new Meta(meta.type(), meta.major(), DeviceRule.WILDCARD),
                new Meta(meta.type(), DeviceRule.WILDCARD, DeviceRule.WILDCARD))) {
            if (partial.equals(meta)) {
                continue;
            }
            String held = exceptions.get(partial);
            if (held != null && !intersection(held, rule.access()).isEmpty()) {
                DeviceRule wild = new DeviceRule(partial.type(), partial.major(), partial.minor(), held, !defaultAllow);
                throw new DeviceRuleException("device rule \"" + rule + "\" cannot punch a hole in the wildcard rule \""
                        + wild + "\" before it (the v1 devices controller would ignore it): list the exceptions "
                        + "without the wildcard instead");
            }
        }
        String left = difference(exceptions.getOrDefault(meta, ""), rule.access());
        if (left.isEmpty()) {
            exceptions.remove(meta);
        } else {
            exceptions.put(meta, left);
        }
    }

    /** Whether everything not listed is allowed (a deny list) rather than denied. */
    public boolean defaultAllow() {
        return defaultAllow;
    }

    /**
     * The shortest equivalent list on top of deny-all (runc's Emulator.Rules): an "a" allow
     * rule first when the default is allow, then each exception in (major, minor, type)
     * order, acting against the default.
     */
    public List<DeviceRule> rules() {
        List<DeviceRule> out = new ArrayList<>();
        if (defaultAllow) {
            out.add(new DeviceRule('a', DeviceRule.WILDCARD, DeviceRule.WILDCARD, "rwm", true));
        }
        exceptions.forEach((m, access) -> out.add(new DeviceRule(m.type(), m.major(), m.minor(), access,
                !defaultAllow)));
        return out;
    }

    private static String union(String a, String b) {
        return DeviceRule.normalize(a + b);
    }

    private static String intersection(String a, String b) {
        StringBuilder sb = new StringBuilder();
        for (char c : a.toCharArray()) {
            if (b.indexOf(c) >= 0) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String difference(String a, String b) {
        StringBuilder sb = new StringBuilder();
        for (char c : a.toCharArray()) {
            if (b.indexOf(c) < 0) {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
