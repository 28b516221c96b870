package io.jshim.engine.spec;

import java.util.Map;

/** RLIMIT_* names and their resource numbers (getrlimit(2), asm-generic/resource.h). */
public final class RlimitType {
    private static final Map<String, Integer> TYPES = Map.ofEntries(
            Map.entry("RLIMIT_CPU", 0), Map.entry("RLIMIT_FSIZE", 1), Map.entry("RLIMIT_DATA", 2),
            Map.entry("RLIMIT_STACK", 3), Map.entry("RLIMIT_CORE", 4), Map.entry("RLIMIT_RSS", 5),
            Map.entry("RLIMIT_NPROC", 6), Map.entry("RLIMIT_NOFILE", 7), Map.entry("RLIMIT_MEMLOCK", 8),
            Map.entry("RLIMIT_AS", 9), Map.entry("RLIMIT_LOCKS", 10), Map.entry("RLIMIT_SIGPENDING", 11),
            Map.entry("RLIMIT_MSGQUEUE", 12), Map.entry("RLIMIT_NICE", 13), Map.entry("RLIMIT_RTPRIO", 14),
            Map.entry("RLIMIT_RTTIME", 15));

    private RlimitType() {
    }

    /** The resource number, or -1 for a name Linux does not have. */
    public static int resource(String name) {
        return TYPES.getOrDefault(name, -1);
    }
}
