package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jshim.it.support.BusyboxBundle;
import io.jshim.it.support.Result;
import io.jshim.it.support.Runtime;
import io.jshim.it.support.TestBed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code exec} side by side with runc on the same bundle: a process joins every namespace and the
 * cgroup of a running container, gets the flags' user, cwd, env, capabilities and no_new_privs (or
 * a whole process.json), sees no host fd but stdio and {@code --preserve-fds}, and jrunc exits
 * with its status (128+N when killed by signal N), or with 255 and {@code exec failed: ...} when
 * jrunc itself fails, as runc does.
 */
class ExecIT {
    private static final Duration SETTLE = Duration.ofSeconds(10);

    /** A running {@code sleep} container per runtime: runtime -> id. */
    private static Map<Runtime, String> running(TestBed bed, BusyboxBundle b) {
        Map<Runtime, String> out = new LinkedHashMap<>();
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            String id = bed.id("x-" + rt.name());
            Result r = rt.run("run", "-d", "--bundle", b.dir().toString(), id);
            assertEquals(0, r.exitCode(), r::describe);
            out.put(rt, id);
        }
        return out;
    }

    private static BusyboxBundle sleeper(TestBed bed) {
        return bed.bundle("b").args("sleep", "60").hostname("execbox").build();
    }

    private static Result exec(Runtime rt, String... args) {
        List<String> a = new ArrayList<>(List.of("exec"));
        a.addAll(List.of(args));
        return rt.run(Runtime.TIMEOUT, a);
    }

    /** What a command run through exec does, for comparing runtimes. */
    private static String outcome(Result r) {
        return "exit " + r.exitCode() + "\nstdout: " + r.stdout() + "\nmessage: "
                + r.errorMessage().replaceFirst("^j?runc ", "");
    }

    private static void sameOutcome(Map<Runtime, String> c, String what, String... args) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (Map.Entry<Runtime, String> e : c.entrySet()) {
            List<String> a = new ArrayList<>();
            for (String s : args) {
                a.add(s.equals("ID") ? e.getValue() : s);
            }
            seen.put(e.getKey().name(), outcome(exec(e.getKey(), a.toArray(String[]::new))));
        }
        assertEquals(seen.get("runc"), seen.get("jrunc"), what);
    }

    @Test
    void exitStatusOutputAndErrorsAreRuncs(TestBed bed) {
        Map<Runtime, String> c = running(bed, sleeper(bed));
        for (Map.Entry<Runtime, String> e : c.entrySet()) {
            Result r = exec(e.getKey(), e.getValue(), "sh", "-c", "echo out; echo err >&2; exit 7");
            assertEquals(7, r.exitCode(), r::describe);
            assertEquals("out\n", r.stdout(), r::describe);
            assertEquals("err\n", r.stderr(), r::describe);
            Result killed = exec(e.getKey(), e.getValue(), "sh", "-c", "kill -9 $$");
            assertEquals(137, killed.exitCode(), killed::describe);
        }
        sameOutcome(c, "a missing program", "ID", "/nonexistent");
        sameOutcome(c, "no command", "ID");
        sameOutcome(c, "an unknown container", "no-such-container", "true");
        Result r = exec(bed.jrunc(), c.get(bed.jrunc()), "/nonexistent");
        assertEquals(255, r.exitCode(), r::describe);
        assertEquals("exec failed: unable to start container process: exec: \"/nonexistent\": stat /nonexistent: "
                + "no such file or directory", r.errorMessage());
        assertEquals(255, exec(bed.jrunc(), "no-such-container", "true").exitCode());

        // security modules that are not enabled here are clear errors, in both runtimes
        for (Map.Entry<Runtime, String> e : c.entrySet()) {
            assertEquals(255, exec(e.getKey(), "--apparmor", "unconfined-x", e.getValue(), "true").exitCode());
            assertEquals(255, exec(e.getKey(), "--process-label", "system_u:x", e.getValue(), "true").exitCode());
        }
        Result a = exec(bed.jrunc(), "--apparmor", "unconfined-x", c.get(bed.jrunc()), "true");
        assertTrue(a.errorMessage().startsWith("exec failed: ") && a.errorMessage().contains("AppArmor is not "
                + "enabled"), a::describe);
        Result s = exec(bed.jrunc(), "--process-label", "system_u:x", c.get(bed.jrunc()), "true");
        assertTrue(s.errorMessage().contains("SELinux is not enabled"), s::describe);
    }

    @Test
    void theProcessJoinsEveryNamespaceAndTheCgroup(TestBed bed) throws Exception {
        Map<Runtime, String> c = running(bed, sleeper(bed));
        sameOutcome(c, "the container's hostname and pid namespace", "ID", "sh", "-c",
                "hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; echo parent $PPID");
        Runtime rt = bed.jrunc();
        String id = c.get(rt);
        Path pidFile = bed.path("exec.pid");
        Result r = exec(rt, "-d", "--pid-file", pidFile.toString(), id, "sleep", "30");
        assertEquals(0, r.exitCode(), r::describe);
        String pid = Files.readString(pidFile);
        assertTrue(pid.matches("\\d+"), "runc's pid file: digits, no newline: " + pid);
        int init = rt.state(id).path("pid").asInt();
        for (String ns : List.of("pid", "net", "mnt", "uts", "ipc", "cgroup", "user")) {
            assertEquals(Files.readSymbolicLink(Path.of("/proc/" + init + "/ns/" + ns)),
                    Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + ns)), ns + " namespace");
        }
        assertEquals(Files.readString(Path.of("/proc/" + init + "/cgroup")),
                Files.readString(Path.of("/proc/" + pid + "/cgroup")), "the container's cgroups");
        assertEquals(Files.readSymbolicLink(Path.of("/proc/" + init + "/root")),
                Files.readSymbolicLink(Path.of("/proc/" + pid + "/root")), "the container's root");

        // signals sent to a foreground exec are forwarded to the process, as runc does
        for (Map.Entry<Runtime, String> e : c.entrySet()) {
            Path fgPid = bed.path("fg-" + e.getKey().name() + ".pid");
            Runtime.Started fg = e.getKey().start("exec", "--pid-file", fgPid.toString(), e.getValue(), "sleep",
                    "50");
            long deadline = System.nanoTime() + SETTLE.toNanos();
            while (!Files.exists(fgPid) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(300); // the signal handlers go in right after the pid file
            new ProcessBuilder("kill", "-TERM", Long.toString(fg.pid())).start().waitFor();
            Result killed = fg.await(Duration.ofSeconds(20));
            assertEquals(143, killed.exitCode(), e.getKey().name() + ": SIGTERM forwarded, 128+15\n"
                    + killed.describe());
        }
    }

    @Test
    void flagsAndProcessJsonMatchRunc(TestBed bed) throws IOException {
        BusyboxBundle b = bed.bundle("b").args("sleep", "60")
                .edit(cfg -> cfg.withObjectProperty("process").put("noNewPrivileges", false)).build();
        Map<Runtime, String> c = running(bed, b);
        sameOutcome(c, "--user, --additional-gids, --cwd, --env", "-u", "1000:1000", "-g", "5", "-g", "6",
                "--cwd", "/tmp", "-e", "FOO=bar", "ID", "sh", "-c", "id; pwd; echo $FOO; echo $PATH");
        sameOutcome(c, "--cap", "--cap", "CAP_SYS_ADMIN", "ID", "sh", "-c", "grep ^Cap /proc/self/status");
        sameOutcome(c, "no_new_privs from the container", "ID", "grep", "^NoNewPrivs", "/proc/self/status");
        sameOutcome(c, "--no-new-privs", "--no-new-privs", "ID", "grep", "^NoNewPrivs", "/proc/self/status");
        Path p = bed.path("process.json");
        Files.writeString(p, """
                {"terminal": false, "user": {"uid": 42, "gid": 43, "additionalGids": [7]},
                 "args": ["sh", "-c", "id; pwd; echo $X; grep ^CapEff /proc/self/status"],
                 "env": ["X=from-process-json", "PATH=/bin"], "cwd": "/proc",
                 "capabilities": {"bounding": ["CAP_CHOWN"], "effective": ["CAP_CHOWN"],
                                  "permitted": ["CAP_CHOWN"]}}
                """);
        sameOutcome(c, "--process", "-p", p.toString(), "ID");
    }

    @Test
    void onlyStdioAndPreservedFdsReachTheProcess(TestBed bed) throws Exception {
        Map<Runtime, String> c = running(bed, sleeper(bed));
        sameOutcome(c, "the fds a process starts with", "ID", "ls", "/proc/self/fd");
        Path secret = Files.writeString(bed.path("secret"), "passed on\n");
        Map<String, String> seen = new LinkedHashMap<>();
        for (Map.Entry<Runtime, String> e : c.entrySet()) {
            String cmd = e.getKey().binary() + " --root " + e.getKey().root() + " exec %s " + e.getValue()
                    + " sh -c 'cat <&3'";
            String leaked = shell("exec 3<" + secret + "; " + cmd.formatted(""));
            String preserved = shell("exec 3<" + secret + "; " + cmd.formatted("--preserve-fds 1"));
            seen.put(e.getKey().name(), leaked + " | " + preserved);
            assertTrue(preserved.startsWith("exit 0: passed on"), e.getKey().name() + ": " + preserved);
            assertTrue(!leaked.startsWith("exit 0"), e.getKey().name() + ": fd 3 leaked without --preserve-fds: "
                    + leaked);
        }
        assertEquals(seen.get("runc"), seen.get("jrunc"));
    }

    /** Runs a shell line as root; returns "exit N: <stdout>". */
    private static String shell(String line) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", line).redirectErrorStream(false)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), line);
        return "exit " + p.exitValue() + ": " + out.strip();
    }

    @Test
    void stoppedAndPausedContainersRefuseExec(TestBed bed) {
        BusyboxBundle quick = bed.bundle("q").args("true").build();
        BusyboxBundle slow = sleeper(bed);
        Map<String, String> seen = new LinkedHashMap<>();
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            String stopped = bed.id("stopped-" + rt.name());
            assertEquals(0, rt.run("run", "-d", "--bundle", quick.dir().toString(), stopped).exitCode());
            assertEquals("stopped", rt.awaitStatus(stopped, "stopped", SETTLE));
            Result s = exec(rt, stopped, "true");
            assertEquals(255, s.exitCode(), s::describe);
            String paused = bed.id("paused-" + rt.name());
            assertEquals(0, rt.run("run", "-d", "--bundle", slow.dir().toString(), paused).exitCode());
            Result pause = rt.run("pause", paused);
            assumeTrue(pause.exitCode() == 0, "pause works: " + pause.describe());
            Result p = exec(rt, paused, "true");
            assertEquals(255, p.exitCode(), p::describe);
            assertEquals(0, rt.run("resume", paused).exitCode());
            seen.put(rt.name(), s.errorMessage() + "\n" + p.errorMessage());
        }
        assertEquals("exec failed: cannot exec in a stopped container\n"
                + "exec failed: cannot exec in a paused container (use --ignore-paused to override)",
                seen.get("jrunc"));
        assertEquals(seen.get("runc"), seen.get("jrunc"));
    }
}
