package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.it.support.BusyboxBundle;
import io.jshim.it.support.Json;
import io.jshim.it.support.Result;
import io.jshim.it.support.Runtime;
import io.jshim.it.support.TestBed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code jrunc features}: runc's format, within runc's vocabulary, and honest: every hook,
 * namespace and mount option it lists really works in a container. (crun 1.8.1 has no
 * {@code features} command, so runc is the only reference.)
 */
class FeaturesIT {
    private static final List<String> SPEC_HOOKS = List.of("prestart", "createRuntime", "createContainer",
            "startContainer", "poststart", "poststop");
    /** config-linux.md namespace type → the name under /proc/PID/ns. */
    private static final Map<String, String> PROC_NS = Map.of("pid", "pid", "network", "net", "mount", "mnt",
            "ipc", "ipc", "uts", "uts", "user", "user", "cgroup", "cgroup", "time", "time");

    private static JsonNode features(Runtime rt) {
        Result r = rt.run("features");
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("", r.stderr(), r::describe);
        return Json.parse(r.stdout(), r);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void printedAsRuncPrintsItWithinRuncsVocabulary(TestBed bed) {
        Result r = bed.jrunc().run("features");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.stdout().startsWith("{\n    \"ociVersionMin\": \"1.0.0\",\n    \"ociVersionMax\": "),
                () -> "4-space indent, ociVersionMin first:\n" + r.describe());
        assertTrue(r.stdout().endsWith("}\n"), r::describe);
        JsonNode j = Json.parse(r.stdout(), r);
        JsonNode runc = features(bed.runc());
        List<String> keys = Json.keys(j);
        assertTrue(keys.containsAll(Json.keys(runc)), () -> "missing top-level keys; runc has " + Json.keys(runc));
        assertTrue(Json.keys(j.get("linux")).containsAll(Json.keys(runc.get("linux"))), j::toString);

        List<String> hooks = strings(j.get("hooks"));
        assertTrue(SPEC_HOOKS.containsAll(hooks), () -> "unknown hook names: " + hooks);
        assertEquals(SPEC_HOOKS.stream().filter(hooks::contains).toList(), hooks, "in lifecycle order");
        List<String> opts = strings(j.get("mountOptions"));
        assertEquals(opts.stream().sorted().toList(), opts, "sorted, as runc");
        assertTrue(strings(runc.get("mountOptions")).containsAll(opts), () -> "mount options runc does not know: " + opts);
        assertTrue(strings(runc.at("/linux/capabilities")).containsAll(strings(j.at("/linux/capabilities"))));
        assertTrue(PROC_NS.keySet().containsAll(strings(j.at("/linux/namespaces"))));
        assertTrue(strings(runc.at("/linux/seccomp/actions")).containsAll(strings(j.at("/linux/seccomp/actions"))));
        assertTrue(strings(runc.at("/linux/seccomp/operators")).containsAll(strings(j.at("/linux/seccomp/operators"))));
        assertTrue(j.at("/linux/seccomp/enabled").asBoolean());
        // both link Debian's libseccomp: the version jshim-init reports must be that one
        assertEquals(runc.at("/annotations/io.github.seccomp.libseccomp.version").asText(),
                j.at("/annotations/io.github.seccomp.libseccomp.version").asText(), j::toString);
        assertFalse(j.at("/annotations/io.jshim.version").asText().isEmpty());

        // what it says it lacks, it does lack
        assertFalse(j.at("/linux/cgroup/systemd").asBoolean(true));
        Result systemd = bed.jrunc().run("--systemd-cgroup", "list");
        assertEquals(1, systemd.exitCode(), systemd::describe);
        assertFalse(j.at("/linux/apparmor/enabled").asBoolean(true));
        assertFalse(j.at("/linux/selinux/enabled").asBoolean(true));

        Result extra = bed.jrunc().run("features", "x");
        assertEquals(1, extra.exitCode(), extra::describe);
    }

    @Test
    void everyListedNamespaceIsReallyNew(TestBed bed) throws Exception {
        JsonNode j = features(bed.jrunc());
        List<String> listed = strings(j.at("/linux/namespaces"));
        assertTrue(listed.containsAll(List.of("pid", "network", "mount", "ipc", "uts")), listed::toString);
        Map<String, String> host = new LinkedHashMap<>();
        for (String ns : listed) {
            host.put(ns, Files.readSymbolicLink(Path.of("/proc/self/ns/" + PROC_NS.get(ns))).toString());
        }
        // A user namespace needs id maps; it gets its own container so that a failure names it.
        List<List<String>> groups = new ArrayList<>();
        groups.add(listed.stream().filter(n -> !n.equals("user")).toList());
        if (listed.contains("user")) {
            groups.add(listed);
        }
        StringBuilder script = new StringBuilder();
        for (String ns : listed) {
            script.append("echo ").append(ns).append("=$(readlink /proc/self/ns/").append(PROC_NS.get(ns))
                    .append("); ");
        }
        for (List<String> group : groups) {
            String name = group.contains("user") ? "userns" : "ns";
            BusyboxBundle b = bed.bundle(name).args("sh", "-c", script.toString()).edit(c -> {
                ObjectNode linux = c.withObjectProperty("linux");
                ArrayNode arr = linux.putArray("namespaces");
                group.forEach(ns -> arr.addObject().put("type", ns));
                if (group.contains("user")) {
                    for (String m : List.of("uidMappings", "gidMappings")) {
                        linux.putArray(m).addObject().put("containerID", 0).put("hostID", 0).put("size", 65536);
                    }
                }
            }).build();
            Result r = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id(name));
            assertEquals(0, r.exitCode(), () -> "features lists " + group + ", but a container with them fails:\n"
                    + r.describe());
            Map<String, String> inside = new LinkedHashMap<>();
            for (String line : r.stdout().lines().toList()) {
                String[] kv = line.split("=", 2);
                inside.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
            for (String ns : group) {
                assertFalse(inside.getOrDefault(ns, "").isEmpty(), () -> ns + ": not seen inside\n" + r.describe());
                assertFalse(host.get(ns).equals(inside.get(ns)), () -> ns + " namespace is the host's: "
                        + inside.get(ns) + "\n" + r.describe());
            }
        }
    }

