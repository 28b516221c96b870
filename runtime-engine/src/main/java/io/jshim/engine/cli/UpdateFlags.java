package io.jshim.engine.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.jshim.engine.json.RecordJson;
import io.jshim.engine.spec.LinuxResources;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns {@code jrunc update}'s flags, or its {@code --resources} JSON, into the
 * LinuxResources to merge, as runc 1.1's update.go does: sizes through go-units'
 * RAMInBytes ("256m") or "-1" for unlimited, CPU values as unsigned or signed integers,
 * and a zero for everything not given (zero means "leave alone").
 */
final class UpdateFlags {
    static final String KERNEL_MEMORY_WARNING = "Kernel memory settings are ignored and will be removed";

    static final List<Flag> FLAGS = List.of(
            Flag.value("path to the file containing the resources to update or '-' to read from the standard input",
                    "resources", "r"),
            Flag.value("Specifies per cgroup weight, range is from 10 to 1000", "blkio-weight"),
            Flag.value("CPU CFS period to be used for hardcapping (in usecs). 0 to use system default", "cpu-period"),
            Flag.value("CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period", "cpu-quota"),
            Flag.value("CPU shares (relative weight vs. other containers)", "cpu-share"),
            Flag.value("CPU realtime period to be used for hardcapping (in usecs). 0 to use system default",
                    "cpu-rt-period"),
            Flag.value("CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period", "cpu-rt-runtime"),
            Flag.value("CPU(s) to use", "cpuset-cpus"),
            Flag.value("Memory node(s) to use", "cpuset-mems"),
            Flag.value("(obsoleted; do not use)", "kernel-memory"),
            Flag.value("(obsoleted; do not use)", "kernel-memory-tcp"),
            Flag.value("Memory limit (in bytes)", "memory"),
            Flag.value("Memory reservation or soft_limit (in bytes)", "memory-reservation"),
            Flag.value("Total memory usage (memory + swap); set '-1' to enable unlimited swap", "memory-swap"),
            Flag.value("Maximum number of pids allowed in the container", "pids-limit"),
            Flag.value("The string of Intel RDT/CAT L3 cache schema", "l3-cache-schema"),
            Flag.value("The string of Intel RDT/MBA memory bandwidth schema", "mem-bw-schema"));

    private UpdateFlags() {
    }

    /** The resource flags (runc ignores them all when --resources is given). */
    static LinuxResources fromFlags(ParsedArgs a, Consumer<String> warn) throws UsageException, CommandFailed {
        int weight = (int) intFlag(a, "blkio-weight");
        long period = unsigned(a, "cpu-period");
        long rtPeriod = unsigned(a, "cpu-rt-period");
        long shares = unsigned(a, "cpu-share");
        long quota = signed(a, "cpu-quota");
        long rtRuntime = signed(a, "cpu-rt-runtime");
        long memory = size(a, "memory");
        long swap = size(a, "memory-swap");
        long kernel = size(a, "kernel-memory");
        long kernelTcp = size(a, "kernel-memory-tcp");
        long reservation = size(a, "memory-reservation");
        long pids = intFlag(a, "pids-limit");
        if (kernel != 0 || kernelTcp != 0) {
            warn.accept(KERNEL_MEMORY_WARNING);
        }
        return new LinuxResources(null,
                new LinuxResources.Memory(memory, reservation, swap, kernel, kernelTcp, null, null, null, null),
                new LinuxResources.Cpu(shares, quota, null, period, rtRuntime, rtPeriod,
                        a.value("cpuset-cpus", ""), a.value("cpuset-mems", ""), null),
                new LinuxResources.Pids(pids), new LinuxResources.BlockIO(weight, null, null, null, null, null, null),
                null, null, null, null);
    }

    /** runc: Intel RDT schemas are refused where RDT is not enabled; jrunc has no RDT support at all. */
    static void checkIntelRdt(ParsedArgs a) throws CommandFailed {
        if (!a.value("l3-cache-schema", "").isEmpty()) {
            throw new CommandFailed("Intel RDT/CAT: l3 cache schema is not enabled (jrunc has no Intel RDT support)");
        }
        if (!a.value("mem-bw-schema", "").isEmpty()) {
            throw new CommandFailed("Intel RDT/MBA: memory bandwidth schema is not enabled (jrunc has no Intel RDT "
                    + "support)");
        }
    }

    /** A LinuxResources object as JSON (containerd sends {@code update --resources=- ID} with it on stdin). */
    static LinuxResources fromJson(InputStream in, String source, Consumer<String> warn) throws CommandFailed {
        LinuxResources r;
        try {
            byte[] bytes = in.readAllBytes();
            if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
                throw new CommandFailed("read resources from " + source + ": no JSON object (empty input)");
            }
            r = RecordJson.read(bytes, LinuxResources.class);
        } catch (RecordJson.BindException e) {
            throw new CommandFailed("read resources from " + source + ": " + e.getMessage());
        } catch (JsonProcessingException e) {
            throw new CommandFailed("read resources from " + source + ": invalid JSON: " + e.getOriginalMessage()
                    + where(e.getLocation()));
        } catch (IOException e) {
            throw new CommandFailed("read resources from " + source + ": " + e.getMessage());
        }
        if (r == null) {
            throw new CommandFailed("read resources from " + source + ": expected a JSON object, got null");
        }
        LinuxResources.Memory m = r.memory();
        if (m != null && ((m.kernel() != null && m.kernel() != 0) || (m.kernelTCP() != null && m.kernelTCP() != 0))) {
            warn.accept(KERNEL_MEMORY_WARNING);
        }
        return r;
    }

    private static String where(JsonLocation loc) {
        return loc == null || loc.getLineNr() < 0 ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr()
                + ")";
    }

    /** urfave/cli IntFlag: a bad value is a usage error. */
    private static long intFlag(ParsedArgs a, String name) throws UsageException {
        String v = a.value(name);
        if (v == null) {
            return 0;
        }
        try {
            return Long.decode(v);
        } catch (NumberFormatException e) {
            throw new UsageException("invalid value " + GoQuote.of(v) + " for flag -" + name + ": parse error", 1,
                    true);
        }
    }

    /** strconv.ParseUint(v, 10, 64). */
    private static long unsigned(ParsedArgs a, String name) throws CommandFailed {
        String v = a.value(name, "");
        if (v.isEmpty()) {
            return 0;
        }
        try {
            if (v.startsWith("+") || v.startsWith("-")) {
                throw new NumberFormatException();
            }
            return Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw new CommandFailed("invalid value for " + name + ": strconv.ParseUint: parsing " + GoQuote.of(v)
                    + ": invalid syntax (want a non-negative integer)");
        }
    }

    /** strconv.ParseInt(v, 10, 64). */
    private static long signed(ParsedArgs a, String name) throws CommandFailed {
        String v = a.value(name, "");
        if (v.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new CommandFailed("invalid value for " + name + ": strconv.ParseInt: parsing " + GoQuote.of(v)
                    + ": invalid syntax (want an integer)");
        }
    }

    /** "-1" (unlimited) or a go-units size such as "256m". */
    private static long size(ParsedArgs a, String name) throws CommandFailed {
        String v = a.value(name, "");
        if (v.isEmpty()) {
            return 0;
        }
        if (v.equals("-1")) {
            return -1;
        }
        try {
            return GoUnits.ramInBytes(v);
        } catch (IllegalArgumentException e) {
            throw new CommandFailed("invalid value for " + name + ": " + e.getMessage());
        }
    }
}
