package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jshim.it.support.BusyboxBundle;
import io.jshim.it.support.Result;
import io.jshim.it.support.Runtime;
import io.jshim.it.support.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What a new user would try with {@code jrunc} and a busybox bundle: is the container really
 * isolated? (hostname, PID namespace, network namespace, memory limit, its own root.)
 */
class IsolationIT {

    @Test
    void runShowsTheHostnameFromConfigJson(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").hostname("jshim-it-box").args("hostname").build();
        Runtime jrunc = bed.jrunc();
        // as a user would: cd into the bundle, then `jrunc run ID`
        Result r = jrunc.runIn(b.dir(), "run", bed.id("hostname"));
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("jshim-it-box\n", r.stdout(), r::describe);
        assertEquals("", r.stderr(), r::describe);
    }

    @Test
    void psInsideSeesOnlyTheContainersProcesses(TestBed bed) {
        // "; true" keeps sh alive as PID 1 while ps runs as its child
        BusyboxBundle b = bed.bundle("b").args("sh", "-c", "ps -o pid,args; true").build();
        Result r = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id("ps"));
        assertEquals(0, r.exitCode(), r::describe);

        Map<Long, String> procs = new TreeMap<>();
        List<String> lines = r.stdout().lines().toList();
        assertFalse(lines.isEmpty(), r::describe);
        assertTrue(lines.getFirst().strip().startsWith("PID"), () -> "ps header expected:\n" + r.describe());
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.strip().split("\\s+", 2);
            procs.put(Long.parseLong(f[0]), f.length > 1 ? f[1] : "");
        }
        assertTrue(procs.containsKey(1L), () -> "no PID 1 in the container:\n" + r.describe());
        assertTrue(procs.get(1L).startsWith("sh -c ps"), () -> "PID 1 is not the container's process:\n" + r.describe());
        // sh and ps, nothing else (runc/jrunc's own helpers must be gone by then)
        assertTrue(procs.size() <= 2, () -> "more processes than sh and ps:\n" + r.describe());
        long self = ProcessHandle.current().pid();
        assertFalse(procs.containsKey(self), () -> "the test JVM's pid " + self + " is visible:\n" + r.describe());
        for (String cmd : procs.values()) {
            assertFalse(cmd.contains("java") || cmd.contains("process_api") || cmd.contains("maven"),
                    () -> "a host process is visible:\n" + r.describe());
        }
    }

    @Test
    void networkNamespaceHasOnlyLoopback(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sh", "-c", "ls /sys/class/net; echo ---; cat /proc/net/dev").build();
        Result r = bed.jrunc().run("run", "-b", b.dir().toString(), bed.id("net"));
        assertEquals(0, r.exitCode(), r::describe);
        String[] parts = r.stdout().split("---\n", 2);
        assertEquals(2, parts.length, r::describe);
        assertEquals("lo", parts[0].strip(), () -> "/sys/class/net inside:\n" + r.describe());
        List<String> devs = new ArrayList<>();
        for (String line : parts[1].lines().toList()) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.contains("|")) {
                devs.add(line.substring(0, colon).strip());
            }
        }
        assertEquals(List.of("lo"), devs, () -> "/proc/net/dev inside:\n" + r.describe());
    }

    @Test
    void memoryLimitFromConfigIsAppliedToTheContainersCgroup(TestBed bed) throws IOException {
        long limit = 64L * 1024 * 1024;
        BusyboxBundle b = bed.bundle("b").memoryLimit(limit).args("sleep", "30").build();
        Runtime jrunc = bed.jrunc();
        String id = bed.id("mem");
        Result run = jrunc.run("run", "-d", "-b", b.dir().toString(), id);
        assertEquals(0, run.exitCode(), run::describe);

        JsonNode state = jrunc.state(id);
        assertNotNull(state, "state of a detached container");
        assertEquals("running", state.path("status").asText(), state::toString);
        long pid = state.path("pid").asLong();
        assertTrue(pid > 0, state::toString);

        // read the limit from the host: the container's own view of /sys/fs/cgroup is read-only
        // and, on cgroup v1, a bind mount of its own cgroup
        String cgroups = Files.readString(Path.of("/proc/" + pid + "/cgroup"));
        Path limitFile = memoryLimitFile(cgroups);
        assertNotNull(limitFile, () -> "no memory cgroup for pid " + pid + ":\n" + cgroups);
        String value = Files.readString(limitFile).strip();
        assertEquals(String.valueOf(limit), value, () -> limitFile + " (cgroups of pid " + pid + ":\n" + cgroups + ")");
        assertTrue(cgroups.contains(id) || !limitFile.toString().equals("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
                () -> "the container runs in the host's root memory cgroup:\n" + cgroups);
    }

    /** memory.limit_in_bytes (v1) or memory.max (v2, unified host) of a /proc/PID/cgroup text. */
    private static Path memoryLimitFile(String procCgroup) {
        String unified = null;
        for (String line : procCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            for (String ctrl : f[1].split(",")) {
                if (ctrl.equals("memory")) {
                    return Path.of("/sys/fs/cgroup/memory" + f[2], "memory.limit_in_bytes");
                }
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                unified = f[2];
            }
        }
        if (unified != null && Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
            return Path.of("/sys/fs/cgroup" + unified, "memory.max");
        }
        return null;
    }

    @Test
    void containerHasItsOwnReadOnlyRoot(TestBed bed) throws IOException {
        BusyboxBundle b = bed.bundle("b").args("sh", "-c",
                "find / -xdev -type f; echo ---;"
                        + " ls -d /usr/lib/jvm 2>/dev/null || echo no-jvm; echo ---;"
                        + " test -e /config.json && echo sees-bundle || echo no-bundle; echo ---;"
                        + " touch /probe 2>/dev/null && echo writable || echo read-only")
                .build();
        Result r = bed.jrunc().run("run", "-b", b.dir().toString(), bed.id("root"));
        assertEquals(0, r.exitCode(), r::describe);
        String[] parts = r.stdout().split("---\n");
        assertEquals(4, parts.length, r::describe);
        assertEquals("/bin/busybox", parts[0].strip(), () -> "regular files in the container's root:\n" + r.describe());
        assertEquals("no-jvm", parts[1].strip(), () -> "a host-only path is visible:\n" + r.describe());
        assertEquals("no-bundle", parts[2].strip(), () -> "the bundle dir (not rootfs) is visible:\n" + r.describe());
        assertEquals("read-only", parts[3].strip(), () -> "root.readonly=true not honoured:\n" + r.describe());
        assertFalse(Files.exists(b.rootfs().resolve("probe")), "the container wrote into the bundle's rootfs");
    }

    @Test
    void detachedContainerRunsUntilDeleted(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sleep", "30").build();
        Runtime jrunc = bed.jrunc();
        String id = bed.id("detached");
        Result run = jrunc.run("run", "-d", "-b", b.dir().toString(), id);
        assertEquals(0, run.exitCode(), run::describe);
        assertTrue(run.millis() < 20_000, run::describe);
        JsonNode st = jrunc.state(id);
        assertNotNull(st);
        long pid = st.path("pid").asLong();
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "init " + pid + " is not alive");
        Result del = jrunc.run("delete", "--force", id);
        assertEquals(0, del.exitCode(), del::describe);
        assertEquals("(none)", jrunc.status(id));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (isLiveProcess(pid) && System.nanoTime() < deadline) {
            sleep(100);
        }
        assertFalse(isLiveProcess(pid), "init " + pid + " survived delete --force");
    }

    private static boolean isLiveProcess(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[0];
            return !state.equals("Z") && !state.equals("X");
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
