package io.jshim.engine.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.plan.SyncProtocol;
import io.jshim.engine.spec.SpecException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * config-linux.md "seccomp", checked field by field and translated into PLAN_SECCOMP and
 * PLAN_SECCOMP_RULE records; jshim-init compiles them with libseccomp (native-init/src/security.c).
 *
 * <p>What is an error here (create fails naming the field): an unknown action, operator,
 * architecture or flag; a syscall name that is not a string, is empty, or is not spelled like a
 * syscall ({@code [a-z0-9_]+}); an {@code errnoRet} on an action that takes none (the spec's
 * "MUST print an error and fail"); SCMP_ACT_NOTIFY as the default action, on {@code write} or
 * {@code sendmsg}, or without {@code listenerPath}. A well-formed name that libseccomp does not
 * know (a syscall of a newer kernel, say) is skipped by jshim-init, as runc skips it.
 *
 * <p>As in runc (libcontainer/seccomp/seccomp_linux.go): errnoRet defaults to EPERM for
 * SCMP_ACT_ERRNO and SCMP_ACT_TRACE; a rule whose action equals the default action is dropped;
 * SCMP_ACT_KILL kills the thread.
 */
public final class SeccompProfile {
    private static final int EPERM = 1;
    private static final Pattern SYSCALL_NAME = Pattern.compile("[a-z0-9_]+");

    /** config-linux.md actions, with jshim-init's codes. */
    static final Map<String, Integer> ACTIONS = new LinkedHashMap<>();
    /** config-linux.md operators, with libseccomp's enum scmp_compare values. */
    static final Map<String, Integer> OPERATORS = new LinkedHashMap<>();
    /** config-linux.md flags (plus TSYNC, which runc accepts), with jshim-init's bits. */
    static final Map<String, Integer> FLAGS = new LinkedHashMap<>();
    /** config-linux.md architectures; libseccomp's name is the lower-cased suffix. */
    static final List<String> ARCHITECTURES = List.of("SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
            "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
            "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
            "SCMP_ARCH_RISCV64");

