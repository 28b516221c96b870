package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.it.support.BusyboxBundle;
import io.jshim.it.support.ItEnv;
import io.jshim.it.support.Result;
import io.jshim.it.support.Runtime;
import io.jshim.it.support.TestBed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression tests for the container breakouts runc has had, run against jrunc and, as the
 * reference, Debian's runc 1.1.5 (which carries the fixes):
 * <ul>
 *   <li>CVE-2019-5736: a container process overwriting the runtime's binary through
 *       {@code /proc/<pid>/exe} of a runtime process it can see. jshim-init runs from a sealed
 *       memfd copy and is not dumpable until it execs the user's program;</li>
 *   <li>CVE-2024-21626 (and CVE-2016-9962): a host fd leaked into the container, or a working
 *       directory reached through one. Only stdio and {@code --preserve-fds} reach the process,
 *       and a cwd outside the rootfs fails create.</li>
 * </ul>
 */
class CveRegressionIT {

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    /** The jshim-init the jrunc under test runs (dist/libexec/jshim/jshim-init). */
    private static Path jshimInit() {
        return ItEnv.runtimeUnderTestBinary().getParent().getParent().resolve("libexec/jshim/jshim-init");
    }

    /**
     * {@code <runtime> --root R run [--preserve-fds N] --bundle B ID} from a shell that first
     * opens fds 3 (/dev/null), 4 (a host file), 5 and 7 (host directories), as a careless caller
     * or a leaky runtime would hand them on.
     */
    private static Result runWithHostFds(Runtime rt, BusyboxBundle b, String id, int preserve) throws Exception {
        String cmd = "exec 3</dev/null 4</etc/hostname 5</ 7<" + b.dir() + "; exec '" + rt.binary() + "' --root '"
                + rt.root() + "' run --preserve-fds " + preserve + " --bundle '" + b.dir() + "' " + id;
        Path out = b.dir().resolveSibling(id + ".out");
        Path err = b.dir().resolveSibling(id + ".err");
        Process p = new ProcessBuilder("sh", "-c", cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                "/dev/null"))).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        long t0 = System.nanoTime();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        Result r = new Result(List.of("sh", "-c", cmd), done ? p.exitValue() : -1, Files.readString(out),
                Files.readString(err), (System.nanoTime() - t0) / 1_000_000, !done);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        rt.run("delete", "--force", id); // `run` deleted it already, unless it failed half-way
        return r;
    }

    // ----- CVE-2024-21626: leaked fds and working directories --------------------------------------

    @ParameterizedTest(name = "--preserve-fds {0}")
    @ValueSource(ints = {0, 1})
    void onlyStdioAndPreservedFdsReachTheContainer(int preserve, TestBed bed) throws Exception {
        // list pid 1's fds from a child shell into a file first: a pipe, a command substitution or
        // a redirection busybox applies in place (saving fd 1 as fd 10) would add an fd to pid 1
        String script = "sh -c 'for f in /proc/1/fd/*; do n=${f##*/}; [ $n -gt 2 ] && echo \"fd $n -> $(readlink $f)\";"
                + " echo $n >> /dev/shm/fds; done > /dev/shm/high'\n"
                + "echo \"fds of pid 1: $(sort -n /dev/shm/fds | tr '\\n' ' ')\"; cat /dev/shm/high\n"
                + "echo \"cwd: $(readlink /proc/1/cwd)\"; echo \"root: $(readlink /proc/1/root)\"\n";
        BusyboxBundle b = bed.bundle("b").args("sh", "-c", script).build();
        String jrunc = null;
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            Result r = runWithHostFds(rt, b, bed.id("fds" + preserve + "-" + rt.name()), preserve);
            assertEquals(0, r.exitCode(), r::describe);
            String want = preserve == 0 ? "fds of pid 1: 0 1 2 \ncwd: /\nroot: /\n"
                    : "fds of pid 1: 0 1 2 3 \nfd 3 -> /dev/null\ncwd: /\nroot: /\n";
            assertEquals(want, r.stdout(), () -> rt.name() + ":\n" + r.describe());
            if (jrunc == null) {
                jrunc = r.stdout();
            } else {
                assertEquals(jrunc, r.stdout(), "jrunc and runc differ");
            }
        }
    }

    /**
     * The CVE-2024-21626 attack: {@code process.cwd} names a host directory through a leaked fd
     * ({@code /proc/self/fd/7}, which the caller opened on a host directory). No host fd
     * reaches the container's init, so the path does not exist there: create fails, saying so,
     * and leaves nothing behind. A plain cwd lands inside the rootfs.
     */
    @ParameterizedTest(name = "cwd {0}")
    @ValueSource(strings = {"/proc/self/fd/7", "/tmp"})
    void theWorkingDirectoryIsInsideTheContainer(String cwd, TestBed bed) throws Exception {
        BusyboxBundle b = bed.bundle("b").args("sh", "-c", "readlink /proc/self/cwd; pwd -P; ls /proc/self/fd | wc -l")
                .edit(c -> c.withObjectProperty("process").put("cwd", cwd)).build();
        boolean attack = cwd.startsWith("/proc");
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            Result r = runWithHostFds(rt, b, bed.id("cwd-" + rt.name()), 0);
            if (attack) {
                assertEquals(1, r.exitCode(), () -> rt.name() + " ran with a cwd reached through a host fd:\n"
                        + r.describe());
                assertEquals("", r.stdout(), r::describe);
                if (rt.isJrunc()) {
                    assertEquals(1, r.stderrLines().size(), r::describe);
                    assertTrue(r.errorMessage().contains(cwd), r::describe);
                }
            } else {
                assertEquals(0, r.exitCode(), r::describe);
                assertTrue(r.stdout().startsWith("/tmp\n/tmp\n"), () -> rt.name() + ":\n" + r.describe());
            }
        }
        bed.assertNothingLeft("runs with cwd " + cwd);
    }

    // ----- CVE-2019-5736: the runtime's binary through /proc/<pid>/exe ------------------------------

    /**
     * Container A is created (its init is still the runtime's helper) and container B shares its
     * pid namespace, as a sidecar or an {@code exec}'d process would. From B jshim-init is not
     * reachable: /proc/1/exe can be neither read nor opened (it is not dumpable), so no fd to it
     * can be kept until it exits and then written through (under runc it can be opened, but the
     * write fails). After {@code start},
     * /proc/1/exe is A's own program. From the host, the helper's exe is an anonymous sealed
     * memfd that cannot be opened for writing, and the installed binary is unchanged.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jrunc", "runc"})
    void theRuntimeHelperIsNeitherReachableNorWritableFromAContainer(String which, TestBed bed) throws Exception {
        Runtime rt = which.equals("jrunc") ? bed.jrunc() : bed.runc();
        String before = rt.isJrunc() ? sha256(jshimInit()) : sha256(rt.binary());
        BusyboxBundle a = bed.bundle("a").args("sleep", "30").build();
        String idA = bed.id("victim-" + which);
        Result created = rt.run("create", "--bundle", a.dir().toString(), idA);
        assertEquals(0, created.exitCode(), created::describe);
        JsonNode state = rt.state(idA);
        assertNotNull(state, "state of the created container");
        long pid = state.path("pid").asLong();

        // from the host: the helper runs from a memfd, not from the installed file
        Path exe = Path.of("/proc/" + pid + "/exe");
        String target = Files.readSymbolicLink(exe).toString();
        assertFalse(target.equals(rt.binary().toRealPath().toString()) || target.contains("/libexec/"),
                () -> "the created container's init runs the installed binary " + target);
        if (rt.isJrunc()) {
            assertTrue(target.startsWith("/memfd:jshim-init"), target); // runc 1.1.5's shows "/"
        }
        IOException denied = assertThrows(IOException.class,
                () -> Files.newOutputStream(exe, StandardOpenOption.APPEND).close(), "opened " + target + " for writing");
        assertTrue(denied.getMessage().contains("busy") || denied.getMessage().contains("not permitted"),
                denied::toString);

        // from another container in the same pid namespace
        String script = "readlink /proc/1/exe || echo 'readlink /proc/1/exe failed'\n"
                // a failed `exec 5<...` would end the shell (a special built-in's redirection)
                + "if cat /proc/1/exe > /dev/null 2>&1; then exec 5</proc/1/exe; echo 'opened /proc/1/exe';"
                + " else echo 'open /proc/1/exe failed'; fi\n"
                + "echo ready\n"
                + "i=0; while [ \"$(readlink /proc/1/exe)\" != /bin/busybox ] && [ $i -lt 300 ]; do sleep 0.1;"
                + " i=$((i+1)); done\n"
                + "echo \"after start: $(readlink /proc/1/exe)\"\n"
                + "[ -e /proc/self/fd/5 ] && { echo pwned >> /proc/self/fd/5 && echo 'wrote through a kept fd'; }\n"
                + "echo done\n";
        BusyboxBundle bBundle = bed.bundle("b").args("sh", "-c", script).edit(c -> {
            ArrayNode ns = c.withObjectProperty("linux").withArrayProperty("namespaces");
            for (JsonNode n : ns) {
                if ("pid".equals(n.path("type").asText())) {
                    ((ObjectNode) n).put("path", "/proc/" + pid + "/ns/pid");
                }
            }
        }).build();
        Runtime.Started sidecar = rt.start("run", "--bundle", bBundle.dir().toString(), bed.id("sidecar-" + which));
        SecurityIT.await(() -> sidecar.stdoutSoFar().contains("ready\n") || !sidecar.isAlive(), Duration.ofSeconds(30),
                "the sidecar to look at /proc/1/exe");
        Result started = rt.run("start", idA);
        assertEquals(0, started.exitCode(), started::describe);
        Result r = sidecar.await(Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdout().endsWith("ready\nafter start: /bin/busybox\ndone\n"), r::describe);
        assertFalse(r.stdout().contains("wrote through a kept fd"), r::describe);
        if (rt.isJrunc()) {
            // stricter than runc 1.1.5, whose init can be opened (not written): jshim-init is not
            // dumpable, so there is nothing to open or keep
            assertEquals("readlink /proc/1/exe failed\nopen /proc/1/exe failed\n",
                    r.stdout().substring(0, r.stdout().indexOf("ready\n")), r::describe);
        }
        assertEquals(before, rt.isJrunc() ? sha256(jshimInit()) : sha256(rt.binary()), "the runtime binary changed");
        // and the running container's exe is its own program (the path within its own root)
        assertEquals("/bin/busybox", Files.readSymbolicLink(exe).toString());
    }

    /**
     * The other road to the helper: an entry point whose interpreter is {@code /proc/self/exe},
     * i.e. whatever the helper runs from. Under both runtimes the execve fails (the helper runs
     * from an unlinked copy), nothing runs, and the installed binary is untouched.
     */
    @Test
    void anEntryPointRunningProcSelfExeRunsNothing(TestBed bed) throws Exception {
        String before = sha256(jshimInit());
        BusyboxBundle b = bed.bundle("b").args("/evil").build();
        Files.writeString(b.rootfs().resolve("evil"), "#!/proc/self/exe\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(b.rootfs().resolve("evil"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            Result r = rt.run("run", "--bundle", b.dir().toString(), bed.id("evil-" + rt.name()));
            assertTrue(r.exitCode() != 0, r::describe);
            assertEquals("", r.stdout(), r::describe);
            assertTrue(r.stderr().contains("exec /evil: no such file or directory"), r::describe);
        }
        assertEquals(before, sha256(jshimInit()));
    }
}
