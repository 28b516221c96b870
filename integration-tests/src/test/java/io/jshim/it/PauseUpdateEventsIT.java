package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jshim.it.support.BusyboxBundle;
import io.jshim.it.support.Json;
import io.jshim.it.support.Result;
import io.jshim.it.support.Runtime;
import io.jshim.it.support.TestBed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code pause}, {@code resume}, {@code update} and {@code events}, side by side with Debian's
 * runc on the same bundle: the same state transitions, exit codes and messages; limits that
 * really land in the host's cgroup files; events with runc's JSON shape, a stream that outlives
 * the container's process and ends at {@code delete}, and an OOM notification when the kernel's
 * OOM killer acts.
 */
class PauseUpdateEventsIT {
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private static List<Runtime> both(TestBed bed) {
        return List.of(bed.runc(), bed.jrunc());
    }

    private static String step(Runtime rt, String... args) {
        Result r = rt.run(args);
        return args[0] + " -> " + r.exitCode() + (r.exitCode() == 0 ? "" : " " + r.errorMessageWithoutPrefix());
    }

    // ----- pause / resume ------------------------------------------------------------------------

    @Test
    void pauseAndResumeMoveBetweenStatesAsRuncDoes(TestBed bed) throws Exception {
        BusyboxBundle b = bed.bundle("b").args("sleep", "100").build();
        Map<Runtime, List<String>> transcripts = new LinkedHashMap<>();
        for (Runtime rt : both(bed)) {
            List<String> t = new ArrayList<>();
            String id = bed.id("pause-" + rt.name());
            Result run = rt.run("run", "-d", "--bundle", b.dir().toString(), id);
            assertEquals(0, run.exitCode(), run::describe);
            t.add(step(rt, "resume", id));
            t.add(step(rt, "pause", id));
            t.add(rt.status(id));
            int pid = rt.state(id).path("pid").asInt();
            assertEquals("FROZEN", freezerState(pid), () -> rt.name() + ": the kernel did not freeze the container; "
                    + "so far: " + t);
            t.add(step(rt, "pause", id));
            t.add(step(rt, "resume", id));
            t.add(rt.status(id));
            assertEquals("THAWED", freezerState(pid), () -> rt.name() + ": not thawed; so far: " + t);
            t.add(step(rt, "resume", id));
            assertEquals(0, rt.run("kill", id, "KILL").exitCode());
            assertEquals("stopped", rt.awaitStatus(id, "stopped", SETTLE), rt.name());
            t.add(step(rt, "pause", id));
            t.add(step(rt, "resume", id));
            t.add(step(rt, "delete", id));
            t.add(step(rt, "pause", id));
            transcripts.put(rt, t);
        }
        List<String> expected = List.of("resume -> 1 container not paused", "pause -> 0", "paused",
                "pause -> 1 container not running", "resume -> 0", "running", "resume -> 1 container not paused",
                "pause -> 1 container not running", "resume -> 1 container not paused", "delete -> 0",
                "pause -> 1 container does not exist");
        assertEquals(expected, transcripts.get(bed.runc()), "runc itself");
        assertEquals(expected, transcripts.get(bed.jrunc()), "jrunc");
    }

    @Test
    void aCreatedContainerCanBePausedAndThenNotStarted(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sleep", "100").build();
        Map<Runtime, List<String>> transcripts = new LinkedHashMap<>();
        for (Runtime rt : both(bed)) {
            List<String> t = new ArrayList<>();
            String id = bed.id("created-" + rt.name());
            assertEquals(0, rt.run("create", "--bundle", b.dir().toString(), id).exitCode());
            t.add(step(rt, "pause", id));
            t.add(rt.status(id));
            t.add(step(rt, "start", id));
            t.add(step(rt, "resume", id));
            t.add(rt.status(id));
            t.add(step(rt, "start", id));
            t.add(rt.status(id));
            transcripts.put(rt, t);
        }
        assertEquals(List.of("pause -> 0", "paused", "start -> 1 cannot start a container in the paused state",
                "resume -> 0", "created", "start -> 0", "running"), transcripts.get(bed.runc()), "runc itself");
        assertEquals(transcripts.get(bed.runc()), transcripts.get(bed.jrunc()));
    }