    static {
        ACTIONS.put("SCMP_ACT_KILL", SyncProtocol.SCMP_KILL);
        ACTIONS.put("SCMP_ACT_KILL_PROCESS", SyncProtocol.SCMP_KILL_PROCESS);
        ACTIONS.put("SCMP_ACT_KILL_THREAD", SyncProtocol.SCMP_KILL_THREAD);
        ACTIONS.put("SCMP_ACT_TRAP", SyncProtocol.SCMP_TRAP);
        ACTIONS.put("SCMP_ACT_ERRNO", SyncProtocol.SCMP_ERRNO);
        ACTIONS.put("SCMP_ACT_TRACE", SyncProtocol.SCMP_TRACE);
        ACTIONS.put("SCMP_ACT_ALLOW", SyncProtocol.SCMP_ALLOW);
        ACTIONS.put("SCMP_ACT_LOG", SyncProtocol.SCMP_LOG);
        ACTIONS.put("SCMP_ACT_NOTIFY", SyncProtocol.SCMP_NOTIFY);
        OPERATORS.put("SCMP_CMP_NE", 1);
        OPERATORS.put("SCMP_CMP_LT", 2);
        OPERATORS.put("SCMP_CMP_LE", 3);
        OPERATORS.put("SCMP_CMP_EQ", 4);
        OPERATORS.put("SCMP_CMP_GE", 5);
        OPERATORS.put("SCMP_CMP_GT", 6);
        OPERATORS.put("SCMP_CMP_MASKED_EQ", 7);
        FLAGS.put("SECCOMP_FILTER_FLAG_TSYNC", SyncProtocol.SECCOMP_FLAG_TSYNC);
        FLAGS.put("SECCOMP_FILTER_FLAG_LOG", SyncProtocol.SECCOMP_FLAG_LOG);
        FLAGS.put("SECCOMP_FILTER_FLAG_SPEC_ALLOW", SyncProtocol.SECCOMP_FLAG_SPEC_ALLOW);
        FLAGS.put("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SyncProtocol.SECCOMP_FLAG_WAIT_KILLABLE_RECV);
    }

    /** One entry of {@code linux.seccomp.syscalls}, translated. */
    public record Rule(int specIndex, int action, int errno, List<InitPlan.SeccompArg> args, List<String> names) {
    }

    private final int defaultAction;
    private final int defaultErrno;
    private final int flags;
    private final List<String> architectures;
    private final List<Rule> rules;
    private final String listenerPath;
    private final String listenerMetadata;

    private SeccompProfile(int defaultAction, int defaultErrno, int flags, List<String> architectures,
            List<Rule> rules, String listenerPath, String listenerMetadata) {
        this.defaultAction = defaultAction;
        this.defaultErrno = defaultErrno;
        this.flags = flags;
        this.architectures = List.copyOf(architectures);
        this.rules = List.copyOf(rules);
        this.listenerPath = listenerPath;
        this.listenerMetadata = listenerMetadata;
    }

    /**
     * Parses {@code linux.seccomp}. Empty when absent, null, or (as in runc's specconv) with
     * neither a default action nor syscalls.
     */
    public static Optional<SeccompProfile> parse(JsonNode seccomp) throws SpecException {
        String f = "linux.seccomp";
        if (seccomp == null || seccomp.isNull() || seccomp.isMissingNode()) {
            return Optional.empty();
        }
        if (!seccomp.isObject()) {
            throw new SpecException(f + ": expected an object, got " + kind(seccomp));
        }
        JsonNode syscalls = seccomp.get("syscalls");
        String defaultName = optionalString(seccomp, "defaultAction", f);
        boolean noSyscalls = syscalls == null || syscalls.isNull() || (syscalls.isArray() && syscalls.isEmpty());
        if ((defaultName == null || defaultName.isEmpty()) && noSyscalls) {
            return Optional.empty();
        }
        if (defaultName == null || defaultName.isEmpty()) {
            throw new SpecException(f + ".defaultAction is required when syscalls are given");
        }
        int defaultAction = action(defaultName, f + ".defaultAction");
        if (defaultAction == SyncProtocol.SCMP_NOTIFY) {
            throw new SpecException(f + ".defaultAction: SCMP_ACT_NOTIFY cannot be the default action "
                    + "(jshim-init could not hand the listener over)");
        }
        int defaultErrno = errno(seccomp.get("defaultErrnoRet"), f + ".defaultErrnoRet", defaultAction, defaultName);

        List<String> arches = new ArrayList<>();
        for (String a : stringList(seccomp.get("architectures"), f + ".architectures")) {
            if (!ARCHITECTURES.contains(a)) {
                throw new SpecException(f + ".architectures: unknown architecture \"" + a + "\" (one of "
                        + String.join(", ", ARCHITECTURES) + ")");
            }
            arches.add(a.substring("SCMP_ARCH_".length()).toLowerCase(Locale.ROOT));
        }
        int flags = 0;
        for (String fl : stringList(seccomp.get("flags"), f + ".flags")) {
            Integer bit = FLAGS.get(fl);
            if (bit == null) {
                throw new SpecException(f + ".flags: unknown flag \"" + fl + "\" (one of "
                        + String.join(", ", FLAGS.keySet()) + ")");
            }
            flags |= bit;
        }
        String listenerPath = optionalString(seccomp, "listenerPath", f);
        String metadata = optionalString(seccomp, "listenerMetadata", f);

        List<Rule> rules = new ArrayList<>();
        if (syscalls != null && !syscalls.isNull()) {
            if (!syscalls.isArray()) {
                throw new SpecException(f + ".syscalls: expected an array, got " + kind(syscalls));
            }
            for (int i = 0; i < syscalls.size(); i++) {
                Rule r = rule(syscalls.get(i), i);
                if (r.action() == defaultAction && r.errno() == defaultErrno) {
                    continue; // redundant: runc skips it too (libseccomp would refuse it)
                }
                rules.add(r);
            }
        }
        boolean notify = rules.stream().anyMatch(r -> r.action() == SyncProtocol.SCMP_NOTIFY);
        if (notify && (listenerPath == null || listenerPath.isEmpty())) {
            throw new SpecException(f + ".listenerPath is required when a rule uses SCMP_ACT_NOTIFY");
        }
        if (flags != 0 && (flags & SyncProtocol.SECCOMP_FLAG_WAIT_KILLABLE_RECV) != 0 && !notify) {
            throw new SpecException(f + ".flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a rule with "
                    + "SCMP_ACT_NOTIFY (seccomp(2))");
        }
        return Optional.of(new SeccompProfile(defaultAction, defaultErrno, flags, arches, rules,
                listenerPath, metadata));
    }

    private static Rule rule(JsonNode n, int i) throws SpecException {
        String f = "linux.seccomp.syscalls[" + i + "]";
        if (n == null || !n.isObject()) {
            throw new SpecException(f + ": expected an object, got " + kind(n));
        }
        JsonNode namesNode = n.get("names");
        if (namesNode == null || namesNode.isNull()) {
            throw new SpecException(f + ".names is required");
        }
        if (!namesNode.isArray()) {
            throw new SpecException(f + ".names: expected an array of syscall names, got " + kind(namesNode));
        }
        if (namesNode.isEmpty()) {
            throw new SpecException(f + ".names must name at least one syscall");
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < namesNode.size(); k++) {
            JsonNode nm = namesNode.get(k);
            String nf = f + ".names[" + k + "]";
            if (!nm.isTextual()) {
                throw new SpecException(nf + ": " + nm + " is not a string: syscall names are strings such as "
                        + "\"openat\"");
            }
            String name = nm.asText();
            if (name.isEmpty()) {
                throw new SpecException(nf + ": an empty string is not a syscall name");
            }
            if (!SYSCALL_NAME.matcher(name).matches()) {
                throw new SpecException(nf + ": \"" + name + "\" is not a syscall name (lower-case letters, "
                        + "digits and underscores)");
            }
            names.add(name);
        }
        String actionName = optionalString(n, "action", f);
        if (actionName == null || actionName.isEmpty()) {
            throw new SpecException(f + ".action is required");
        }
        int action = action(actionName, f + ".action");
        if (action == SyncProtocol.SCMP_NOTIFY) {
            for (String bad : List.of("write", "sendmsg")) {
                if (names.contains(bad)) {
                    throw new SpecException(f + ": SCMP_ACT_NOTIFY cannot be used for \"" + bad + "\": jshim-init "
                            + "needs it to hand the listener fd over (runc refuses \"write\" likewise)");
                }
            }
        }
        int errno = errno(n.get("errnoRet"), f + ".errnoRet", action, actionName);
        List<InitPlan.SeccompArg> args = new ArrayList<>();
        JsonNode argsNode = n.get("args");
        if (argsNode != null && !argsNode.isNull()) {
            if (!argsNode.isArray()) {
                throw new SpecException(f + ".args: expected an array, got " + kind(argsNode));
            }
            if (argsNode.size() > 6) {
                throw new SpecException(f + ".args: " + argsNode.size() + " conditions, at most 6 (one per "
                        + "syscall argument)");
            }
            for (int k = 0; k < argsNode.size(); k++) {
                args.add(arg(argsNode.get(k), f + ".args[" + k + "]"));
            }
        }
        return new Rule(i, action, errno, List.copyOf(args), List.copyOf(names));
    }

    private static InitPlan.SeccompArg arg(JsonNode a, String f) throws SpecException {
        if (a == null || !a.isObject()) {
            throw new SpecException(f + ": expected an object, got " + kind(a));
        }
        JsonNode idx = a.get("index");
        if (idx == null || !idx.canConvertToInt() || !idx.isIntegralNumber() || idx.asInt() < 0 || idx.asInt() > 5) {
            throw new SpecException(f + ".index: expected a syscall argument number 0..5, got "
                    + (idx == null ? "nothing" : idx.toString()));
        }
        String opName = optionalString(a, "op", f);
        Integer op = opName == null ? null : OPERATORS.get(opName);
        if (op == null) {
            throw new SpecException(f + ".op: " + (opName == null ? "required" : "unknown operator \"" + opName
                    + "\"") + " (one of " + String.join(", ", OPERATORS.keySet()) + ")");
        }
        return new InitPlan.SeccompArg(idx.asInt(), op, u64(a.get("value"), f + ".value"),
                u64(a.get("valueTwo"), f + ".valueTwo"));
    }

    private static long u64(JsonNode n, String f) throws SpecException {
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isIntegralNumber() || n.bigIntegerValue().signum() < 0 || n.bigIntegerValue().bitLength() > 64) {
            throw new SpecException(f + ": expected an unsigned 64-bit integer, got " + n);
        }
        BigInteger v = n.bigIntegerValue();
        return v.longValue(); // two's complement keeps the 64 bits
    }

