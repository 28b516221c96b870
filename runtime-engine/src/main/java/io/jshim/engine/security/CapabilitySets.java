package io.jshim.engine.security;

import io.jshim.engine.spec.SpecException;
import io.jshim.engine.spec.SpecProcess;
import java.util.List;
import java.util.OptionalInt;

/**
 * The five capability sets of config.md "process.capabilities" as bit masks (bit n =
 * capability n), ready for PLAN_CAPS. A missing {@code process.capabilities} means every set
 * empty, as in runc (libcontainer/init_linux.go finalizeNamespace).
 */
public record CapabilitySets(long bounding, long effective, long permitted, long inheritable, long ambient) {
    public static final CapabilitySets EMPTY = new CapabilitySets(0, 0, 0, 0, 0);

    /**
     * Parses the spec's sets.
     *
     * <p>An unknown name is an error (config.md says a runtime should only warn, and runc 1.1 does;
     * issue 3 asks for an error, and a typo in a security setting should not pass quietly). A name
     * jrunc knows but the running kernel does not (above {@code /proc/sys/kernel/cap_last_cap}) is
     * skipped, as runc does with capabilities its kernel lacks.
     *
     * @param field   the spec field, for messages ({@code process.capabilities})
     * @param lastCap the kernel's {@code cap_last_cap}
     */
    public static CapabilitySets fromSpec(SpecProcess.Capabilities caps, String field, int lastCap)
            throws SpecException {
        if (caps == null) {
            return EMPTY;
        }
        return new CapabilitySets(mask(field + ".bounding", caps.bounding(), lastCap),
                mask(field + ".effective", caps.effective(), lastCap),
                mask(field + ".permitted", caps.permitted(), lastCap),
                mask(field + ".inheritable", caps.inheritable(), lastCap),
                mask(field + ".ambient", caps.ambient(), lastCap));
    }

    /** The mask of a list of names (see {@link #fromSpec}); null is the empty set. */
    public static long mask(String field, List<String> names, int lastCap) throws SpecException {
        long m = 0;
        if (names == null) {
            return 0;
        }
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name == null) {
                throw new SpecException(field + "[" + i + "]: null is not a capability name");
            }
            OptionalInt n = CapabilityNames.number(name);
            if (n.isEmpty()) {
                String hint = CapabilityNames.suggestion(name);
                throw new SpecException(field + ": unknown capability \"" + name + "\""
                        + (hint == null ? "" : " (did you mean \"" + hint + "\"?)"));
            }
            if (n.getAsInt() <= lastCap) {
                m |= 1L << n.getAsInt();
            }
        }
        return m;
    }

    /**
     * Checks what capset(2) would refuse, so that create fails before anything is made, naming
     * the capability: effective must lie within permitted; and outside a user namespace
     * (where the container's root starts with every capability of its own namespace) the
     * permitted, effective and inheritable sets can only hold capabilities jrunc itself has
     * ({@code held}, its own permitted set).
     */
    public void checkGrantable(String field, long held, boolean userNamespace) throws SpecException {
        long notPermitted = effective & ~permitted;
        if (notPermitted != 0) {
            throw new SpecException(field + ".effective: " + CapabilityNames.describe(notPermitted)
                    + " must also be in " + field + ".permitted (capset(2): effective is a subset of permitted)");
        }
        if (userNamespace) {
            return;
        }
        String[] names = {"permitted", "effective", "inheritable"};
        long[] sets = {permitted, effective, inheritable};
        for (int i = 0; i < sets.length; i++) {
            long missing = sets[i] & ~held;
            if (missing != 0) {
                throw new SpecException(field + "." + names[i] + ": " + CapabilityNames.describe(missing)
                        + ": jrunc itself does not have " + (Long.bitCount(missing) == 1 ? "this capability"
                        : "these capabilities") + ", so it cannot grant " + (Long.bitCount(missing) == 1 ? "it"
                        : "them") + " to a container");
            }
        }
    }
}