    // ----- update --------------------------------------------------------------------------------

    @Test
    void updateWritesTheHostsCgroupFiles(TestBed bed) throws Exception {
        BusyboxBundle b = bed.bundle("b").args("sleep", "100").build();
        Path resourcesFile = bed.path("resources.json");
        Files.writeString(resourcesFile, "{\"cpu\":{\"shares\":256,\"quota\":-1}}");
        for (Runtime rt : both(bed)) {
            String id = bed.id("update-" + rt.name());
            assertEquals(0, rt.run("run", "-d", "--bundle", b.dir().toString(), id).exitCode());
            int pid = rt.state(id).path("pid").asInt();

            Result flags = rt.run("update", "--memory", "256m", "--memory-swap", "512m", "--memory-reservation",
                    "100m", "--pids-limit", "50", "--cpu-quota", "50000", "--cpu-period", "100000", "--cpu-share",
                    "512", "--cpuset-cpus", "0", id);
            assertEquals(0, flags.exitCode(), flags::describe);
            assertEquals("", flags.stdout() + flags.stderr(), flags::describe);
            Map<String, String> want = new LinkedHashMap<>();
            want.put("memory/memory.limit_in_bytes", "268435456");
            want.put("memory/memory.soft_limit_in_bytes", "104857600");
            want.put("pids/pids.max", "50");
            want.put("cpu/cpu.cfs_quota_us", "50000");
            want.put("cpu/cpu.cfs_period_us", "100000");
            want.put("cpu/cpu.shares", "512");
            want.put("cpuset/cpuset.cpus", "0");
            if (cgroupFileExists(pid, "memory", "memory.memsw.limit_in_bytes")) {
                want.put("memory/memory.memsw.limit_in_bytes", "536870912");
            }
            assertCgroupFiles(rt, pid, want);

            // containerd's way: `update --resources=- ID` with LinuxResources on stdin
            Result stdin = runWithStdin(rt, "{\"pids\":{\"limit\":70},\"memory\":{\"limit\":104857600}}",
                    "update", "--resources=-", id);
            assertEquals(0, stdin.exitCode(), stdin::describe);
            assertCgroupFiles(rt, pid, Map.of("pids/pids.max", "70", "memory/memory.limit_in_bytes", "104857600",
                    "cpu/cpu.shares", "512"));

            Result file = rt.run("update", "-r", resourcesFile.toString(), id);
            assertEquals(0, file.exitCode(), file::describe);
            assertCgroupFiles(rt, pid, Map.of("cpu/cpu.shares", "256", "cpu/cpu.cfs_quota_us", "-1",
                    "pids/pids.max", "70"));

            Result unlimited = rt.run("update", "--memory", "-1", "--memory-swap", "-1", "--pids-limit", "-1", id);
            assertEquals(0, unlimited.exitCode(), unlimited::describe);
            assertCgroupFiles(rt, pid, Map.of("memory/memory.limit_in_bytes", "9223372036854771712",
                    "pids/pids.max", "max"));

            Result bad = rt.run("update", "--memory", "lots", id);
            assertEquals(1, bad.exitCode(), bad::describe);
            assertTrue(bad.errorMessage().startsWith("invalid value for memory: invalid size: 'lots'"), bad::describe);

            assertEquals(0, rt.run("kill", id, "KILL").exitCode());
            assertEquals("stopped", rt.awaitStatus(id, "stopped", SETTLE), rt.name());
            Result stopped = rt.run("update", "--pids-limit", "10", id);
            assertEquals(1, stopped.exitCode(), stopped::describe);
            assertEquals("container not running", stopped.errorMessage(), stopped::describe);
        }
    }

    // ----- events --------------------------------------------------------------------------------

