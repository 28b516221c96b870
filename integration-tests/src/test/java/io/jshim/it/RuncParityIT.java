package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.it.support.BusyboxBundle;
import io.jshim.it.support.Json;
import io.jshim.it.support.Result;
import io.jshim.it.support.Runtime;
import io.jshim.it.support.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same bundle through jrunc and through Debian's runc (1.1.5), each with its own
 * {@code --root}: same stdout, exit codes, state/list output shapes, state transitions and
 * error exits. Where a test also states runc's expected value, it checks both runtimes against it,
 * so the test fails if the harness (or the host) does not behave as the reference says.
 *
 * <p>Ids differ between the two sides (runc puts a container without {@code cgroupsPath} in a
 * cgroup named after its id, so equal ids could collide).
 */
class RuncParityIT {
    private static final Duration SETTLE = Duration.ofSeconds(5);

    /** jrunc first, then runc. */
    private static List<Runtime> both(TestBed bed) {
        return List.of(bed.jrunc(), bed.runc());
    }

    /** Runs {@code args} through both runtimes; {@code id} gets a per-runtime suffix. */
    private static Map<Runtime, Result> runBoth(TestBed bed, BusyboxBundle b, String name) {
        Map<Runtime, Result> out = new LinkedHashMap<>();
        for (Runtime rt : both(bed)) {
            out.put(rt, rt.run("run", "--bundle", b.dir().toString(), bed.id(name + "-" + rt.name())));
        }
        return out;
    }

    private static String describe(Map<Runtime, Result> results) {
        StringBuilder sb = new StringBuilder();
        results.forEach((rt, r) -> sb.append("--- ").append(rt.name()).append(":\n").append(r.describe()).append('\n'));
        return sb.toString();
    }

    // ----- output and exit status of `run` --------------------------------------------------------

