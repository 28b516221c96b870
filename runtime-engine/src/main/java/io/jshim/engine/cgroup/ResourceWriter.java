package io.jshim.engine.cgroup;

import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/**
 * Writes the part of {@code linux.resources} that one controller enforces into that
 * controller's cgroup directory. Managers check {@link #controller()} is available for
 * every writer whose {@link #isSet} holds, then {@link #validate} all, and only then
 * {@link #write}, so a bad request leaves the cgroup untouched.
 */
interface ResourceWriter {

    /** The controller: a v1 hierarchy name, or a name in v2's cgroup.controllers. */
    String controller();

    /** The spec field(s) this writer handles, for error messages ("linux.resources.memory"). */
    String what();

    /** Whether {@code r} asks this controller for anything (zero values mean "leave alone", as in runc). */
    boolean isSet(LinuxResources r);

    /** Rejects values the kernel would reject, before anything is written. */
    default void validate(LinuxResources r) throws CgroupException {
    }

    void write(CgroupFs fs, Path dir, LinuxResources r) throws CgroupException;

    // ---- small helpers shared by the writers ----

    /** True for a non-null, non-zero number (runc's "0 means unset"). */
    static boolean nz(Number n) {
        return n != null && n.longValue() != 0;
    }

    static long val(Number n) {
        return n == null ? 0 : n.longValue();
    }

    static boolean nonEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    static boolean nonEmpty(Collection<?> c) {
        return c != null && !c.isEmpty();
    }

    static boolean nonEmpty(Map<?, ?> m) {
        return m != null && !m.isEmpty();
    }

    /** Parses a kernel number; "max" reads as Long.MAX_VALUE. */
    static long parseLong(Path file, String text) throws CgroupException {
        String t = text.strip();
        if (t.equals("max")) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e2) {
                throw new CgroupException("parse " + file + ": unexpected content \"" + t + "\"", e2);
            }
        }
    }
}