    /** Fields runc's types.Stats marks {@code omitempty}: present or absent depending on their value. */
    private static final List<Pattern> OMITEMPTY = List.of(
            Pattern.compile("data\\.cpu\\.usage\\.(total|percpu|percpu_kernel|percpu_user)"),
            Pattern.compile("data\\.cpu\\.throttling\\.\\w+"),
            Pattern.compile("data\\.cpuset\\.(cpus|mems)"),
            Pattern.compile("data\\.memory\\.cache"),
            Pattern.compile("data\\.memory\\.(usage|swap|kernel|kernelTCP)\\.(usage|max)"),
            Pattern.compile("data\\.memory\\.raw"),
            Pattern.compile("data\\.pids\\.(current|limit)"),
            Pattern.compile("data\\.blkio\\.\\w+"),
            Pattern.compile("data\\.hugetlb\\.[^.]+\\.(usage|max)"));

    @Test
    void eventsStatsHasRuncsShape(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sleep", "100").memoryLimit(64 << 20).build();
        Map<Runtime, JsonNode> events = new LinkedHashMap<>();
        for (Runtime rt : both(bed)) {
            String id = bed.id("stats-" + rt.name());
            assertEquals(0, rt.run("run", "-d", "--bundle", b.dir().toString(), id).exitCode());
            assertEquals(0, rt.run("update", "--pids-limit", "42", id).exitCode());
            Result r = rt.run("events", "--stats", id);
            assertEquals(0, r.exitCode(), r::describe);
            assertTrue(r.stdout().endsWith("}\n") && r.stdout().indexOf('\n') == r.stdout().length() - 1,
                    () -> "one compact line:\n" + r.describe());
            JsonNode e = Json.parse(r.stdout(), r);
            assertEquals(List.of("type", "id", "data"), Json.keys(e), r::describe);
            assertEquals("stats", e.path("type").asText());
            assertEquals(id, e.path("id").asText());
            assertEquals(42, e.at("/data/pids/limit").asInt(), r::describe);
            assertEquals(1, e.at("/data/pids/current").asInt(), r::describe);
            assertEquals(64 << 20, e.at("/data/memory/usage/limit").asLong(), r::describe);
            assertTrue(e.at("/data/cpu/usage/total").asLong() > 0, r::describe);
            events.put(rt, e);

            assertEquals(0, rt.run("kill", id, "KILL").exitCode());
            assertEquals("stopped", rt.awaitStatus(id, "stopped", SETTLE), rt.name());
            Result stopped = rt.run("events", "--stats", id);
            assertEquals(1, stopped.exitCode(), stopped::describe);
            assertEquals("container with id " + id + " is not running", stopped.errorMessage(), stopped::describe);
            Result zero = rt.run("events", "--interval", "0", id);
            assertEquals(1, zero.exitCode(), zero::describe);
            assertEquals("duration interval must be greater than 0", zero.errorMessage(), zero::describe);
        }
        List<String> problems = new ArrayList<>();
        compareShape("", events.get(bed.runc()), events.get(bed.jrunc()), problems);
        assertTrue(problems.isEmpty(), () -> "events --stats differs from runc's:\n  " + String.join("\n  ", problems)
                + "\nrunc:  " + events.get(bed.runc()) + "\njrunc: " + events.get(bed.jrunc()));
        // memory.stat's keys come from the kernel: the same file, the same raw keys
        assertEquals(keySet(events.get(bed.runc()).at("/data/memory/raw")),
                keySet(events.get(bed.jrunc()).at("/data/memory/raw")));
    }

