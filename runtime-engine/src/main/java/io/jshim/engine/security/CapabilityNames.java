package io.jshim.engine.security;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Capability names and numbers as in {@code linux/capability.h}: CAP_CHOWN (0) to
 * CAP_CHECKPOINT_RESTORE (40), the names config.md's {@code process.capabilities} uses.
 */
public final class CapabilityNames {
    private static final List<String> NAMES = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
            "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
            "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
            "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
            "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");
    private static final Map<String, Integer> NUMBERS = new HashMap<>();

    static {
        for (int i = 0; i < NAMES.size(); i++) {
            NUMBERS.put(NAMES.get(i), i);
        }
    }

    private CapabilityNames() {
    }

    /** The highest capability number jrunc knows (CAP_CHECKPOINT_RESTORE). */
    public static int last() {
        return NAMES.size() - 1;
    }

    /** The number of a capability name such as {@code CAP_KILL}, or empty if unknown. */
    public static OptionalInt number(String name) {
        Integer n = NUMBERS.get(name);
        return n == null ? OptionalInt.empty() : OptionalInt.of(n);
    }

    /** The name of capability {@code n}, or {@code "cap_<n>"} beyond the table. */
    public static String name(int n) {
        return n >= 0 && n < NAMES.size() ? NAMES.get(n) : "cap_" + n;
    }

    /** The known name a slip like {@code "chown"} or {@code "cap_chown"} probably meant, or null. */
    static String suggestion(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        String withPrefix = upper.startsWith("CAP_") ? upper : "CAP_" + upper;
        return NUMBERS.containsKey(withPrefix) && !withPrefix.equals(name) ? withPrefix : null;
    }

    /** The names of the bits set in {@code mask}, lowest first, comma-separated. */
    public static String describe(long mask) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            if ((mask & (1L << i)) != 0) {
                if (!sb.isEmpty()) {
                    sb.append(", ");
                }
                sb.append(name(i));
            }
        }
        return sb.toString();
    }
}
