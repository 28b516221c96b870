package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.it.support.BusyboxBundle;
import io.jshim.it.support.Result;
import io.jshim.it.support.Runtime;
import io.jshim.it.support.TestBed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * config.md "POSIX-platform Hooks" with real containers, side by side with runc where runc follows
 * the spec: where each hook runs (runtime or container namespaces, which filesystem view), when
 * (lifecycle order), what it gets (state on stdin, args[0] as argv[0], env), and what a failure
 * does (a failing create hook fails create and leaves nothing; a failing poststop only warns).
 * jrunc deviates from runc 1.1.5 where runc deviates from the spec: poststart runs after the user
 * program has started (runc: at the end of create), a failing startContainer or poststart hook
 * fails {@code start} (runtime-spec 1.3), and every poststop hook runs even after one failed.
 */
class HooksIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SETTLE = Duration.ofSeconds(10);

    /**
     * A host script that records one hook's run in OUT: its state, cwd, the uts namespace it runs
     * in, its environment, and its name appended to OUT/order. For runtime-namespace hooks it also
     * records the uts namespace of the container's init (the state's pid is a host pid there).
     */
    private static final String RECORD = """
            #!/bin/sh
            name=$1; out=$2
            cat > "$out/$name.state"
            echo "$name" >> "$out/order"
            pwd > "$out/$name.cwd"
            readlink /proc/self/ns/uts > "$out/$name.uts"
            env > "$out/$name.env"
            pid=$(sed -n 's/.*"pid":\\([0-9]*\\).*/\\1/p' "$out/$name.state")
            if [ -n "$pid" ] && [ -e "/proc/$pid" ]; then
                readlink "/proc/$pid/ns/uts" > "$out/$name.target-uts"
                tr '\\0' ' ' < "/proc/$pid/cmdline" > "$out/$name.target-cmdline"
            fi
            """;

    /** The same inside the container (startContainer: its path resolves in the container, writes to /out). */
    private static final String RECORD_IN_CONTAINER = """
            #!/bin/sh
            cat > /out/startContainer.state
            echo startContainer >> /out/order
            pwd > /out/startContainer.cwd
            """;

    private static Path script(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return "(missing: " + p.getFileName() + ")";
        }
    }

    private static JsonNode state(Path out, String hook) {
        try {
            return JSON.readTree(Files.readString(out.resolve(hook + ".state")));
        } catch (IOException e) {
            throw new AssertionError(hook + " left no readable state in " + out, e);
        }
    }

    private static ObjectNode hook(ObjectNode config, String phase, String path, String... args) {
        ObjectNode h = config.withObjectProperty("hooks").withArrayProperty(phase).addObject();
        h.put("path", path);
        ArrayNode a = h.putArray("args");
        for (String s : args) {
            a.add(s);
        }
        return h;
    }

    private static List<String> order(Path out) {
        return read(out.resolve("order")).lines().toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jrunc", "runc"})
    void eachHookRunsWhereAndWhenTheSpecSays(String runtime, TestBed bed) throws Exception {
        Runtime rt = runtime.equals("runc") ? bed.runc() : bed.jrunc();
        Path out = Files.createDirectories(bed.path("out"));
        Path record = script(bed.path("record.sh"), RECORD);
        BusyboxBundle b = bed.bundle("b").args("sleep", "30").readonlyRoot(false).hostname("hooked")
                .mount("/out", "bind", out.toString(), "rbind", "rw")
                .edit(c -> {
                    c.withObjectProperty("annotations").put("org.example.hooks", "yes");
                    for (String phase : List.of("prestart", "createRuntime", "createContainer", "poststart",
                            "poststop")) {
                        hook(c, phase, record.toString(), "record", phase, out.toString());
                    }
                    hook(c, "startContainer", "/hooks/start.sh", "start.sh");
                    // args[0] is argv[0]: busybox runs the applet argv[0] names; env replaces the runtime's
                    hook(c, "prestart", "/bin/busybox", "sh", "-c", "env > " + out + "/own-env")
                            .putArray("env").add("HOOKVAR=1");
                })
                .build();
        script(b.rootfs().resolve("hooks/start.sh"), RECORD_IN_CONTAINER); // exists only in the container
        String id = bed.id("all-" + runtime);
        String bundle = b.dir().toString();

        Result create = rt.run("create", "--bundle", bundle, id);
        assertEquals(0, create.exitCode(), create::describe);
        int initPid = rt.state(id).path("pid").asInt();
        List<String> afterCreate = order(out);
        assertEquals(List.of("prestart", "createRuntime", "createContainer"), afterCreate.subList(0, 3), rt.name());
        assertFalse(afterCreate.contains("startContainer"), rt.name() + ": startContainer ran before start");

        for (String h : List.of("prestart", "createRuntime")) { // runtime namespace, host pid
            JsonNode s = state(out, h);
            assertEquals("creating", s.path("status").asText(), h);
            assertEquals(initPid, s.path("pid").asInt(), h + " gets the init's host pid");
            assertEquals(id, s.path("id").asText());
            assertEquals(b.dir().toString(), s.path("bundle").asText());
            assertEquals("yes", s.path("annotations").path("org.example.hooks").asText());
            assertNotEquals(read(out.resolve(h + ".uts")), read(out.resolve(h + ".target-uts")),
                    h + " runs in the runtime's namespaces, not the container's");
        }
        assertTrue(read(out.resolve("prestart.env")).contains("HOME="), "no env: the runtime's own");
        assertTrue(read(out.resolve("own-env")).contains("HOOKVAR=1"), "a hook's env is given to it");
        assertFalse(read(out.resolve("own-env")).contains("HOME="), "and replaces the runtime's");

        JsonNode cc = state(out, "createContainer"); // container namespaces, before pivot_root
        assertEquals("creating", cc.path("status").asText());
        assertEquals(1, cc.path("pid").asInt(), "the container's pid as the container sees it (runc: 1)");
        assertEquals(b.rootfs().toString(), read(out.resolve("createContainer.cwd")), "cwd is the rootfs");
        assertEquals(read(out.resolve("prestart.target-uts")), read(out.resolve("createContainer.uts")),
                "createContainer runs in the container's uts namespace");
        assertTrue(read(out.resolve("createContainer.env")).contains("TERM=xterm"),
                "no env: the container process's");

        Result start = rt.run("start", id);
        assertEquals(0, start.exitCode(), start::describe);
        assertEquals("running", rt.awaitStatus(id, "running", SETTLE));
        JsonNode sc = state(out, "startContainer");
        assertEquals("created", sc.path("status").asText());
        assertEquals(1, sc.path("pid").asInt());
        assertEquals("/", read(out.resolve("startContainer.cwd")), "startContainer runs in the container's root");

        JsonNode ps = state(out, "poststart");
        assertEquals(initPid, ps.path("pid").asInt());
        if (rt.isJrunc()) {
            // the spec's order; runc 1.1.5 runs poststart at the end of create, status "created"
            assertEquals(List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart"),
                    order(out));
            assertEquals("running", ps.path("status").asText());
            assertTrue(read(out.resolve("poststart.target-cmdline")).startsWith("sleep 30"),
                    "poststart runs once the user program runs: " + read(out.resolve("poststart.target-cmdline")));
        }

        assertEquals(0, rt.run("kill", id, "KILL").exitCode());
        assertEquals("stopped", rt.awaitStatus(id, "stopped", SETTLE));
        Result delete = rt.run("delete", id);
        assertEquals(0, delete.exitCode(), delete::describe);
        JsonNode stop = state(out, "poststop");
        assertEquals("stopped", stop.path("status").asText());
        assertFalse(stop.has("pid"), "a stopped container has no pid");
        assertEquals("poststop", order(out).getLast());
    }

    @ParameterizedTest
    @ValueSource(strings = {"prestart", "createRuntime", "createContainer"})
    void aFailingCreateHookFailsCreateAndLeavesNothing(String phase, TestBed bed) throws Exception {
        Path out = Files.createDirectories(bed.path("out"));
        BusyboxBundle b = bed.bundle("b").args("true").edit(c -> {
            hook(c, phase, "/bin/sh", "sh", "-c", "echo boom >&2; exit 3");
            hook(c, "poststop", "/bin/sh", "sh", "-c", "touch " + out + "/poststop-ran");
        }).build();
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            Result r = rt.run("create", "--bundle", b.dir().toString(), bed.id("fail-" + rt.name()));
            assertEquals(1, r.exitCode(), r::describe);
            bed.assertNothingLeft(rt.name() + ": a create whose " + phase + " hook failed");
            assertTrue(Files.exists(out.resolve("poststop-ran")), rt.name() + ": the failed container's poststop ran");
            Files.delete(out.resolve("poststop-ran"));
            if (rt.isJrunc()) {
                assertEquals(1, r.stderrLines().size(), r::describe);
                assertTrue(r.errorMessage().contains("hooks." + phase + "[0]: /bin/sh: exit status 3, stderr: boom"),
                        r::describe);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"prestart", "createContainer"})
    void aHookThatDoesNotExistIsAClearErrorWithNothingLeft(String phase, TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("true").edit(c -> hook(c, phase, "/nope/hook")).build();
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            Result r = rt.run("create", "--bundle", b.dir().toString(), bed.id("nohook-" + rt.name()));
            assertEquals(1, r.exitCode(), r::describe);
            bed.assertNothingLeft(rt.name() + ": a create with a missing " + phase + " hook");
            if (rt.isJrunc()) {
                assertEquals(1, r.stderrLines().size(), r::describe);
                assertTrue(r.errorMessage().endsWith("hooks." + phase + "[0]: /nope/hook: no such file or directory"),
                        r::describe);
            }
        }
    }

    @Test
    void aHookPastItsTimeoutIsKilledAndCreateFails(TestBed bed) throws Exception {
        Path pid = bed.path("hook.pid");
        BusyboxBundle b = bed.bundle("b").args("true").edit(c -> hook(c, "createRuntime", "/bin/sh", "sh", "-c",
                "echo $$ > " + pid + "; exec sleep 60").put("timeout", 1)).build();
        Result r = bed.jrunc().run("create", "--bundle", b.dir().toString(), bed.id("timeout"));
        assertEquals(1, r.exitCode(), r::describe);
        assertTrue(r.errorMessage().endsWith("hooks.createRuntime[0]: /bin/sh: ran past its timeout of 1s and was "
                + "killed"), r::describe);
        assertTrue(r.millis() < 10_000, "the timeout cut the hook short: " + r.millis() + " ms");
        assertFalse(Files.exists(Path.of("/proc/" + read(pid))), "the hook was killed and reaped");
        bed.assertNothingLeft("a create whose hook timed out");
        Result runc = bed.runc().run("create", "--bundle", b.dir().toString(), bed.id("timeout-runc"));
        assertEquals(1, runc.exitCode(), runc::describe);
    }

    @Test
    void aFailingStartContainerHookFailsStartAndStopsTheContainer(TestBed bed) {
        Runtime rt = bed.jrunc();
        assumeTrue(rt.isJrunc(), "runc 1.1.5 reports start before its startContainer hooks run");
        BusyboxBundle b = bed.bundle("b").args("sleep", "30").edit(c -> hook(c, "startContainer", "/bin/sh", "sh",
                "-c", "echo nope >&2; exit 2")).build();
        String id = bed.id("startfail");
        assertEquals(0, rt.run("create", "--bundle", b.dir().toString(), id).exitCode());
        Result r = rt.run("start", id);
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals("hooks.startContainer[0]: /bin/sh: exit status 2, stderr: nope", r.errorMessage(), r::describe);
        assertEquals("stopped", rt.awaitStatus(id, "stopped", SETTLE));
        assertEquals(0, rt.run("delete", id).exitCode());
    }

    @Test
    void aFailingPoststartHookFailsStartAndStopsTheContainer(TestBed bed) {
        Runtime rt = bed.jrunc();
        assumeTrue(rt.isJrunc(), "runc 1.1.5 runs poststart during create");
        BusyboxBundle b = bed.bundle("b").args("sleep", "30").edit(c -> hook(c, "poststart", "/bin/false")).build();
        String id = bed.id("poststartfail");
        assertEquals(0, rt.run("create", "--bundle", b.dir().toString(), id).exitCode());
        Result r = rt.run("start", id);
        assertEquals(1, r.exitCode(), r::describe);
        assertTrue(r.errorMessage().startsWith("hooks.poststart[0]: /bin/false: exit status 1"), r::describe);
        assertEquals("stopped", rt.awaitStatus(id, "stopped", SETTLE), "runtime-spec 1.3: the container is stopped");
        assertEquals(0, rt.run("delete", id).exitCode());
    }

    @Test
    void aFailingPoststopHookOnlyWarns(TestBed bed) throws Exception {
        Path out = Files.createDirectories(bed.path("out"));
        BusyboxBundle b = bed.bundle("b").args("true").edit(c -> {
            hook(c, "poststop", "/bin/sh", "sh", "-c", "exit 4");
            hook(c, "poststop", "/bin/sh", "sh", "-c", "touch " + out + "/second-ran");
        }).build();
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            String id = bed.id("pstop-" + rt.name());
            assertEquals(0, rt.run("run", "-d", "--bundle", b.dir().toString(), id).exitCode());
            assertEquals("stopped", rt.awaitStatus(id, "stopped", SETTLE));
            Result r = rt.run("delete", id);
            assertEquals(0, r.exitCode(), rt.name() + ": a failing poststop hook does not fail delete\n"
                    + r.describe());
            assertEquals("(none)", rt.status(id), rt.name() + ": the container is gone");
            if (rt.isJrunc()) {
                assertTrue(r.stderr().contains("level=warning"), r::describe);
                assertTrue(r.errorMessage().contains("hooks.poststop[0]: /bin/sh: exit status 4"), r::describe);
                assertTrue(Files.exists(out.resolve("second-ran")), "the remaining poststop hooks still run");
            }
        }
    }
}
