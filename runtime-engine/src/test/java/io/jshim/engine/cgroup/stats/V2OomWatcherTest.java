package io.jshim.engine.cgroup.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jshim.engine.cgroup.CgroupFs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v2 watcher with real inotify on an ordinary file standing in for memory.events (the
 * kernel raises the same IN_MODIFY for both). A real cgroup v2 memory controller is not
 * available on the hybrid hosts the integration tests run on.
 */
class V2OomWatcherTest {
    @TempDir
    Path tmp;

    @Test
    void aRisingOomKillCountIsOneNotification() throws Exception {
        Path events = tmp.resolve("memory.events");
        Files.writeString(events, "low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\noom_group_kill 0\n");
        try (OomWatcher w = V2OomWatcher.open(CgroupFs.kernel(), tmp)) {
            assertEquals(0, w.await(10), "earlier kills are not news");
            Files.writeString(events, "low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\noom_group_kill 0\n");
            assertEquals(0, w.await(1000), "a change of another counter is no OOM");
            Files.writeString(events, "low 0\nhigh 0\nmax 12\noom 3\noom_kill 3\noom_group_kill 0\n");
            long t0 = System.nanoTime();
            assertEquals(1, w.await(5000));
            assertEquals(true, System.nanoTime() - t0 < 2_000_000_000L, "woken by inotify, not by the time-out");
            assertEquals(0, w.await(10));
            Files.delete(events);
            assertEquals(0, w.await(10), "a removed cgroup reports nothing");
        }
    }
}
