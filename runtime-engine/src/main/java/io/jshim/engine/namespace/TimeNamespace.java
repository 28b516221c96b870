package io.jshim.engine.namespace;

import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A new time namespace and its clock offsets ({@code linux.timeOffsets}, config-linux.md;
 * time_namespaces(7)). Only CLOCK_MONOTONIC and CLOCK_BOOTTIME can be offset. jshim-init
 * makes the namespace before clone() and writes the offsets while nothing lives in it yet
 * (nsextra.c), so the record goes in the plan instead of a CLONE_NEWTIME flag.
 *
 * @param create whether the container gets a new time namespace
 */
public record TimeNamespace(boolean create, long monotonicSecs, long monotonicNanos, long boottimeSecs,
        long boottimeNanos) {
    static final TimeNamespace NONE = new TimeNamespace(false, 0, 0, 0, 0);
    private static final long NANOS_PER_SEC = 1_000_000_000L;

    /** Reads and checks {@code linux.timeOffsets} against the time namespace of {@code spec}. */
    public static TimeNamespace of(Spec spec) throws SpecException {
        Spec.Linux linux = spec.linux();
        Map<String, Spec.TimeOffset> offsets = linux == null || linux.timeOffsets() == null ? Map.of()
                : linux.timeOffsets();
        Spec.Namespace ns = linux == null || linux.namespaces() == null ? null : linux.namespaces().stream()
                .filter(n -> "time".equals(n.type())).findFirst().orElse(null);
        if (ns == null) {
            if (!offsets.isEmpty()) {
                throw new SpecException("linux.timeOffsets: clock offsets without a time namespace "
                        + "(add {\"type\": \"time\"} to linux.namespaces)");
            }
            return NONE;
        }
        if (!Files.exists(Path.of("/proc/self/ns/time"))) {
            throw new SpecException("linux.namespaces: this kernel has no time namespaces (CONFIG_TIME_NS, "
                    + "Linux 5.6+)");
        }
        boolean joined = ns.path() != null && !ns.path().isEmpty();
        if (joined) {
            if (!offsets.isEmpty()) {
                throw new SpecException("linux.timeOffsets: the time namespace is joined by path (" + ns.path()
                        + ") and its offsets are already fixed; leave linux.timeOffsets out");
            }
            return NONE;
        }
        long[] mono = {0, 0};
        long[] boot = {0, 0};
        for (Map.Entry<String, Spec.TimeOffset> e : offsets.entrySet()) {
            long[] target = switch (e.getKey()) {
                case "monotonic" -> mono;
                case "boottime" -> boot;
                default -> throw new SpecException("linux.timeOffsets: unknown clock \"" + e.getKey()
                        + "\" (a time namespace offsets only \"monotonic\" and \"boottime\")");
            };
            Spec.TimeOffset o = e.getValue();
            long secs = o == null || o.secs() == null ? 0 : o.secs();
            long nanos = o == null || o.nanosecs() == null ? 0 : o.nanosecs();
            if (nanos < 0 || nanos >= NANOS_PER_SEC) {
                throw new SpecException("linux.timeOffsets." + e.getKey() + ".nanosecs: " + nanos
                        + " is not in 0..999999999");
            }
            target[0] = secs;
            target[1] = nanos;
        }
        return new TimeNamespace(true, mono[0], mono[1], boot[0], boot[1]);
    }
}
