package io.jshim.engine.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.stats.CgroupStats;
import io.jshim.engine.cgroup.stats.OomWatcher;
import io.jshim.engine.json.GoJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The events loop on a fake clock: the watcher's waits advance time instead of sleeping. */
class EventStreamTest {
    private long now;
    private final List<String> out = new ArrayList<>();
    private final List<Long> waits = new ArrayList<>();

    private static final CgroupStats EMPTY = new CgroupStats(
            new CgroupStats.Cpu(new CgroupStats.CpuUsage(0, List.of(), List.of(), List.of(), 0, 0),
                    new CgroupStats.Throttling(0, 0, 0)),
            new CgroupStats.CpuSet(List.of(), 0, List.of(), 0, 0, 0, 0, 0, 0, 0, 0),
            new CgroupStats.Memory(0, CgroupStats.MemoryData.EMPTY, CgroupStats.MemoryData.EMPTY,
                    CgroupStats.MemoryData.EMPTY, CgroupStats.MemoryData.EMPTY, false, Map.of()),
            new CgroupStats.Pids(0, 0),
            new CgroupStats.Blkio(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                    List.of()),
            Map.of());

    private final EventStream.Sink sink = new EventStream.Sink() {
        @Override
        public void stats(CgroupStats stats) {
            out.add("stats@" + now / 1_000_000);
        }

        @Override
        public void oom() {
            out.add("oom@" + now / 1_000_000);
        }

        @Override
        public void error(String message) {
            out.add("error:" + message);
        }
    };

    /** A watcher that reports OOMs at the given millisecond marks. */
    private OomWatcher watcher(long... oomAtMillis) {
        return new OomWatcher() {
            int next;

            @Override
            public int await(long timeoutMillis) {
                waits.add(timeoutMillis);
                long until = now + timeoutMillis * 1_000_000;
                if (next < oomAtMillis.length && oomAtMillis[next] * 1_000_000 <= until) {
                    now = Math.max(now, oomAtMillis[next++] * 1_000_000);
                    return 1;
                }
                now = until;
                return 0;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void samplesEveryIntervalAfterTheFirstIntervalUntilDeleted() throws Exception {
        new EventStream(() -> EMPTY, watcher(), () -> now < 1_050_000_000L, () -> now)
                .run(Duration.ofMillis(200), sink);
        assertEquals(List.of("stats@200", "stats@400", "stats@600", "stats@800", "stats@1000"), out);
        // never sleeps longer than the liveness period, so a deletion is seen promptly
        assertTrue(waits.stream().allMatch(w -> w <= EventStream.LIVENESS_MILLIS), waits::toString);
    }

    @Test
    void longIntervalsStillCheckForDeletion() throws Exception {
        new EventStream(() -> EMPTY, watcher(), () -> now < 700_000_000L, () -> now)
                .run(Duration.ofSeconds(5), sink);
        assertEquals(List.of(), out);
        assertTrue(now < 1_000_000_000L, "ended " + now / 1_000_000 + " ms in, long after the deletion");
    }

    @Test
    void oomNotificationsComeAsTheyHappen() throws Exception {
        new EventStream(() -> EMPTY, watcher(150, 310), () -> now < 450_000_000L, () -> now)
                .run(Duration.ofMillis(200), sink);
        assertEquals(List.of("oom@150", "stats@200", "oom@310", "stats@400"), out);
    }

    @Test
    void aFailedSampleIsReportedAndTheStreamGoesOn() throws Exception {
        int[] calls = {0};
        new EventStream(() -> {
            if (calls[0]++ == 0) {
                throw new CgroupException("read x: boom");
            }
            return EMPTY;
        }, watcher(), () -> now < 450_000_000L, () -> now).run(Duration.ofMillis(200), sink);
        assertEquals(List.of("error:read x: boom", "stats@400"), out);
    }

    @Test
    void aSampleThatFailsBecauseTheContainerWentAwayEndsQuietly() throws Exception {
        boolean[] gone = {false};
        new EventStream(() -> {
            gone[0] = true;
            throw new CgroupException("read x: no such file or directory");
        }, watcher(), () -> !gone[0], () -> now).run(Duration.ofMillis(200), sink);
        assertEquals(List.of(), out);
    }

    @Test
    void intervalMustBePositive() {
        EventStream s = new EventStream(() -> EMPTY, watcher(), () -> true, () -> now);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.run(Duration.ZERO, sink));
        assertEquals("duration interval must be greater than 0", e.getMessage());
    }

    @Test
    void eventsAreRuncsEventObjects() {
        assertEquals("{\"type\":\"oom\",\"id\":\"c1\"}", GoJson.compact(RuncStatsJson.oomEvent("c1")));
        String stats = GoJson.compact(RuncStatsJson.statsEvent("c1", EMPTY));
        assertEquals("{\"type\":\"stats\",\"id\":\"c1\",\"data\":{\"cpu\":{\"usage\":{\"kernel\":0,\"user\":0},"
                + "\"throttling\":{}},\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
                + "\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,\"memory_pressure\":0,"
                + "\"sched_load_balance\":0,\"sched_relax_domain_level\":0},\"memory\":{\"usage\":{\"limit\":0,"
                + "\"failcnt\":0},\"swap\":{\"limit\":0,\"failcnt\":0},\"kernel\":{\"limit\":0,\"failcnt\":0},"
                + "\"kernelTCP\":{\"limit\":0,\"failcnt\":0}},\"pids\":{},\"blkio\":{},\"hugetlb\":{},"
                + "\"intel_rdt\":{},\"network_interfaces\":null}}", stats);
    }
}