    @Test
    void stdoutAndStderrOfTheContainerAreTheSame(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sh", "-c",
                "echo hello; printf 'a\\tb\\n'; echo to-stderr >&2; echo $((6*7)); printf 'no newline'").build();
        Map<Runtime, Result> rs = runBoth(bed, b, "echo");
        for (Result r : rs.values()) {
            assertEquals(0, r.exitCode(), () -> describe(rs));
            assertEquals("hello\na\tb\n42\nno newline", r.stdout(), () -> describe(rs));
            assertEquals("to-stderr\n", r.stderr(), () -> describe(rs));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 255})
    void exitStatusOfTheProcessIsTheExitStatusOfRun(int status, TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sh", "-c", "exit " + status).build();
        Map<Runtime, Result> rs = runBoth(bed, b, "exit" + status);
        for (Result r : rs.values()) {
            assertEquals(status, r.exitCode(), () -> describe(rs));
        }
    }

    /**
     * Death by signal N exits 128+N. The process must not be PID 1 of a PID namespace (PID 1
     * ignores signals it has no handler for, even from itself), so this bundle has no pid ns.
     */
    @ParameterizedTest
    @CsvSource({"KILL, 9", "TERM, 15"})
    void deathBySignalExits128PlusN(String signal, int number, TestBed bed) {
        BusyboxBundle b = bed.bundle("b").withoutNamespace("pid").args("sh", "-c", "kill -" + signal + " $$; echo survived").build();
        Map<Runtime, Result> rs = runBoth(bed, b, "sig" + number);
        for (Result r : rs.values()) {
            assertEquals(128 + number, r.exitCode(), () -> describe(rs));
            assertEquals("", r.stdout(), () -> describe(rs));
        }
    }

    /** In its own PID namespace the shell is PID 1: `kill -9 $$` is ignored, as in runc. */
    @Test
    void pidOneIgnoresUnhandledSignalsFromInside(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sh", "-c", "kill -9 $$; echo survived").build();
        Map<Runtime, Result> rs = runBoth(bed, b, "pid1");
        for (Result r : rs.values()) {
            assertEquals(0, r.exitCode(), () -> describe(rs));
            assertEquals("survived\n", r.stdout(), () -> describe(rs));
        }
    }

    @Test
    void foregroundRunKilledFromTheHostExits137(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sleep", "30").build();
        for (Runtime rt : both(bed)) {
            String id = bed.id("fg-" + rt.name());
            Runtime.Started run = rt.start("run", "--bundle", b.dir().toString(), id);
            String st = rt.awaitStatus(id, "running", Duration.ofSeconds(20));
            assertEquals("running", st, () -> rt.name() + ": foreground run never reached running: " + run.stdoutSoFar());
            Result kill = rt.run("kill", id, "KILL");
            assertEquals(0, kill.exitCode(), kill::describe);
            Result r = run.await(Duration.ofSeconds(20));
            assertEquals(137, r.exitCode(), () -> rt.name() + ":\n" + r.describe());
            // a foreground run deletes its container when it ends
            assertEquals("(none)", rt.status(id), rt.name());
        }
    }

    // ----- state -----------------------------------------------------------------------------------

    @Test
    void stateJsonHasTheSameShapeWhenCreatedRunningAndStopped(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sleep", "30").edit(c -> {
            ObjectNode a = c.putObject("annotations");
            a.put("org.example.key", "v1");
            a.put("a.b", "c");
        }).build();
        Map<String, Map<Runtime, Result>> byStatus = new LinkedHashMap<>();
        for (Runtime rt : both(bed)) {
            String id = bed.id("state-" + rt.name());
            Result create = rt.run("create", "--bundle", b.dir().toString(), id);
            assertEquals(0, create.exitCode(), create::describe);
            assertEquals("", create.stdout(), create::describe);
            byStatus.computeIfAbsent("created", k -> new LinkedHashMap<>()).put(rt, rt.run("state", id));
            Result start = rt.run("start", id);
            assertEquals(0, start.exitCode(), start::describe);
            assertEquals("", start.stdout(), start::describe);
            byStatus.computeIfAbsent("running", k -> new LinkedHashMap<>()).put(rt, rt.run("state", id));
            assertEquals(0, rt.run("kill", id, "KILL").exitCode());
            assertEquals("stopped", rt.awaitStatus(id, "stopped", SETTLE));
            byStatus.computeIfAbsent("stopped", k -> new LinkedHashMap<>()).put(rt, rt.run("state", id));
        }
        byStatus.forEach((status, rs) -> {
            List<String> skeletons = new ArrayList<>();
            List<String> layouts = new ArrayList<>();
            for (Map.Entry<Runtime, Result> e : rs.entrySet()) {
                Result r = e.getValue();
                assertEquals(0, r.exitCode(), () -> describe(rs));
                JsonNode st = Json.parse(r.stdout(), r);
                assertEquals(status, st.path("status").asText(), () -> describe(rs));
                assertTrue(st.path("ociVersion").isTextual() && !st.path("ociVersion").asText().isEmpty(), () -> describe(rs));
                assertEquals(b.dir().toString(), st.path("bundle").asText(), () -> describe(rs));
                assertEquals(b.rootfs().toString(), st.path("rootfs").asText(), () -> describe(rs));
                assertFalse(Instant.parse(st.path("created").asText()).isAfter(Instant.now()), () -> describe(rs));
                assertEquals("v1", st.path("annotations").path("org.example.key").asText(), () -> describe(rs));
                assertEquals("", st.path("owner").asText("missing"), () -> describe(rs));
                long pid = st.path("pid").asLong(-1);
                if (status.equals("stopped")) {
                    assertEquals(0, pid, () -> "pid of a stopped container:\n" + describe(rs));
                } else {
                    assertTrue(pid > 0, () -> "pid of a " + status + " container:\n" + describe(rs));
                }
                skeletons.add(Json.skeleton(st));
                layouts.add(Json.layout(r.stdout()));
            }
            // same keys, in the same order, with the same value types; printed alike
            assertEquals(skeletons.get(1), skeletons.get(0), () -> status + ": state keys/types differ\n" + describe(rs));
            assertEquals(layouts.get(1), layouts.get(0), () -> status + ": state is printed differently\n" + describe(rs));
        });
    }

    // ----- list ------------------------------------------------------------------------------------

    static final String EMPTY_LIST_HEADER = "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n";

    @Test
    void listWithNoContainers(TestBed bed) {
        for (Runtime rt : both(bed)) {
            Result table = rt.run("list");
            assertEquals(0, table.exitCode(), table::describe);
            assertEquals(EMPTY_LIST_HEADER, table.stdout(), table::describe);
            Result json = rt.run("list", "-f", "json");
            assertEquals(0, json.exitCode(), json::describe);
            assertEquals("null\n", json.stdout(), json::describe);
            Result quiet = rt.run("list", "-q");
            assertEquals(0, quiet.exitCode(), quiet::describe);
            assertEquals("", quiet.stdout(), quiet::describe);
        }
    }

    @Test
    void listWithContainersHasTheSameShape(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sleep", "30").build();
        BusyboxBundle t = bed.bundle("t").args("true").build();
        List<String> jsonSkeletons = new ArrayList<>();
        List<String> jsonLayouts = new ArrayList<>();
        for (Runtime rt : both(bed)) {
            // ids chosen so that directory-name order is created, running, stopped
            String created = bed.id("l1-" + rt.name());
            String running = bed.id("l2-" + rt.name());
            String stopped = bed.id("l3-" + rt.name());
            assertEquals(0, rt.run("create", "-b", b.dir().toString(), created).exitCode());
            assertEquals(0, rt.run("run", "-d", "-b", b.dir().toString(), running).exitCode());
            assertEquals(0, rt.run("run", "-d", "-b", t.dir().toString(), stopped).exitCode());
            assertEquals("stopped", rt.awaitStatus(stopped, "stopped", SETTLE));

            Result quiet = rt.run("list", "-q");
            assertEquals(0, quiet.exitCode(), quiet::describe);
            assertEquals(created + "\n" + running + "\n" + stopped + "\n", quiet.stdout(), quiet::describe);

            Result json = rt.run("list", "--format", "json");
            assertEquals(0, json.exitCode(), json::describe);
            assertTrue(json.stdout().endsWith("]\n") && json.stdout().indexOf('\n') == json.stdout().length() - 1,
                    () -> "one compact line:\n" + json.describe());
            JsonNode arr = Json.parse(json.stdout(), json);
            assertEquals(3, arr.size(), json::describe);
            List<String> statuses = new ArrayList<>();
            for (JsonNode c : arr) {
                statuses.add(c.path("id").asText() + "=" + c.path("status").asText());
                assertEquals("root", c.path("owner").asText(), json::describe);
            }
            assertEquals(List.of(created + "=created", running + "=running", stopped + "=stopped"), statuses, json::describe);
            assertEquals(0, arr.get(2).path("pid").asLong(-1), json::describe);
            jsonSkeletons.add(Json.skeleton(arr));
            jsonLayouts.add(Json.layout(json.stdout()));

            Result table = rt.run("list");
            assertEquals(0, table.exitCode(), table::describe);
            assertTableLayout(table);
            List<String> lines = table.stdout().lines().toList();
            assertEquals(4, lines.size(), table::describe);
            assertEquals(List.of("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"), List.of(lines.get(0).split("\\s+")), table::describe);
            for (int i = 1; i < 4; i++) {
                String[] f = lines.get(i).split("\\s+");
                assertEquals(6, f.length, table::describe);
                assertEquals(b.dir().getParent().toString(), Path.of(f[3]).getParent().toString(), table::describe);
                Instant.parse(f[4]);
                assertEquals("root", f[5], table::describe);
            }
            assertEquals("0", lines.get(3).split("\\s+")[1], table::describe);
        }
        assertEquals(jsonSkeletons.get(1), jsonSkeletons.get(0), "list -f json: keys/types differ");
        assertEquals(jsonLayouts.get(1), jsonLayouts.get(0), "list -f json: printed differently");
    }

    /**
     * Go's tabwriter(minwidth 12, tabwidth 1, padding 3): every column but the last is padded to
     * max(12, widest cell + 3); no trailing spaces.
     */
    private static void assertTableLayout(Result table) {
        // no cell contains a space, so split on runs of spaces
        List<String[]> rows = table.stdout().lines().map(l -> l.trim().split(" +")).toList();
        int cols = rows.getFirst().length;
        int[] width = new int[cols];
        for (String[] row : rows) {
            assertEquals(cols, row.length, table::describe);
            for (int c = 0; c < cols - 1; c++) {
                width[c] = Math.max(width[c], Math.max(12, row[c].length() + 3));
            }
        }
        StringBuilder expected = new StringBuilder();
        for (String[] row : rows) {
            for (int c = 0; c < cols - 1; c++) {
                expected.append(row[c]).append(" ".repeat(width[c] - row[c].length()));
            }
            expected.append(row[cols - 1]).append('\n');
        }
        assertEquals(expected.toString(), table.stdout(), () -> "table layout:\n" + table.describe());
    }

    // ----- kill / delete on each state ---------------------------------------------------------------

    /**
     * Columns: state the container is in, the command (ID is appended, then the signal if any),
     * runc 1.1.5's exit code, status afterwards ("(none)" = deleted), and a fragment of the error
     * message ("-" = none expected). {@code kill} returns before the process dies, so the status is
     * polled (a sleep that is PID 1 ignores SIGTERM: it stays running).
     */
    @ParameterizedTest(name = "{0}: {1} -> {2}, {3}")
    @CsvSource(delimiter = '|', value = {
        "created | kill             | 0 | stopped | -",
        "created | kill KILL        | 0 | stopped | -",
        "created | delete           | 0 | (none)  | -",
        "created | delete --force   | 0 | (none)  | -",
        "running | kill             | 0 | running | -",
        "running | kill KILL        | 0 | stopped | -",
        "running | delete           | 1 | running | that is not stopped: running",
        "running | delete --force   | 0 | (none)  | -",
        "stopped | kill             | 1 | stopped | container not running",
        "stopped | kill KILL        | 1 | stopped | container not running",
        "stopped | delete           | 0 | (none)  | -",
        "stopped | delete --force   | 0 | (none)  | -",
    })
    void killAndDeleteInEachState(String state, String command, int exit, String after, String message, TestBed bed) {
        BusyboxBundle sleeper = bed.bundle("sleep").args("sleep", "30").build();
        BusyboxBundle quick = bed.bundle("true").args("true").build();
        Map<Runtime, String> outcomes = new LinkedHashMap<>();
        for (Runtime rt : both(bed)) {
            String id = bed.id("m-" + rt.name());
            switch (state) {
                case "created" -> assertEquals(0, rt.run("create", "-b", sleeper.dir().toString(), id).exitCode());
                case "running" -> assertEquals(0, rt.run("run", "-d", "-b", sleeper.dir().toString(), id).exitCode());
                case "stopped" -> assertEquals(0, rt.run("run", "-d", "-b", quick.dir().toString(), id).exitCode());
                default -> throw new IllegalArgumentException(state);
            }
            assertEquals(state, rt.awaitStatus(id, state, SETTLE), rt.name() + ": setting up a " + state + " container");

            String[] words = command.split(" ");
            List<String> args = new ArrayList<>(List.of(words[0]));
            if (words.length > 1 && words[1].startsWith("-")) {
                args.add(words[1]);
            }
            args.add(id);
            if (words.length > 1 && !words[1].startsWith("-")) {
                args.add(words[1]); // the signal
            }
            Result r = rt.run(Runtime.TIMEOUT, args);
            String status = command.startsWith("kill")
                    ? rt.awaitStatus(id, s -> !s.equals(state), after.equals(state) ? Duration.ofSeconds(2) : SETTLE)
                    : rt.status(id);
            String outcome = "exit " + r.exitCode() + ", then " + status;
            outcomes.put(rt, outcome);
            assertEquals("exit " + exit + ", then " + after, outcome, () -> rt.name() + ":\n" + r.describe());
            if (message.equals("-")) {
                assertEquals("", r.stderr(), r::describe);
            } else {
                assertEquals(1, r.stderrLines().size(), r::describe);
                assertTrue(r.errorMessage().contains(message), r::describe);
            }
        }
        assertEquals(1, outcomes.values().stream().distinct().count(), outcomes::toString);
    }

    // ----- errors ------------------------------------------------------------------------------------

    @Test
    void unknownIdErrors(TestBed bed) {
        for (Runtime rt : both(bed)) {
            String id = bed.id("ghost-" + rt.name());
            for (String verb : List.of("delete", "state", "kill", "start")) {
                Result r = rt.run(verb, id);
                assertEquals(1, r.exitCode(), r::describe);
                assertEquals("", r.stdout(), r::describe);
                assertEquals(1, r.stderrLines().size(), r::describe);
                assertTrue(r.errorMessage().contains("container does not exist"), r::describe);
            }
            Result force = rt.run("delete", "--force", id);
            assertEquals(0, force.exitCode(), force::describe);
            assertEquals("", force.stdout() + force.stderr(), force::describe);
        }
    }

    @Test
    void startOfARunningOrStoppedContainerFails(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sleep", "30").build();
        Map<Runtime, List<String>> messages = new LinkedHashMap<>();
        for (Runtime rt : both(bed)) {
            String id = bed.id("start-" + rt.name());
            assertEquals(0, rt.run("run", "-d", "-b", b.dir().toString(), id).exitCode());
            Result again = rt.run("start", id);
            assertEquals(1, again.exitCode(), again::describe);
            assertTrue(again.errorMessage().contains("cannot start an already running container"), again::describe);
            assertEquals(0, rt.run("kill", id, "KILL").exitCode());
            assertEquals("stopped", rt.awaitStatus(id, "stopped", SETTLE));
            Result stopped = rt.run("start", id);
            assertEquals(1, stopped.exitCode(), stopped::describe);
            assertTrue(stopped.errorMessage().contains("cannot start a container that has stopped"), stopped::describe);
            messages.put(rt, List.of(again.errorMessage(), stopped.errorMessage()));
        }
        List<List<String>> m = new ArrayList<>(messages.values());
        assertEquals(m.get(1), m.get(0), "start error messages");
    }

    @Test
    void runWithADuplicateIdFailsAndLeavesTheExistingContainerAlone(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sleep", "30").build();
        Map<Runtime, String> messages = new LinkedHashMap<>();
        for (Runtime rt : both(bed)) {
            String id = bed.id("dup-" + rt.name());
            assertEquals(0, rt.run("run", "-d", "-b", b.dir().toString(), id).exitCode());
            JsonNode before = rt.state(id);
            assertNotNull(before);
            Result dup = rt.run("run", "-d", "-b", b.dir().toString(), id);
            assertEquals(1, dup.exitCode(), dup::describe);
            assertEquals(1, dup.stderrLines().size(), dup::describe);
            assertTrue(dup.errorMessage().contains("container with given ID already exists"), dup::describe);
            String prefix = rt.isJrunc() ? "jrunc run failed: " : rt.name().equals("runc") ? "runc run failed: " : "";
            assertTrue(dup.errorMessage().startsWith(prefix), () -> "expected the prefix '" + prefix + "':\n" + dup.describe());
            JsonNode after = rt.state(id);
            assertNotNull(after, "existing container was removed");
            assertEquals("running", after.path("status").asText());
            assertEquals(before.path("pid").asLong(), after.path("pid").asLong(), "existing container was replaced");
            messages.put(rt, dup.errorMessageWithoutPrefix());
        }
        List<String> m = new ArrayList<>(messages.values());
        assertEquals(m.get(1), m.get(0), "duplicate id message after the '<runtime> run failed: ' prefix");
    }

    @Test
    void unknownCommandExits3(TestBed bed) {
        for (Runtime rt : both(bed)) {
            Result r = rt.run("no-such-verb");
            assertEquals(3, r.exitCode(), r::describe);
            assertTrue(r.errorMessage().contains("No help topic for 'no-such-verb'"), r::describe);
        }
    }

    // ----- spec --------------------------------------------------------------------------------------

    @Test
    void specWritesTheSameStarterConfig(TestBed bed) throws IOException {
        List<JsonNode> specs = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (Runtime rt : both(bed)) {
            Path dir = bed.path("spec-" + texts.size());
            Files.createDirectories(dir);
            Result r = rt.runWithoutRoot(dir, "spec");
            assertEquals(0, r.exitCode(), r::describe);
            assertEquals("", r.stdout() + r.stderr(), r::describe);
            String text = Files.readString(dir.resolve("config.json"));
            texts.add(text);
            ObjectNode spec = (ObjectNode) Json.parse(text, rt.name() + " spec");
            assertTrue(spec.path("ociVersion").isTextual(), text);
            spec.remove("ociVersion"); // jrunc may implement a newer spec version than runc 1.1.5
            // each runtime names its default hostname after itself ("runc", "crun", "jrunc")
            assertEquals(rt.name(), spec.path("hostname").asText(), text);
            spec.remove("hostname");
            specs.add(spec);

            Result again = rt.runWithoutRoot(dir, "spec");
            assertEquals(1, again.exitCode(), again::describe);
            assertTrue(again.errorMessage().contains("File config.json exists. Remove it first"), again::describe);

            Path other = bed.path("spec-b-" + texts.size());
            Files.createDirectories(other);
            Result withB = rt.runWithoutRoot(dir, "spec", "--bundle", other.toString());
            assertEquals(0, withB.exitCode(), withB::describe);
            assertTrue(Files.exists(other.resolve("config.json")), "spec --bundle DIR writes DIR/config.json");
        }
        assertEquals(specs.get(1), specs.get(0), "spec: parsed config.json differs (ociVersion and hostname aside)");
        // runc writes it tab-indented without a trailing newline
        for (String text : texts) {
            assertTrue(text.startsWith("{\n\t\"ociVersion\": \""), text);
            assertTrue(text.endsWith("}"), "no trailing newline expected");
        }
    }
}