    @Test
    void everyListedHookRunsInLifecycleOrder(TestBed bed) throws Exception {
        List<String> listed = strings(features(bed.jrunc()).get("hooks"));
        Path logDir = bed.path("hooklog");
        Files.createDirectories(logDir);
        Path log = logDir.resolve("log");
        Files.writeString(log, "");
        BusyboxBundle b = bed.bundle("b").args("true").mount("/hooklog", "bind", logDir.toString(), "rbind", "rw")
                .edit(c -> {
                    ObjectNode hooks = c.putObject("hooks");
                    for (String h : listed) {
                        // startContainer runs inside the container, after pivot_root: its paths are
                        // the container's; the others see the host's filesystem.
                        String target = h.equals("startContainer") ? "/hooklog/log" : log.toString();
                        ObjectNode hook = hooks.putArray(h).addObject();
                        hook.put("path", "/bin/sh");
                        hook.putArray("args").add("sh").add("-c").add("echo " + h + " >> " + target);
                    }
                }).build();
        Result r = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id("hooks"));
        assertEquals(0, r.exitCode(), r::describe);
        List<String> ran = Files.readAllLines(log);
        assertEquals(listed, ran, () -> "features lists these hooks, the container ran " + ran + "\n" + r.describe());
    }

    @Test
    void everyListedMountOptionMounts(TestBed bed) throws Exception {
        List<String> listed = strings(features(bed.jrunc()).get("mountOptions"));
        Path src = bed.path("bindsrc");
        Files.createDirectories(src);
        BusyboxBundle.Builder builder = bed.bundle("b").args("cat", "/proc/self/mountinfo");
        List<String> tested = new ArrayList<>();
        for (String o : listed) {
            if (o.equals("remount")) {
                continue; // changes a mount that already exists; a fresh destination has none
            }
            tested.add(o);
            if (o.equals("bind") || o.equals("rbind")) {
                builder.mount("/m/" + o, "bind", src.toString(), o);
            } else {
                builder.mount("/m/" + o, "tmpfs", "tmpfs", o);
            }
        }
        BusyboxBundle b = builder.build();
        for (String o : tested) {
            Files.createDirectories(b.rootfs().resolve("m").resolve(o));
        }
        Result r = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id("mountopts"));
        assertEquals(0, r.exitCode(), () -> "features lists " + tested + ", but a container using them fails:\n"
                + r.describe());
        Map<String, String[]> mounts = new LinkedHashMap<>();
        for (String line : r.stdout().lines().toList()) {
            String[] halves = line.split(" - ", 2);
            String[] pre = halves[0].split(" ");
            String[] post = halves.length > 1 ? halves[1].split(" ") : new String[0];
            String optional = String.join(" ", List.of(pre).subList(6, pre.length));
            mounts.put(pre[4], new String[] {pre[5], optional, post.length > 2 ? post[2] : ""});
        }
        // the per-mount flags /proc/PID/mountinfo shows (proc(5)), and the superblock ones
        Map<String, String> perMount = Map.of("ro", "ro", "nosuid", "nosuid", "nodev", "nodev", "noexec", "noexec",
                "noatime", "noatime", "nodiratime", "nodiratime", "nosymfollow", "nosymfollow", "relatime",
                "relatime");
        Map<String, String> superBlock = Map.of("sync", "sync", "dirsync", "dirsync", "lazytime", "lazytime");
        for (String o : tested) {
            String[] m = mounts.get("/m/" + o);
            assertTrue(m != null, () -> "/m/" + o + " is not mounted:\n" + r.stdout());
            Set<String> flags = Set.of(m[0].split(","));
            if (perMount.containsKey(o)) {
                assertTrue(flags.contains(perMount.get(o)), () -> o + ": mount flags " + m[0]);
            }
            if (superBlock.containsKey(o)) {
                assertTrue(Set.of(m[2].split(",")).contains(superBlock.get(o)), () -> o + ": superblock " + m[2]);
            }
            if (o.equals("shared") || o.equals("rshared")) {
                assertTrue(m[1].contains("shared:"), () -> o + ": propagation " + m[1]);
            }
            if (o.equals("unbindable") || o.equals("runbindable")) {
                assertTrue(m[1].contains("unbindable"), () -> o + ": propagation " + m[1]);
            }
        }
    }
}
