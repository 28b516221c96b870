package io.jshim.engine.namespace;

import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import io.jshim.engine.spec.SpecProcess;
import java.util.List;
import java.util.Map;

/**
 * {@code process.scheduler}, {@code process.ioPriority} and {@code linux.personality}
 * (config.md, config-linux.md; runtime-spec 1.2): checked here with runc 1.2's rules plus the
 * kernel's, so that a bad value fails before anything is made, then applied by jshim-init
 * while it is still root (sched_setattr(2), ioprio_set(2), personality(2)).
 */
public final class ProcessAttributes {
    /** sched(7) policies; SCHED_ISO is in the spec but was never merged into Linux. */
    private static final Map<String, Integer> POLICIES = Map.of("SCHED_OTHER", 0, "SCHED_FIFO", 1, "SCHED_RR", 2,
            "SCHED_BATCH", 3, "SCHED_IDLE", 5, "SCHED_DEADLINE", 6);
    /** include/uapi/linux/sched.h. */
    private static final Map<String, Long> SCHED_FLAGS = Map.of("SCHED_FLAG_RESET_ON_FORK", 0x01L,
            "SCHED_FLAG_RECLAIM", 0x02L, "SCHED_FLAG_DL_OVERRUN", 0x04L, "SCHED_FLAG_KEEP_POLICY", 0x08L,
            "SCHED_FLAG_KEEP_PARAMS", 0x10L, "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20L, "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40L);
    /** include/uapi/linux/ioprio.h. */
    private static final Map<String, Integer> IO_CLASSES = Map.of("IOPRIO_CLASS_RT", 1, "IOPRIO_CLASS_BE", 2,
            "IOPRIO_CLASS_IDLE", 3);
    /** include/uapi/linux/personality.h. */
    private static final Map<String, Integer> DOMAINS = Map.of("LINUX", 0x0000, "LINUX32", 0x0008);
    /** The kernel's smallest deadline runtime (1 << DL_SCALE ns, __checkparam_dl). */
    private static final long DL_MIN_RUNTIME = 1024;

    private ProcessAttributes() {
    }

    /** Checks the three fields and adds their records to {@code plan}. */
    public static void addTo(InitPlan plan, Spec spec) throws SpecException {
        SpecProcess p = spec.process();
        if (p != null && p.scheduler() != null) {
            scheduler(plan, p.scheduler());
        }
        if (p != null && p.ioPriority() != null) {
            ioPriority(plan, p.ioPriority());
        }
        if (spec.linux() != null && spec.linux().personality() != null) {
            personality(plan, spec.linux().personality());
        }
    }

    /** Checks without a plan (SpecValidator). */
    public static void check(Spec spec) throws SpecException {
        addTo(new InitPlan(), spec);
    }

    private static void scheduler(InitPlan plan, SpecProcess.Scheduler s) throws SpecException {
        if (s.policy() == null || s.policy().isEmpty()) {
            throw new SpecException("process.scheduler.policy is required (SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, "
                    + "SCHED_FIFO, SCHED_RR or SCHED_DEADLINE)");
        }
        if (s.policy().equals("SCHED_ISO")) {
            throw new SpecException("process.scheduler.policy: SCHED_ISO is not implemented by Linux");
        }
        Integer policy = POLICIES.get(s.policy());
        if (policy == null) {
            throw new SpecException("process.scheduler.policy: unknown policy \"" + s.policy() + "\" (SCHED_OTHER, "
                    + "SCHED_BATCH, SCHED_IDLE, SCHED_FIFO, SCHED_RR or SCHED_DEADLINE)");
        }
        int nice = s.nice() == null ? 0 : s.nice();
        if (nice < -20 || nice > 19) {
            throw new SpecException("process.scheduler.nice: " + nice + " is not in -20..19");
        }
        int priority = s.priority() == null ? 0 : s.priority();
        boolean realtime = policy == 1 || policy == 2;
        if (realtime && (priority < 1 || priority > 99)) {
            throw new SpecException("process.scheduler.priority: " + s.policy() + " needs a priority in 1..99, got "
                    + priority);
        }
        if (!realtime && priority != 0) {
            throw new SpecException("process.scheduler.priority: must be 0 for " + s.policy() + " (only SCHED_FIFO "
                    + "and SCHED_RR have priorities), got " + priority);
        }
        long flags = 0;
        for (String f : s.flags() == null ? List.<String>of() : s.flags()) {
            Long bit = SCHED_FLAGS.get(f);
            if (bit == null) {
                throw new SpecException("process.scheduler.flags: unknown flag \"" + f + "\"");
            }
            flags |= bit;
        }
        long runtime = s.runtime() == null ? 0 : s.runtime();
        long deadline = s.deadline() == null ? 0 : s.deadline();
        long period = s.period() == null ? 0 : s.period();
        if (policy == 6) {
            checkDeadline(runtime, deadline, period);
        } else if (runtime != 0 || deadline != 0 || period != 0) {
            throw new SpecException("process.scheduler: runtime, deadline and period are for SCHED_DEADLINE only, "
                    + "not " + s.policy());
        }
        plan.scheduler(policy, nice, priority, flags, runtime, deadline, period);
    }

    /** sched(7) "SCHED_DEADLINE": runtime <= deadline <= period, all in nanoseconds. */
    private static void checkDeadline(long runtime, long deadline, long period) throws SpecException {
        if (runtime < DL_MIN_RUNTIME) {
            throw new SpecException("process.scheduler.runtime: SCHED_DEADLINE needs a runtime of at least "
                    + DL_MIN_RUNTIME + " ns, got " + runtime);
        }
        if (deadline < runtime) {
            throw new SpecException("process.scheduler.deadline: " + deadline + " ns is below the runtime ("
                    + runtime + " ns)");
        }
        if (period != 0 && period < deadline) {
            throw new SpecException("process.scheduler.period: " + period + " ns is below the deadline ("
                    + deadline + " ns)");
        }
    }

    private static void ioPriority(InitPlan plan, SpecProcess.IoPriority io) throws SpecException {
        Integer cls = io.ioClass() == null ? null : IO_CLASSES.get(io.ioClass());
        if (cls == null) {
            throw new SpecException("process.ioPriority.class: unknown class \"" + io.ioClass()
                    + "\" (IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)");
        }
        int level = io.priority() == null ? 0 : io.priority();
        if (level < 0 || level > 7) {
            throw new SpecException("process.ioPriority.priority: " + level + " is not in 0..7");
        }
        plan.ioPriority(cls, level);
    }

    private static void personality(InitPlan plan, Spec.Personality p) throws SpecException {
        Integer domain = p.domain() == null ? null : DOMAINS.get(p.domain());
        if (domain == null) {
            throw new SpecException("linux.personality.domain: unknown domain \"" + p.domain()
                    + "\" (LINUX or LINUX32)");
        }
        if (p.flags() != null && !p.flags().isEmpty()) {
            throw new SpecException("linux.personality.flags: " + p.flags() + ": no flags are supported "
                    + "(config-linux.md: \"Currently no flag values are supported\")");
        }
        plan.personality(domain);
    }
}
