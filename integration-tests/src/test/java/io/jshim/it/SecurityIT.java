package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.it.support.BusyboxBundle;
import io.jshim.it.support.Json;
import io.jshim.it.support.Result;
import io.jshim.it.support.Runtime;
import io.jshim.it.support.TestBed;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The security settings of config.json (issue 3, "Security"), each against Debian's runc 1.1.5 on
 * the same bundle: capability sets, no_new_privs, seccomp (actions, errno, argument conditions,
 * flags, SCMP_ACT_NOTIFY with a real agent), oomScoreAdj, masked and read-only paths; what a
 * container with runc's default config (and containerd's default seccomp profile) may not do;
 * and the bad values that must fail create cleanly.
 *
 * <p>Where busybox has no applet for a system call, {@code sysprobe} (src/test/resources, built
 * with {@code gcc -static}) makes it and prints {@code NAME: ok} or {@code NAME: EPERM}.
 */
class SecurityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATUS_LINES =
            "grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp|Seccomp_filters):' /proc/self/status";
    private static volatile Path sysprobe;

    // ----- helpers shared with CveRegressionIT ---------------------------------------------------

    /** The sysprobe binary, built once per JVM from src/test/resources/sysprobe.c. */
    static synchronized Path sysprobe() {
        if (sysprobe == null) {
            try {
                Path dir = Files.createTempDirectory("jshim-sysprobe");
                // deleteOnExit runs last-registered first: the files, then the directory
                dir.toFile().deleteOnExit();
                Path src = dir.resolve("sysprobe.c");
                src.toFile().deleteOnExit();
                try (InputStream in = SecurityIT.class.getResourceAsStream("/sysprobe.c")) {
                    Files.copy(in, src);
                }
                Path bin = dir.resolve("sysprobe");
                bin.toFile().deleteOnExit();
                Process p = new ProcessBuilder("gcc", "-static", "-O2", "-o", bin.toString(), src.toString())
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("gcc -static sysprobe.c failed (install gcc and libc6-dev):\n"
                            + out);
                }
                sysprobe = bin;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return sysprobe;
    }

    /** Builds the bundle and puts {@code /bin/sysprobe} into its rootfs. */
    static BusyboxBundle withProbe(BusyboxBundle.Builder builder) {
        BusyboxBundle b = builder.build();
        try {
            Files.copy(sysprobe(), b.rootfs().resolve("bin/sysprobe"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b;
    }

    /** containerd 1.6's default seccomp profile for runc's default capabilities (resources/seccomp/README.md). */
    static ObjectNode containerdProfile() {
        try (InputStream in = SecurityIT.class.getResourceAsStream("/seccomp/containerd-default-amd64.json")) {
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode process(ObjectNode c) {
        return c.withObjectProperty("process");
    }

    /** Runs the bundle through jrunc, then runc (ids differ: runc names a cgroup after its id). */
    static Map<Runtime, Result> runBoth(TestBed bed, BusyboxBundle b, String name) {
        Map<Runtime, Result> out = new LinkedHashMap<>();
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            out.put(rt, rt.run("run", "--bundle", b.dir().toString(), bed.id(name + "-" + rt.name())));
        }
        return out;
    }

    static String describe(Map<Runtime, Result> results) {
        StringBuilder sb = new StringBuilder();
        results.forEach((rt, r) -> sb.append("--- ").append(rt.name()).append(":\n").append(r.describe()).append('\n'));
        return sb.toString();
    }

    /** Both ran with exit {@code status} and printed the same; returns jrunc's stdout. */
    static String sameOutput(Map<Runtime, Result> rs, int status) {
        List<Result> r = List.copyOf(rs.values());
        for (Result x : r) {
            assertEquals(status, x.exitCode(), () -> describe(rs));
        }
        assertEquals(r.get(1).stdout(), r.get(0).stdout(), () -> "jrunc and runc differ:\n" + describe(rs));
        return r.get(0).stdout();
    }

    private static ObjectNode seccomp(ObjectNode c, String defaultAction) {
        ObjectNode s = c.withObjectProperty("linux").putObject("seccomp");
        s.put("defaultAction", defaultAction);
        s.putArray("syscalls");
        return s;
    }

    private static ObjectNode rule(ObjectNode seccomp, String action, String... names) {
        ObjectNode r = ((ArrayNode) seccomp.get("syscalls")).addObject();
        ArrayNode n = r.putArray("names");
        for (String s : names) {
            n.add(s);
        }
        r.put("action", action);
        return r;
    }

    // ----- runc's default config, with and without containerd's seccomp profile -------------------

    /**
     * The done-when items: the status lines equal runc's, and what runc's default config forbids
     * (mount(2), writing /proc/sys, reading /proc/kcore, loading a module, seeing or signalling or
     * ptracing a host process) fails as it does under runc; with containerd's profile keyctl,
     * add_key and unshare fail too (and without it they work, so the profile is what stops them).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void runcsDefaultConfigConfinesTheContainerAsRuncDoes(boolean containerdSeccomp, TestBed bed) throws IOException {
        long host = ProcessHandle.current().pid();
        String script = STATUS_LINES + "\n"
                + "mount -t tmpfs t /tmp 2>&1; echo \"mount(8) exit $?\"\n"
                + "sysprobe mount\n"
                + "echo 1 2>&1 > /proc/sys/kernel/domainname; echo \"write /proc/sys exit $?\"\n"
                + "if [ -e /proc/kcore ]; then echo \"/proc/kcore: $(stat -c '%F %t:%T' /proc/kcore),"
                + " $(head -c 64 /proc/kcore | wc -c) bytes read\"; else echo '/proc/kcore: absent'; fi\n"
                + "sysprobe init_module\n"
                + "sysprobe keyctl; sysprobe add_key; sysprobe unshare_user; sysprobe unshare_mnt\n"
                + "sysprobe kill0 " + host + "; sysprobe ptrace " + host + "\n"
                + "sysprobe nr 1000; sysprobe nr 400\n"
                + "[ -e /proc/" + host + " ] && echo 'host pid visible' || echo 'host pid hidden'\n"
                + "echo \"pids >= 50: $(ls /proc | grep -E '^[0-9]+$' | awk '$1 >= 50' | wc -l)\"\n";
        BusyboxBundle b = withProbe(bed.bundle("b").args("sh", "-c", script).edit(c -> {
            if (containerdSeccomp) {
                c.withObjectProperty("linux").set("seccomp", containerdProfile());
            }
        }));
        Map<Runtime, Result> rs = runBoth(bed, b, containerdSeccomp ? "cdseccomp" : "default");
        String out = sameOutput(rs, 0);
        String blocked = containerdSeccomp ? "EPERM" : "ok";
        // this machine kind's kernel has neither /proc/kcore nor module support; elsewhere the
        // masked /proc/kcore is /dev/null, and init_module fails for want of CAP_SYS_MODULE (with
        // containerd's profile seccomp says EPERM first)
        String kcore = Files.exists(Path.of("/proc/kcore")) ? "/proc/kcore: character special file 1:3, 0 bytes read"
                : "/proc/kcore: absent";
        String module = containerdSeccomp || Files.exists(Path.of("/proc/modules")) ? "EPERM" : "ENOSYS";
        assertEquals("CapInh:\t0000000000000000\n"
                + "CapPrm:\t0000000020000420\n"
                + "CapEff:\t0000000020000420\n"
                + "CapBnd:\t0000000020000420\n"
                + "CapAmb:\t0000000000000000\n"
                + "NoNewPrivs:\t1\n"
                + "Seccomp:\t" + (containerdSeccomp ? 2 : 0) + "\n"
                + "Seccomp_filters:\t" + (containerdSeccomp ? 1 : 0) + "\n"
                + "mount: permission denied (are you root?)\n"
                + "mount(8) exit 1\n"
                + "mount: EPERM\n"
                + "sh: can't create /proc/sys/kernel/domainname: Read-only file system\n"
                + "write /proc/sys exit 1\n"
                + kcore + "\n"
                + "init_module: " + module + "\n"
                + "keyctl: " + blocked + "\n"
                + "add_key: " + blocked + "\n"
                + "unshare_user: " + blocked + "\n"
                + "unshare_mnt: EPERM\n"
                + "kill0: ESRCH\n"
                + "ptrace: ESRCH\n"
                // 1000: above every syscall the profile names: ENOSYS, from the kernel or from
                // runc's -ENOSYS stub; 400: an unassigned number below them: the profile's EPERM
                + "nr: ENOSYS\n"
                + "nr: " + (containerdSeccomp ? "EPERM" : "ENOSYS") + "\n"
                + "host pid hidden\n"
                + "pids >= 50: 0\n", out, () -> describe(rs));
    }

    /** Every action, an errnoRet, an argument condition: the same effects as under runc. */
    @Test
    void seccompActionsErrnoAndArgumentConditionsWorkAsInRunc(TestBed bed) {
        String script = "sysprobe mkdir /tmp/a\n"
                + "sysprobe kill0 1; kill -CONT 1; echo \"kill -CONT exit $?\"\n"
                + "sysprobe getcpu 2>&1; echo \"getcpu (KILL_PROCESS) exit $?\"\n"
                + "sysprobe syncfs 2>&1; echo \"syncfs (TRAP) exit $?\"\n"
                + "sysprobe sysinfo 2>&1; echo \"sysinfo (KILL) exit $?\"\n"
                + "sysprobe rmdir /tmp/nothing\n"
                + "sync; echo \"sync (LOG) exit $?\"\n"
                + "sysprobe unshare_user\n";
        BusyboxBundle b = withProbe(bed.bundle("b").args("sh", "-c", script).edit(c -> {
            ObjectNode s = seccomp(c, "SCMP_ACT_ALLOW");
            s.putArray("architectures").add("SCMP_ARCH_X86_64").add("SCMP_ARCH_X86");
            rule(s, "SCMP_ACT_ERRNO", "mkdir", "mkdirat").put("errnoRet", 28);
            ObjectNode kill = rule(s, "SCMP_ACT_ERRNO", "kill");
            kill.putArray("args").addObject().put("index", 1).put("value", 0).put("op", "SCMP_CMP_EQ");
            rule(s, "SCMP_ACT_KILL_PROCESS", "getcpu");
            rule(s, "SCMP_ACT_TRAP", "syncfs");
            rule(s, "SCMP_ACT_KILL", "sysinfo");
            rule(s, "SCMP_ACT_TRACE", "rmdir"); // no tracer: ENOSYS (seccomp(2))
            rule(s, "SCMP_ACT_LOG", "sync");
            rule(s, "SCMP_ACT_ERRNO", "unshare", "a_syscall_no_kernel_has_yet"); // unknown: skipped
        }));
        Map<Runtime, Result> rs = runBoth(bed, b, "actions");
        String out = sameOutput(rs, 0);
        assertEquals("mkdir: ENOSPC\n"
                + "kill0: EPERM\n"
                + "kill -CONT exit 0\n"
                + "Bad system call\n" // sh reports the SIGSYS of its child
                + "getcpu (KILL_PROCESS) exit 159\n"
                + "Bad system call\n"
                + "syncfs (TRAP) exit 159\n"
                + "Bad system call\n"
                + "sysinfo (KILL) exit 159\n"
                + "rmdir: ENOSYS\n"
                + "sync (LOG) exit 0\n"
                + "unshare_user: EPERM\n", out, () -> describe(rs));
    }

    /**
     * Filter flags (config-linux.md): runc 1.1.5 refuses any ("seccomp flags are not yet
     * supported by runc"); jrunc passes them to seccomp(2), which refuses flags it does not know,
     * so the container running proves the kernel took them.
     */
    @Test
    void seccompFlagsArePassedToTheKernel(TestBed bed) {
        BusyboxBundle b = withProbe(bed.bundle("b").args("sh", "-c", STATUS_LINES + "; sysprobe mkdir /tmp/a")
                .edit(c -> {
                    ObjectNode s = seccomp(c, "SCMP_ACT_ALLOW");
                    s.putArray("flags").add("SECCOMP_FILTER_FLAG_LOG").add("SECCOMP_FILTER_FLAG_SPEC_ALLOW")
                            .add("SECCOMP_FILTER_FLAG_TSYNC");
                    rule(s, "SCMP_ACT_ERRNO", "mkdir", "mkdirat").put("errnoRet", 28);
                }));
        Result j = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id("flags"));
        assertEquals(0, j.exitCode(), j::describe);
        assertTrue(j.stdout().contains("Seccomp:\t2\n") && j.stdout().endsWith("mkdir: ENOSPC\n"), j::describe);
        Result r = bed.runc().run("run", "--bundle", b.dir().toString(), bed.id("flags-runc"));
        assertEquals(1, r.exitCode(), r::describe);
        assertTrue(r.errorMessage().contains("seccomp flags are not yet supported by runc"), r::describe);
    }

    /**
     * SCMP_ACT_NOTIFY: the listener fd reaches the agent at listenerPath with the container
     * process state (same shape as runc's, status "creating", the metadata, the container's
     * pid), and the agent's answer (ENOSPC) is what the container's mkdir gets.
     */
    @Test
    void notifyHandsTheListenerToTheAgentAsRuncDoes(TestBed bed) throws Exception {
        Path agentScript = bed.path("seccomp_agent.py");
        try (InputStream in = SecurityIT.class.getResourceAsStream("/seccomp_agent.py")) {
            Files.copy(in, agentScript);
        }
        Map<String, JsonNode> reports = new LinkedHashMap<>();
        Map<Runtime, Result> rs = new LinkedHashMap<>();
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            Path sock = bed.path("agent-" + rt.name() + ".sock");
            Path report = bed.path("report-" + rt.name() + ".json");
            BusyboxBundle b = withProbe(bed.bundle("b-" + rt.name()).args("sh", "-c", "sysprobe mkdir /tmp/a")
                    .edit(c -> {
                        ObjectNode s = seccomp(c, "SCMP_ACT_ALLOW");
                        s.put("listenerPath", sock.toString());
                        s.put("listenerMetadata", "jshim-it");
                        rule(s, "SCMP_ACT_NOTIFY", "mkdir", "mkdirat");
                    }));
            Process agent = new ProcessBuilder("python3", agentScript.toString(), sock.toString(), report.toString(),
                    "28").redirectErrorStream(true).start();
            try {
                String ready = new String(agent.getInputStream().readNBytes(6));
                assertEquals("ready\n", ready, "the agent did not start");
                String id = bed.id("notify-" + rt.name());
                Result r = rt.run("run", "--bundle", b.dir().toString(), id);
                rs.put(rt, r);
                assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "the agent did not finish");
                JsonNode rep = Json.parse(Files.readString(report), r.describe());
                reports.put(rt.name(), rep);
                assertEquals(1, rep.path("fds").asInt(), rep::toString);
                assertEquals("jshim-it", rep.path("state").path("metadata").asText(), rep::toString);
                assertEquals("creating", rep.path("state").path("state").path("status").asText(), rep::toString);
                assertEquals(id, rep.path("state").path("state").path("id").asText(), rep::toString);
                assertEquals(b.dir().toString(), rep.path("state").path("state").path("bundle").asText());
                assertTrue(rep.path("state").path("pid").asInt() > 0, rep::toString);
                assertEquals(83, rep.path("notifications").path(0).asInt(), rep::toString); // mkdir on x86_64
            } finally {
                agent.destroyForcibly(); // by its own handle, i.e. by pid
                agent.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertEquals("mkdir: ENOSPC\n", sameOutput(rs, 0), () -> describe(rs));
        assertEquals(Json.skeleton(reports.get("runc")), Json.skeleton(reports.get("jrunc")), reports::toString);
    }

    // ----- capabilities ---------------------------------------------------------------------------

    /**
     * A non-root user keeps what the spec grants through the user switch (PR_SET_KEEPCAPS) and
     * execve (the ambient set), and an ambient capability that is not inheritable is dropped
     * silently, as runc 1.1.5 does.
     */
    @Test
    void capabilitySetsOfANonRootUserMatchRunc(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sh", "-c", STATUS_LINES + "; id -u").edit(c -> {
            ObjectNode p = process(c);
            p.putObject("user").put("uid", 1000).put("gid", 1000);
            ObjectNode caps = p.putObject("capabilities");
            caps.putArray("bounding").add("CAP_NET_BIND_SERVICE").add("CAP_KILL").add("CAP_CHOWN");
            caps.putArray("permitted").add("CAP_NET_BIND_SERVICE").add("CAP_KILL").add("CAP_CHOWN");
            caps.putArray("effective").add("CAP_NET_BIND_SERVICE").add("CAP_CHOWN");
            caps.putArray("inheritable").add("CAP_NET_BIND_SERVICE");
            caps.putArray("ambient").add("CAP_NET_BIND_SERVICE").add("CAP_KILL");
            p.put("noNewPrivileges", false);
        }).build();
        String out = sameOutput(runBoth(bed, b, "caps"), 0);
        assertEquals("CapInh:\t0000000000000400\n"
                + "CapPrm:\t0000000000000400\n"
                + "CapEff:\t0000000000000400\n"
                + "CapBnd:\t0000000000000421\n"
                + "CapAmb:\t0000000000000400\n"
                + "NoNewPrivs:\t0\n"
                + "Seccomp:\t0\n"
                + "Seccomp_filters:\t0\n"
                + "1000\n", out);
    }

    /** Without process.capabilities runc gives the empty set; so does jrunc. */
    @Test
    void noCapabilitiesInTheSpecMeansNoneAsInRunc(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sh", "-c", STATUS_LINES).edit(c -> process(c).remove("capabilities"))
                .build();
        String out = sameOutput(runBoth(bed, b, "nocaps"), 0);
        assertTrue(out.startsWith("CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"
                + "CapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\n"), out);
    }

    // ----- oomScoreAdj ----------------------------------------------------------------------------

    @Test
    void oomScoreAdjIsInheritedByTheProcess(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("cat", "/proc/self/oom_score_adj")
                .edit(c -> process(c).put("oomScoreAdj", 500)).build();
        assertEquals("500\n", sameOutput(runBoth(bed, b, "oom"), 0));
    }

    /**
     * Lowering it needs CAP_SYS_RESOURCE, which this machine kind withholds even from root: both
     * runtimes fail; jrunc says why, and leaves nothing behind.
     */
    @Test
    void loweringOomScoreAdjWithoutCapSysResourceFailsClearly(TestBed bed) throws IOException {
        String own = new String(Files.readAllBytes(Path.of("/proc/self/oom_score_adj"))).strip();
        String status = Files.readString(Path.of("/proc/self/status"));
        long capEff = status.lines().filter(l -> l.startsWith("CapEff:")).map(l -> Long.parseLong(l.substring(7).strip(), 16))
                .findFirst().orElse(0L);
        org.junit.jupiter.api.Assumptions.assumeTrue((capEff & (1L << 24)) == 0,
                "this host grants CAP_SYS_RESOURCE: lowering would work");
        int value = Integer.parseInt(own) - 100;
        BusyboxBundle b = bed.bundle("b").args("true").edit(c -> process(c).put("oomScoreAdj", value)).build();
        Result r = bed.runc().run("run", "--bundle", b.dir().toString(), bed.id("oomlow-runc"));
        assertEquals(1, r.exitCode(), r::describe);
        Result j = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id("oomlow"));
        assertEquals(1, j.exitCode(), j::describe);
        assertEquals(1, j.stderrLines().size(), j::describe);
        assertTrue(j.errorMessage().contains("process.oomScoreAdj " + value) && j.errorMessage().contains(
                "needs CAP_SYS_RESOURCE"), j::describe);
        bed.assertNothingLeft("a create whose oomScoreAdj was refused");
    }

    // ----- masked and read-only paths -------------------------------------------------------------

    @Test
    void maskedAndReadOnlyPathsAreAsInRunc(TestBed bed) {
        String script = "for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do\n"
                + "  [ -e $f ] && echo \"$f: $(stat -c '%F %t:%T' $f) $(wc -c < $f)\"; done\n"
                + "echo \"/sys/firmware: $(ls -A /sys/firmware | wc -l) entries\"\n"
                + "touch /sys/firmware/x 2>&1; mkdir /proc/acpi/x 2>&1\n"
                + "echo 1 2>&1 > /proc/sys/vm/drop_caches\n"
                + "grep -E ' /proc/(bus|fs|irq|sys|sysrq-trigger|acpi|scsi) ' /proc/self/mountinfo"
                + " | awk '{print $5, substr($6, 1, 2)}' | sort\n";
        BusyboxBundle b = bed.bundle("b").args("sh", "-c", script).build();
        String out = sameOutput(runBoth(bed, b, "masked"), 0);
        assertTrue(out.contains("/proc/keys: character special file 1:3 0\n"), out); // /dev/null over a file
        assertTrue(out.contains("/sys/firmware: 0 entries\n"), out); // an empty read-only tmpfs over a directory
        assertTrue(out.contains("touch: /sys/firmware/x: Read-only file system\n"), out);
        assertTrue(out.contains("/proc/sys ro\n") && out.contains("/proc/bus ro\n"), out);
        assertTrue(out.contains("can't create /proc/sys/vm/drop_caches: Read-only file system"), out);
    }

    // ----- bad values -----------------------------------------------------------------------------

    /** Each must fail create with exit 1, one line naming the field and value, and nothing left. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown capability|process.capabilities.bounding: unknown capability \"CAP_BOGUS\"",
        "unknown seccomp action|linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_BOGUS\"",
        "syscall name not a string|linux.seccomp.syscalls[0].names[1]: 42 is not a string",
        "malformed syscall name|linux.seccomp.syscalls[0].names[0]: \"open at\" is not a syscall name",
        "errnoRet on ALLOW|linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_ALLOW takes no errno",
        "notify without listener|linux.seccomp.listenerPath is required when a rule uses SCMP_ACT_NOTIFY",
        "apparmor profile|process.apparmorProfile \"jshim-it\": AppArmor is not enabled on this host",
        "selinux label|process.selinuxLabel \"system_u:system_r:container_t:s0\": SELinux is not enabled on this host",
        "mount label|linux.mountLabel \"system_u:object_r:container_file_t:s0\": SELinux is not enabled on this host",
    })
    void badSecurityValuesFailCreateCleanly(String what, String message, TestBed bed) {
        org.junit.jupiter.api.Assumptions.assumeTrue(bed.jrunc().isJrunc(), "jrunc's messages");
        Consumer<ObjectNode> edit = switch (what) {
            case "unknown capability" -> c -> ((ArrayNode) process(c).withObjectProperty("capabilities")
                    .get("bounding")).add("CAP_BOGUS");
            case "unknown seccomp action" -> c -> rule(seccomp(c, "SCMP_ACT_ALLOW"), "SCMP_ACT_BOGUS", "mkdir");
            case "syscall name not a string" -> c -> ((ArrayNode) rule(seccomp(c, "SCMP_ACT_ALLOW"), "SCMP_ACT_ERRNO",
                    "mkdir").get("names")).add(42);
            case "malformed syscall name" -> c -> rule(seccomp(c, "SCMP_ACT_ALLOW"), "SCMP_ACT_ERRNO", "open at");
            case "errnoRet on ALLOW" -> c -> rule(seccomp(c, "SCMP_ACT_ERRNO"), "SCMP_ACT_ALLOW", "read")
                    .put("errnoRet", 1);
            case "notify without listener" -> c -> rule(seccomp(c, "SCMP_ACT_ALLOW"), "SCMP_ACT_NOTIFY", "mkdir");
            case "apparmor profile" -> c -> process(c).put("apparmorProfile", "jshim-it");
            case "selinux label" -> c -> process(c).put("selinuxLabel", "system_u:system_r:container_t:s0");
            case "mount label" -> c -> c.withObjectProperty("linux").put("mountLabel",
                    "system_u:object_r:container_file_t:s0");
            default -> throw new IllegalArgumentException(what);
        };
        BusyboxBundle b = bed.bundle("b").args("true").edit(edit).build();
        Result r = bed.jrunc().run("create", "--bundle", b.dir().toString(), bed.id("bad"));
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals("", r.stdout(), r::describe);
        assertEquals(1, r.stderrLines().size(), () -> "one line on stderr expected:\n" + r.describe());
        assertTrue(r.errorMessage().contains(message), () -> "expected \"" + message + "\":\n" + r.describe());
        bed.assertNothingLeft("a create refused for " + what);
    }

    /** Bounded waiting used by CveRegressionIT. */
    static void await(java.util.function.BooleanSupplier cond, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
