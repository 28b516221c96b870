package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.it.support.BusyboxBundle;
import io.jshim.it.support.Result;
import io.jshim.it.support.Runtime;
import io.jshim.it.support.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * User and time namespaces, sysctls and the process attributes personality, scheduler and I/O
 * priority, through real containers. Where Debian's runc 1.1.5 supports a feature (user
 * namespaces, sysctl) the same bundle runs through both and the outputs must be equal; time
 * namespaces, personality, scheduler and ioPriority came with runc 1.2, so those checks are
 * jrunc's alone (skipped when the suite drives runc).
 */
class NamespacesIT {
    private static final long HOST_ID = 100000;
    private static final long SIZE = 65536;

    /** Adds a new user namespace mapping 0..65535 to 100000..165535 for uids and gids. */
    private static Consumer<ObjectNode> userNamespace() {
        return c -> {
            ObjectNode linux = c.withObjectProperty("linux");
            linux.withArrayProperty("namespaces").addObject().put("type", "user");
            for (String f : List.of("uidMappings", "gidMappings")) {
                linux.withArrayProperty(f).addObject().put("containerID", 0).put("hostID", HOST_ID).put("size", SIZE);
            }
        };
    }

    /** The container's mapped root must be able to reach the rootfs (test dirs are 0755; make sure). */
    private static void traversable(Path dir) throws IOException {
        for (Path p = dir; p != null && p.startsWith("/tmp/") && !p.equals(Path.of("/tmp")); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static Path ownedDir(TestBed bed, String name, long uid) throws IOException {
        Path d = Files.createDirectories(bed.path(name));
        Files.setAttribute(d, "unix:uid", (int) uid);
        Files.setAttribute(d, "unix:gid", (int) uid);
        return d;
    }

    /** CAP_CHOWN (not in runc's default set), so that only the id map decides what chown may do. */
    private static void withChown(ObjectNode c) {
        ObjectNode caps = c.withObjectProperty("process").withObjectProperty("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            caps.withArrayProperty(set).add("CAP_CHOWN");
        }
    }

    private static int owner(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static String both(Result j, Result r) {
        return "--- jrunc:\n" + j.describe() + "\n--- runc:\n" + r.describe();
    }

    @Test
    void userNamespaceMapsIdsAsRuncDoes(TestBed bed) throws IOException {
        traversable(bed.dir());
        String script = "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g;"
                + " touch /mnt/by-root && echo touched;"
                + " touch /mnt/by-1000 && chown 1000:1000 /mnt/by-1000; echo chown-mapped=$?;"
                + " chown 70000 /mnt/by-root; echo chown-unmapped=$?;"
                // no mknod in a user namespace: the default devices are bind mounts of the host's nodes
                + " stat -c '%t:%T %F' /dev/null; echo x > /dev/null && echo null-ok;"
                + " grep -c ' /dev/null ' /proc/self/mountinfo";
        Result[] results = new Result[2];
        Path[] hostDirs = new Path[2];
        List<Runtime> rts = List.of(bed.jrunc(), bed.runc());
        for (int i = 0; i < 2; i++) {
            hostDirs[i] = ownedDir(bed, "host-" + rts.get(i).name(), HOST_ID);
            BusyboxBundle b = bed.bundle("b-" + rts.get(i).name()).args("sh", "-c", script)
                    .mount("/mnt", "bind", hostDirs[i].toString(), "rbind", "rw").edit(userNamespace())
                    .edit(NamespacesIT::withChown).build();
            // the rootfs belongs to the host's root, whom the namespace does not map: the mount
            // point must exist already (runc and jrunc alike fail to mkdir it otherwise)
            Files.createDirectories(b.rootfs().resolve("mnt"));
            results[i] = rts.get(i).run("run", "--bundle", b.dir().toString(), bed.id("userns-" + rts.get(i).name()));
        }
        Result j = results[0];
        Result r = results[1];
        assertEquals(0, r.exitCode(), () -> both(j, r));
        assertEquals(0, j.exitCode(), () -> both(j, r));
        assertEquals(r.stdout(), j.stdout(), () -> both(j, r));
        assertEquals(r.stderr(), j.stderr(), () -> both(j, r));
        String map = String.format("%10d %10d %10d%n", 0, HOST_ID, SIZE);
        assertEquals(map + map + "0\n0\ntouched\nchown-mapped=0\nchown-unmapped=1\n"
                + "1:3 character special file\nnull-ok\n1\n", j.stdout(), () -> both(j, r));
        // chown to an id the namespace does not map: EINVAL, even with CAP_CHOWN, as under runc
        assertEquals("chown: /mnt/by-root: Invalid argument\n", j.stderr(), () -> both(j, r));
        for (Path d : hostDirs) {
            assertEquals((int) HOST_ID, owner(d.resolve("by-root")), d + ": root inside is " + HOST_ID + " outside");
            assertEquals((int) HOST_ID + 1000, owner(d.resolve("by-1000")), d + ": uid 1000 inside");
        }
    }

    @Test
    void joiningAUserNamespaceByPath(TestBed bed) throws IOException {
        traversable(bed.dir());
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            BusyboxBundle a = bed.bundle("a-" + rt.name()).args("sleep", "30").edit(userNamespace()).build();
            String ida = bed.id("owner-" + rt.name());
            Result c = rt.run("create", "--bundle", a.dir().toString(), ida);
            assertEquals(0, c.exitCode(), c::describe);
            // the exec FIFO belongs to the container's root, who reopens it (runc chowns it too)
            Path fifo = rt.root().resolve(ida).resolve("exec.fifo");
            assertEquals((int) HOST_ID, owner(fifo), rt.name() + ": owner of " + fifo);
            Result s = rt.run("start", ida);
            assertEquals(0, s.exitCode(), s::describe);
            JsonNode st = rt.state(ida);
            assertNotNull(st, rt.name() + " state " + ida);
            long pid = st.path("pid").asLong();
            // runc 1.1.5 wants the (same) maps restated when joining; jrunc compares them with the namespace's
            BusyboxBundle b = bed.bundle("b-" + rt.name()).args("sh", "-c", "cat /proc/self/uid_map; id -u")
                    .edit(userNamespace()).edit(cfg -> {
                        ArrayNode ns = cfg.withObjectProperty("linux").withArrayProperty("namespaces");
                        for (JsonNode n : ns) {
                            if (n.path("type").asText().equals("user")) {
                                ((ObjectNode) n).put("path", "/proc/" + pid + "/ns/user");
                            }
                        }
                    }).build();
            Result j = rt.run("run", "--bundle", b.dir().toString(), bed.id("joiner-" + rt.name()));
            assertEquals(0, j.exitCode(), j::describe);
            assertEquals(String.format("%10d %10d %10d%n", 0, HOST_ID, SIZE) + "0\n", j.stdout(), j::describe);
        }
    }

    @Test
    void idMappingsWithoutAUserNamespaceFailCleanly(TestBed bed) {
        // runc 1.1.5 silently ignores such maps (its validator only sees maps it kept); runc 1.2 and
        // jrunc refuse them, since the container would run unmapped, as host root
        assumeTrue(bed.jrunc().isJrunc(), "runc 1.1.5 ignores the maps");
        BusyboxBundle b = bed.bundle("b").args("true").edit(c -> c.withObjectProperty("linux")
                .withArrayProperty("uidMappings").addObject().put("containerID", 0).put("hostID", HOST_ID)
                .put("size", SIZE)).build();
        Result r = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id("maps"));
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals(1, r.stderrLines().size(), r::describe);
        assertEquals("linux.uidMappings/gidMappings: id mappings without a user namespace (add {\"type\": "
                + "\"user\"} to linux.namespaces)", r.errorMessageWithoutPrefix(), r::describe);
        bed.assertNothingLeft("id mappings without a user namespace");
    }

    @Test
    void sysctlsOfTheContainersNamespacesAsRuncSetsThem(TestBed bed) throws IOException {
        Path hostForward = Path.of("/proc/sys/net/ipv4/ip_forward");
        Path hostShmmni = Path.of("/proc/sys/kernel/shmmni");
        String forward = Files.readString(hostForward);
        String shmmni = Files.readString(hostShmmni);
        String wanted = forward.strip().equals("1") ? "0" : "1"; // the opposite of the host's
        BusyboxBundle b = bed.bundle("b").args("sh", "-c",
                "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/sys/kernel/domainname")
                .edit(c -> c.withObjectProperty("linux").withObjectProperty("sysctl")
                        .put("net.ipv4.ip_forward", wanted).put("kernel/shmmni", "1234")
                        .put("kernel.domainname", "jshim.test"))
                .build();
        Result j = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id("sysctl-jrunc"));
        Result r = bed.runc().run("run", "--bundle", b.dir().toString(), bed.id("sysctl-runc"));
        assertEquals(0, r.exitCode(), () -> both(j, r));
        assertEquals(0, j.exitCode(), () -> both(j, r));
        assertEquals(wanted + "\n1234\njshim.test\n", j.stdout(), () -> both(j, r));
        assertEquals(r.stdout(), j.stdout(), () -> both(j, r));
        assertEquals(forward, Files.readString(hostForward), "the host's ip_forward changed");
        assertEquals(shmmni, Files.readString(hostShmmni), "the host's shmmni changed");
    }

