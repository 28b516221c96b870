package io.jshim.engine.namespace;

import static io.jshim.engine.namespace.Specs.failure;
import static io.jshim.engine.namespace.Specs.linux;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.plan.PlanRecord;
import io.jshim.engine.plan.SyncProtocol;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** process.scheduler, process.ioPriority and linux.personality: plan records and errors. */
class ProcessAttributesTest {

    private static List<PlanRecord> records(java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>
            edit) throws Exception {
        InitPlan plan = new InitPlan();
        ProcessAttributes.addTo(plan, Specs.spec(edit));
        return plan.records().subList(1, plan.records().size()); // without PLAN_HELLO
    }

    @Test
    void recordsCarryTheKernelsNumbers() throws Exception {
        List<PlanRecord> r = records(n -> {
            n.with("process").with("scheduler").put("policy", "SCHED_BATCH").put("nice", -3)
                    .putArray("flags").add("SCHED_FLAG_RESET_ON_FORK");
            n.with("process").with("ioPriority").put("class", "IOPRIO_CLASS_BE").put("priority", 6);
            linux(n).with("personality").put("domain", "LINUX32");
        });
        assertEquals(List.of(SyncProtocol.PLAN_SCHEDULER, SyncProtocol.PLAN_IO_PRIORITY,
                SyncProtocol.PLAN_PERSONALITY), r.stream().map(PlanRecord::tag).toList());
        // u32 policy 3, i32 nice -3, u32 priority 0, u64 flags 1, u64 runtime/deadline/period 0
        assertEquals("03000000" + "fdffffff" + "00000000" + "0100000000000000" + "0".repeat(48),
                HexFormat.of().formatHex(r.get(0).payload()));
        assertEquals("02000000" + "06000000", HexFormat.of().formatHex(r.get(1).payload()));
        assertEquals("08000000", HexFormat.of().formatHex(r.get(2).payload()));
    }

    @Test
    void deadlineCarriesItsTimes() throws Exception {
        List<PlanRecord> r = records(n -> n.with("process").with("scheduler").put("policy", "SCHED_DEADLINE")
                .put("runtime", 10_000_000).put("deadline", 20_000_000).put("period", 30_000_000));
        assertEquals("06000000", HexFormat.of().formatHex(r.get(0).payload()).substring(0, 8));
    }

    @Test
    void badValuesAreClearErrors() throws Exception {
        assertEquals("process.scheduler.policy: unknown policy \"SCHED_FAST\" (SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, "
                + "SCHED_FIFO, SCHED_RR or SCHED_DEADLINE)",
                failure(n -> n.with("process").with("scheduler").put("policy", "SCHED_FAST")));
        assertEquals("process.scheduler.nice: 20 is not in -20..19",
                failure(n -> n.with("process").with("scheduler").put("policy", "SCHED_OTHER").put("nice", 20)));
        assertEquals("process.scheduler.priority: SCHED_FIFO needs a priority in 1..99, got 0",
                failure(n -> n.with("process").with("scheduler").put("policy", "SCHED_FIFO")));
        assertEquals("process.scheduler: runtime, deadline and period are for SCHED_DEADLINE only, not SCHED_RR",
                failure(n -> n.with("process").with("scheduler").put("policy", "SCHED_RR").put("priority", 5)
                        .put("runtime", 1000)));
        assertEquals("process.scheduler.deadline: 1000 ns is below the runtime (2000 ns)",
                failure(n -> n.with("process").with("scheduler").put("policy", "SCHED_DEADLINE")
                        .put("runtime", 2000).put("deadline", 1000)));
        assertEquals("process.ioPriority.priority: 8 is not in 0..7",
                failure(n -> n.with("process").with("ioPriority").put("class", "IOPRIO_CLASS_RT").put("priority", 8)));
        assertEquals("process.ioPriority.class: unknown class \"IOPRIO_CLASS_NONE\" (IOPRIO_CLASS_RT, "
                + "IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)",
                failure(n -> n.with("process").with("ioPriority").put("class", "IOPRIO_CLASS_NONE")));
        assertEquals("linux.personality.domain: unknown domain \"LINUX64\" (LINUX or LINUX32)",
                failure(n -> linux(n).with("personality").put("domain", "LINUX64")));
        assertEquals("linux.personality.flags: [ADDR_NO_RANDOMIZE]: no flags are supported (config-linux.md: "
                + "\"Currently no flag values are supported\")", failure(n -> linux(n).with("personality")
                        .put("domain", "LINUX").putArray("flags").add("ADDR_NO_RANDOMIZE")));
    }
}
