package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jshim.it.support.BusyboxBundle;
import io.jshim.it.support.LeakCheck;
import io.jshim.it.support.Result;
import io.jshim.it.support.Runtime;
import io.jshim.it.support.TestBed;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mistakes a user makes, through {@code run} and {@code create}: each must fail with exit 1 and
 * ONE line on stderr that names the thing at fault, and leave nothing behind: no state dir,
 * cgroup, mount or process (checked right after the failure, before the test's clean-up runs
 * {@code delete --force}). Assertions marked "jrunc only" are skipped when the suite drives runc
 * ({@code -Djshim.it.runtime=runc}), whose messages say less.
 */
class BadInputIT {

    /** Runs {@code <verb> --bundle DIR ID} and checks the common contract; returns the result. */
    private static Result failsCleanly(TestBed bed, String verb, String bundle, String id) {
        Runtime rt = bed.jrunc();
        Result r = rt.run(verb, "--bundle", bundle, id);
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals("", r.stdout(), r::describe);
        assertEquals(1, r.stderrLines().size(), () -> "exactly one line on stderr expected:\n" + r.describe());
        bed.assertNothingLeft("a failed " + verb);
        return r;
    }

    private static void assertMentions(Result r, String what) {
        assertTrue(r.errorMessage().contains(what), () -> "the error should name " + what + ":\n" + r.describe());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "create"})
    void missingBundleDirectory(String verb, TestBed bed) {
        String missing = bed.path("no-such-bundle").toString();
        Result r = failsCleanly(bed, verb, missing, bed.id("nobundle"));
        assertMentions(r, missing);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "create"})
    void invalidJsonInConfig(String verb, TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("true").build();
        b.writeRawConfig("{\"ociVersion\": \"1.0.2-dev\", \"process\": {bad json\n");
        Result r = failsCleanly(bed, verb, b.dir().toString(), bed.id("badjson"));
        if (bed.jrunc().isJrunc()) { // jrunc only: runc's message is just the decoder's
            assertMentions(r, "config.json");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "create"})
    void unknownNamespaceType(String verb, TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("true")
                .edit(c -> c.withObjectProperty("linux").withArrayProperty("namespaces").addObject().put("type", "bogus"))
                .build();
        Result r = failsCleanly(bed, verb, b.dir().toString(), bed.id("badns"));
        assertMentions(r, "bogus");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "create"})
    void missingExecutable(String verb, TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("/nonexistent").build();
        Result r = failsCleanly(bed, verb, b.dir().toString(), bed.id("noexe"));
        assertMentions(r, "/nonexistent");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "create"})
    void idWithASlash(String verb, TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("true").build();
        Result r = failsCleanly(bed, verb, b.dir().toString(), bed.id("a") + "/b");
        assertMentions(r, "invalid container ID format");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "create"})
    void unsupportedOciVersion(String verb, TestBed bed) {
        assumeTrue(bed.jrunc().isJrunc(), "jrunc only: runc 1.1.5 runs a config with ociVersion 2.0.0");
        BusyboxBundle b = bed.bundle("b").args("true").edit(c -> c.put("ociVersion", "2.0.0")).build();
        Result r = failsCleanly(bed, verb, b.dir().toString(), bed.id("ociver"));
        assertMentions(r, "ociVersion");
        assertMentions(r, "2.0.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "create"})
    void commandAndArgumentsInOneString(String verb, TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sleep 10").build();
        Result r = failsCleanly(bed, verb, b.dir().toString(), bed.id("onestring"));
        assertMentions(r, "sleep 10");
        if (bed.jrunc().isJrunc()) { // jrunc only: the hint
            assertMentions(r, "[\"sleep\", \"10\"]");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "create"})
    void duplicateIdLeavesTheExistingContainerRunning(String verb, TestBed bed) {
        Runtime rt = bed.jrunc();
        BusyboxBundle b = bed.bundle("b").args("sleep", "30").build();
        String id = bed.id("dup");
        Result first = rt.run("run", "-d", "--bundle", b.dir().toString(), id);
        assertEquals(0, first.exitCode(), first::describe);
        JsonNode before = rt.state(id);
        assertNotNull(before);
        LeakCheck.Snapshot withOne = bed.snapshot();

        Result r = rt.run(verb, "--bundle", b.dir().toString(), id);
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals(1, r.stderrLines().size(), r::describe);
        assertMentions(r, "container with given ID already exists");
        // nothing new (no second init, cgroup, mount or state dir) ...
        bed.assertNothingNewSince(withOne, "a failed " + verb + " with a duplicate id");
        // ... and the first container is untouched
        JsonNode after = rt.state(id);
        assertNotNull(after, "the existing container is gone");
        assertEquals("running", after.path("status").asText(), after::toString);
        assertEquals(before.path("pid").asLong(), after.path("pid").asLong(), "the existing container's init changed");
        Result list = rt.run("list", "-q");
        assertEquals(id + "\n", list.stdout(), list::describe);
    }
}