    @Test
    void aSysctlOutsideTheContainersNamespacesFailsCleanly(TestBed bed) throws IOException {
        String pidMax = Files.readString(Path.of("/proc/sys/kernel/pid_max"));
        BusyboxBundle b = bed.bundle("b").args("true").edit(c -> c.withObjectProperty("linux")
                .withObjectProperty("sysctl").put("kernel.pid_max", "99999")).build();
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            Result r = rt.run("run", "--bundle", b.dir().toString(), bed.id("pidmax-" + rt.name()));
            assertEquals(1, r.exitCode(), r::describe);
            bed.assertNothingLeft(rt.name() + ": a non-namespaced sysctl");
            if (rt.isJrunc()) {
                assertEquals(1, r.stderrLines().size(), r::describe);
                assertEquals("linux.sysctl: \"kernel.pid_max\" is not namespaced: jrunc only sets sysctls of "
                        + "namespaces the container owns", r.errorMessageWithoutPrefix(), r::describe);
            } else {
                assertTrue(r.errorMessage().contains("kernel.pid_max"), r::describe);
            }
        }
        assertEquals(pidMax, Files.readString(Path.of("/proc/sys/kernel/pid_max")));
    }

    @Test
    void timeNamespaceOffsetsShowInsideOnly(TestBed bed) throws IOException {
        assumeTrue(bed.jrunc().isJrunc(), "runc 1.1.5 has no time namespaces");
        long offset = 365L * 86400;
        BusyboxBundle b = bed.bundle("b").args("sh", "-c", "cat /proc/uptime /proc/self/timens_offsets")
                .edit(c -> {
                    ObjectNode linux = c.withObjectProperty("linux");
                    linux.withArrayProperty("namespaces").addObject().put("type", "time");
                    linux.withObjectProperty("timeOffsets").withObjectProperty("boottime").put("secs", offset);
                    linux.withObjectProperty("timeOffsets").withObjectProperty("monotonic").put("secs", 1000)
                            .put("nanosecs", 5);
                }).build();
        double before = uptime(Files.readString(Path.of("/proc/uptime")));
        Result r = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id("timens"));
        double after = uptime(Files.readString(Path.of("/proc/uptime")));
        assertEquals(0, r.exitCode(), r::describe);
        List<String> lines = r.stdout().lines().toList();
        double inside = uptime(lines.getFirst());
        assertTrue(inside >= before + offset && inside <= after + offset + 1, () -> "uptime inside " + inside
                + ", host " + before + ".." + after + ", boottime offset " + offset + ":\n" + r.describe());
        assertEquals(List.of("monotonic", "1000", "5"), List.of(lines.get(1).trim().split("\\s+")), r::describe);
        assertEquals(List.of("boottime", Long.toString(offset), "0"), List.of(lines.get(2).trim().split("\\s+")),
                r::describe);
        assertTrue(Math.abs(uptime(Files.readString(Path.of("/proc/uptime"))) - after) < 60, "host uptime jumped");
    }

    @Test
    void joiningATimeNamespaceByPath(TestBed bed) {
        assumeTrue(bed.jrunc().isJrunc(), "runc 1.1.5 has no time namespaces");
        Runtime jrunc = bed.jrunc();
        BusyboxBundle a = bed.bundle("a").args("sleep", "30").edit(c -> {
            ObjectNode linux = c.withObjectProperty("linux");
            linux.withArrayProperty("namespaces").addObject().put("type", "time");
            linux.withObjectProperty("timeOffsets").withObjectProperty("boottime").put("secs", 7200);
        }).build();
        String ida = bed.id("timens-owner");
        Result d = jrunc.run("run", "-d", "--bundle", a.dir().toString(), ida);
        assertEquals(0, d.exitCode(), d::describe);
        long pid = jrunc.state(ida).path("pid").asLong();
        BusyboxBundle b = bed.bundle("b").args("cat", "/proc/self/timens_offsets").edit(c -> c
                .withObjectProperty("linux").withArrayProperty("namespaces").addObject().put("type", "time")
                .put("path", "/proc/" + pid + "/ns/time")).build();
        Result r = jrunc.run("run", "--bundle", b.dir().toString(), bed.id("timens-joiner"));
        assertEquals(0, r.exitCode(), r::describe);
        List<String> lines = r.stdout().lines().toList();
        assertEquals(List.of("boottime", "7200", "0"), List.of(lines.get(1).trim().split("\\s+")), r::describe);
    }

    @Test
    void execJoinsAUserAndATimeNamespace(TestBed bed) throws IOException {
        assumeTrue(bed.jrunc().isJrunc(), "runc 1.1.5 has no time namespaces");
        traversable(bed.dir());
        Runtime jrunc = bed.jrunc();
        BusyboxBundle a = bed.bundle("a").args("sleep", "30").edit(userNamespace()).edit(c -> {
            ObjectNode linux = c.withObjectProperty("linux");
            linux.withArrayProperty("namespaces").addObject().put("type", "time");
            linux.withObjectProperty("timeOffsets").withObjectProperty("boottime").put("secs", 7200);
        }).build();
        String id = bed.id("userns-timens");
        Result d = jrunc.run("run", "-d", "--bundle", a.dir().toString(), id);
        assertEquals(0, d.exitCode(), d::describe);
        Result e = jrunc.run("exec", id, "sh", "-c", "id -u; cat /proc/self/uid_map /proc/self/timens_offsets");
        assertEquals(0, e.exitCode(), e::describe);
        List<String> lines = e.stdout().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
        assertEquals(List.of("0", "0 " + HOST_ID + " " + SIZE, "monotonic 0 0", "boottime 7200 0"), lines,
                e::describe);
    }

    private static double uptime(String procUptime) {
        return Double.parseDouble(procUptime.trim().split("\\s+")[0]);
    }

    @Test
    void personalitySchedulerAndIoPriorityApplyInside(TestBed bed) {
        assumeTrue(bed.jrunc().isJrunc(), "runc 1.1.5 has no personality, scheduler or ioPriority");
        BusyboxBundle b = bed.bundle("b").args("sh", "-c", "uname -m;"
                + " grep -E '^(policy|prio) ' /proc/self/sched | tr -s ' ';"
                + " cut -d ' ' -f 19 /proc/self/stat; ionice")
                .edit(c -> {
                    c.withObjectProperty("linux").withObjectProperty("personality").put("domain", "LINUX32");
                    c.withObjectProperty("process").withObjectProperty("scheduler").put("policy", "SCHED_BATCH")
                            .put("nice", 7);
                    c.withObjectProperty("process").withObjectProperty("ioPriority").put("class", "IOPRIO_CLASS_BE")
                            .put("priority", 6);
                }).build();
        Result r = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id("attrs"));
        assertEquals(0, r.exitCode(), r::describe);
        // i686: the LINUX32 domain on x86_64 (uname(2) reports the 32-bit machine); policy 3 is
        // SCHED_BATCH; prio is 120 + nice; the nice field of /proc/PID/stat; ionice(1)'s line
        assertEquals("i686\npolicy : 3\nprio : 127\n7\nbest-effort: prio 6\n", r.stdout(), r::describe);
    }

    @Test
    void badProcessAttributesFailCleanly(TestBed bed) {
        assumeTrue(bed.jrunc().isJrunc(), "jrunc's messages");
        BusyboxBundle b = bed.bundle("b").args("true").edit(c -> c.withObjectProperty("process")
                .withObjectProperty("scheduler").put("policy", "SCHED_FAST")).build();
        Result r = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id("badsched"));
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals(1, r.stderrLines().size(), r::describe);
        assertEquals("process.scheduler.policy: unknown policy \"SCHED_FAST\" (SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, "
                + "SCHED_FIFO, SCHED_RR or SCHED_DEADLINE)", r.errorMessageWithoutPrefix(), r::describe);
        bed.assertNothingLeft("a bad scheduler policy");
    }

    @Test
    void aRealTimePolicyTheKernelRefusesFailsAfterCloneAndCleansUp(TestBed bed) {
        assumeTrue(bed.jrunc().isJrunc(), "runc 1.1.5 has no scheduler");
        // With CONFIG_RT_GROUP_SCHED a new cpu cgroup has no real-time budget (cpu.rt_runtime_us 0), so
        // sched_setattr(SCHED_FIFO) fails with EPERM inside the container's init.
        assumeTrue(Files.exists(Path.of("/sys/fs/cgroup/cpu/cpu.rt_runtime_us")), "no RT group scheduling");
        BusyboxBundle b = bed.bundle("b").args("true").edit(c -> c.withObjectProperty("process")
                .withObjectProperty("scheduler").put("policy", "SCHED_FIFO").put("priority", 10)).build();
        Result r = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id("fifo"));
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals(1, r.stderrLines().size(), r::describe);
        assertTrue(r.errorMessage().contains("sched_setattr (policy SCHED_FIFO, nice 0, priority 10")
                && r.errorMessage().contains("operation not permitted")
                && r.errorMessage().contains("linux.resources.cpu.realtimeRuntime"), r::describe);
        bed.assertNothingLeft("a refused real-time policy");
    }
}