    @Test
    void theStreamOutlivesTheProcessAndEndsAtDelete(TestBed bed) throws Exception {
        BusyboxBundle b = bed.bundle("b").args("sleep", "100").build();
        Map<Runtime, Runtime.Started> streams = new LinkedHashMap<>();
        Map<Runtime, String> ids = new LinkedHashMap<>();
        for (Runtime rt : both(bed)) {
            String id = bed.id("stream-" + rt.name());
            ids.put(rt, id);
            assertEquals(0, rt.run("run", "-d", "--bundle", b.dir().toString(), id).exitCode());
            streams.put(rt, rt.start("events", "--interval", "200ms", id));
        }
        for (Runtime rt : both(bed)) {
            Runtime.Started s = streams.get(rt);
            assertTrue(awaitLines(s, 2, Duration.ofSeconds(15)), () -> rt.name() + ": fewer than 2 events in 15 s: "
                    + s.stdoutSoFar());
            assertEquals(0, rt.run("kill", ids.get(rt), "KILL").exitCode());
            assertEquals("stopped", rt.awaitStatus(ids.get(rt), "stopped", SETTLE), rt.name());
        }
        for (Runtime rt : both(bed)) {
            Runtime.Started s = streams.get(rt);
            int before = lines(s).size();
            assertTrue(awaitLines(s, before + 2, Duration.ofSeconds(10)), () -> rt.name()
                    + ": the stream stopped with the container's process: " + s.stdoutSoFar());
            assertTrue(s.isAlive(), rt.name());
            assertEquals(0, rt.run("delete", ids.get(rt)).exitCode());
            Result r = s.await(Duration.ofSeconds(10));
            assertFalse(r.timedOut(), () -> rt.name() + ": events did not end at delete:\n" + r.describe());
            assertEquals(0, r.exitCode(), r::describe);
            for (String line : r.stdout().lines().toList()) {
                JsonNode e = Json.parse(line, r);
                assertEquals(List.of("type", "id", "data"), Json.keys(e), line);
                assertEquals("stats", e.path("type").asText(), line);
                assertEquals(ids.get(rt), e.path("id").asText(), line);
            }
        }
    }

    /**
     * A container with a 16 MiB limit (swap included) builds a 200 MB string in the shell; the
     * kernel's OOM killer acts and the stream reports {@code {"type":"oom","id":ID}}. The
     * allocation starts only once the stream is up (its first event is out), through a trigger
     * file in a bind-mounted directory.
     */
    @Test
    void anOomKillIsReported(TestBed bed) throws Exception {
        Path triggers = bed.path("triggers");
        Files.createDirectories(triggers);
        long limit = 16 << 20;
        for (Runtime rt : both(bed)) {
            String id = bed.id("oom-" + rt.name());
            Path trigger = triggers.resolve(rt.name());
            Files.createDirectories(trigger);
            BusyboxBundle b = bed.bundle("b-" + rt.name()).memoryLimit(limit)
                    .edit(c -> c.withObjectProperty("linux").withObjectProperty("resources")
                            .withObjectProperty("memory").put("swap", limit))
                    .mount("/trigger", "bind", trigger.toString(), "rbind", "rw")
                    .args("sh", "-c", "while [ ! -e /trigger/go ]; do sleep 0.05; done;"
                            + " x=$(head -c 200000000 /dev/zero | tr '\\0' a); sleep 100")
                    .build();
            assertEquals(0, rt.run("run", "-d", "--bundle", b.dir().toString(), id).exitCode());
            Runtime.Started s = rt.start("events", "--interval", "200ms", id);
            assertTrue(awaitLines(s, 1, Duration.ofSeconds(15)), () -> rt.name() + ": no event: " + s.stdoutSoFar());
            Files.writeString(trigger.resolve("go"), "");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            boolean oom = false;
            while (!oom && System.nanoTime() < deadline) {
                oom = lines(s).stream().anyMatch(l -> l.equals("{\"type\":\"oom\",\"id\":\"" + id + "\"}"));
                Thread.sleep(50);
            }
            Result del = rt.run("delete", "--force", id);
            assertEquals(0, del.exitCode(), del::describe);
            Result r = s.await(Duration.ofSeconds(10));
            assertTrue(oom, () -> rt.name() + ": no OOM event in 20 s:\n" + r.describe());
            assertEquals(0, r.exitCode(), r::describe);
        }
    }

    // ----- helpers -------------------------------------------------------------------------------

