package io.jshim.engine.security;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A read-only view of the names {@link SeccompProfile} accepts, for {@code jrunc features}
 * (runc: seccomp.KnownActions, KnownOperators, KnownArchs), sorted as runc prints them.
 * Lives in this package to read the profile's own tables rather than a copy of them.
 */
public final class SeccompTables {
    private SeccompTables() {
    }

    public static List<String> actions() {
        return sorted(SeccompProfile.ACTIONS.keySet());
    }

    public static List<String> operators() {
        return sorted(SeccompProfile.OPERATORS.keySet());
    }

    public static List<String> architectures() {
        return sorted(SeccompProfile.ARCHITECTURES);
    }

    public static List<String> flags() {
        return sorted(SeccompProfile.FLAGS.keySet());
    }

    private static List<String> sorted(java.util.Collection<String> names) {
        Set<String> s = new TreeSet<>(names);
        return List.copyOf(s);
    }
}