    private static int action(String name, String f) throws SpecException {
        Integer a = ACTIONS.get(name);
        if (a == null) {
            throw new SpecException(f + ": unknown action \"" + name + "\" (one of " + String.join(", ", ACTIONS.keySet())
                    + ")");
        }
        return a;
    }

    /** errnoRet: only for ERRNO and TRACE (config-linux.md), EPERM when absent. */
    private static int errno(JsonNode n, String f, int action, String actionName) throws SpecException {
        boolean takesErrno = action == SyncProtocol.SCMP_ERRNO || action == SyncProtocol.SCMP_TRACE;
        if (n == null || n.isNull()) {
            return takesErrno ? EPERM : 0;
        }
        if (!takesErrno) {
            throw new SpecException(f + ": " + actionName + " takes no errno (only SCMP_ACT_ERRNO and "
                    + "SCMP_ACT_TRACE do)");
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0 || n.asLong() > 0xffff) {
            throw new SpecException(f + ": expected an errno number (0..65535), got " + n);
        }
        return (int) n.asLong();
    }

    private static String optionalString(JsonNode obj, String key, String f) throws SpecException {
        JsonNode v = obj.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new SpecException(f + "." + key + ": expected a string, got " + v);
        }
        return v.asText();
    }

    private static List<String> stringList(JsonNode n, String f) throws SpecException {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw new SpecException(f + ": expected an array of strings, got " + kind(n));
        }
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) {
                throw new SpecException(f + "[" + i + "]: " + n.get(i) + " is not a string");
            }
            out.add(n.get(i).asText());
        }
        return out;
    }

    private static String kind(JsonNode n) {
        return n == null ? "nothing" : n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** Adds PLAN_SECCOMP and one PLAN_SECCOMP_RULE per syscalls entry. */
    public void addTo(InitPlan plan) {
        plan.seccomp(defaultAction, defaultErrno, flags, architectures);
        for (Rule r : rules) {
            plan.seccompRule(r.specIndex(), r.action(), r.errno(), r.args(), r.names());
        }
    }

    /** True when a rule uses SCMP_ACT_NOTIFY: the listener fd then goes to {@link #listenerPath()}. */
    public boolean usesNotify() {
        return rules.stream().anyMatch(r -> r.action() == SyncProtocol.SCMP_NOTIFY);
    }

    public String listenerPath() {
        return listenerPath;
    }

    /** {@code listenerMetadata}, or null. */
    public String listenerMetadata() {
        return listenerMetadata;
    }

    public int defaultAction() {
        return defaultAction;
    }

    public int defaultErrno() {
        return defaultErrno;
    }

    public int flags() {
        return flags;
    }

    /** libseccomp's names ("x86_64"). */
    public List<String> architectures() {
        return architectures;
    }

    public List<Rule> rules() {
        return rules;
    }
}