    private static Result runWithStdin(Runtime rt, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(rt.binary().toString(), "--root", rt.root().toString()));
        cmd.addAll(List.of(args));
        Path in = Files.createTempFile(rt.root().getParent(), "stdin", ".json");
        try {
            Files.writeString(in, stdin);
            Process p = new ProcessBuilder(cmd).redirectInput(in.toFile()).start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            boolean done = p.waitFor(60, TimeUnit.SECONDS);
            return new Result(cmd, done ? p.exitValue() : -1, new String(out, StandardCharsets.UTF_8),
                    new String(err, StandardCharsets.UTF_8), 0, !done);
        } finally {
            Files.deleteIfExists(in);
        }
    }

    private static List<String> lines(Runtime.Started s) {
        return s.stdoutSoFar().lines().filter(l -> !l.isBlank()).toList();
    }

    private static boolean awaitLines(Runtime.Started s, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (lines(s).size() >= n) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Same keys (but for omitempty ones, which depend on values) and the same JSON types. */
    private static void compareShape(String path, JsonNode runc, JsonNode jrunc, List<String> problems) {
        if (runc.getNodeType() != jrunc.getNodeType()) {
            problems.add((path.isEmpty() ? "(root)" : path) + ": runc has " + runc.getNodeType() + ", jrunc "
                    + jrunc.getNodeType());
            return;
        }
        if (runc.isObject()) {
            Set<String> keys = new LinkedHashSet<>(keySet(runc));
            keys.addAll(keySet(jrunc));
            for (String k : keys) {
                String p = path.isEmpty() ? k : path + "." + k;
                if (runc.has(k) && jrunc.has(k)) {
                    compareShape(p, runc.get(k), jrunc.get(k), problems);
                } else if (OMITEMPTY.stream().noneMatch(x -> x.matcher(p).matches())) {
                    problems.add(p + ": only " + (runc.has(k) ? "runc" : "jrunc") + " has it");
                }
            }
            List<String> common = new ArrayList<>(keySet(runc));
            common.retainAll(keySet(jrunc));
            List<String> commonJ = new ArrayList<>(keySet(jrunc));
            commonJ.retainAll(keySet(runc));
            if (!common.equals(commonJ)) {
                problems.add(path + ": keys in another order: runc " + common + ", jrunc " + commonJ);
            }
        } else if (runc.isArray() && !runc.isEmpty() && !jrunc.isEmpty()) {
            compareShape(path + "[0]", runc.get(0), jrunc.get(0), problems);
        } else if (runc.isNumber() && runc.isIntegralNumber() != jrunc.isIntegralNumber()) {
            problems.add(path + ": integer in one, not in the other");
        }
    }

    private static List<String> keySet(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }

    /** The container's v1 cgroup directory for {@code controller}, from /proc/PID/cgroup and mountinfo. */
    private static Path cgroupDir(int pid, String controller) throws IOException {
        String rel = null;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && Set.of(f[1].split(",")).contains(controller)) {
                rel = f[2];
            }
        }
        if (rel == null) {
            throw new AssertionError("pid " + pid + " has no " + controller + " cgroup");
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            String[] pre = halves[0].split(" ");
            String[] post = halves[1].split(" ");
            if (post[0].equals("cgroup") && Set.of(post[2].split(",")).contains(controller)) {
                return Path.of(pre[4] + rel);
            }
        }
        throw new AssertionError("no cgroup v1 mount of " + controller);
    }

    private static boolean cgroupFileExists(int pid, String controller, String file) throws IOException {
        return Files.exists(cgroupDir(pid, controller).resolve(file));
    }

    private static void assertCgroupFiles(Runtime rt, int pid, Map<String, String> want) throws IOException {
        Map<String, String> got = new LinkedHashMap<>();
        for (String key : new TreeSet<>(want.keySet())) {
            String[] cf = key.split("/", 2);
            got.put(key, Files.readString(cgroupDir(pid, cf[0]).resolve(cf[1])).strip());
        }
        assertEquals(new java.util.TreeMap<>(want), new java.util.TreeMap<>(got), rt.name() + ": host cgroup files");
    }

    private static String freezerState(int pid) {
        try {
            return Files.readString(cgroupDir(pid, "freezer").resolve("freezer.state")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
