package io.jshim.it.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import io.jshim.it.support.ItEnv;
import io.jshim.it.support.ItSession;
import io.jshim.it.support.LeakCheck;
import io.jshim.proto.containerd.task.v2.DeleteResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code dist/bin/containerd-shim-jshim-v2} as containerd runs it (shim-v2-protocol.md §1.2–§1.6), without
 * a containerd: {@code start} prints only the address, with nothing on stderr even when containerd's
 * environment carries JAVA_TOOL_OPTIONS, writes it to the bundle's {@code address} without a newline,
 * reuses the group's daemon, groups a pod's containers apart, understands containerd 2.3's
 * BootstrapParams; {@code delete} prints exactly a DeleteResponse, also twice, with or without a daemon.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShimFrontEndIT {

    private final ItSession session = ItSession.get();
    private Path work;
    private Path stateRoot;
    private Path socketDir;
    private LeakCheck.Snapshot before;

    record Run(int status, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    @BeforeAll
    void setUp() throws IOException {
        work = Files.createDirectories(session.workDir().resolve("frontend"));
        stateRoot = work.resolve("state");
        socketDir = session.workDir().resolve("sf");
        before = LeakCheck.snapshot(markers());
    }

    private LeakCheck.Markers markers() {
        return new LeakCheck.Markers(List.of(work.toString(), socketDir.toString()), List.of(session.idPrefix()),
                List.of());
    }

    @AfterAll
    void daemonsLeaveOnTheirOwn() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!livePids().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        List<Long> left = livePids();
        left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        assertTrue(left.isEmpty(), "shim daemons still running 15 s after their idle time: " + left);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(socketDir)) {
            for (Path s : ds) {
                throw new AssertionError("socket left by an exited daemon: " + s);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // fine
        }
        LeakCheck.assertClean(before, markers(), "the shim front-end tests");
    }

    private List<Long> livePids() throws IOException {
        List<Long> pids = new ArrayList<>();
        Path daemons = stateRoot.resolve(".daemons");
        if (!Files.isDirectory(daemons)) {
            return pids;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(daemons)) {
            for (Path d : ds) {
                try {
                    long pid = Long.parseLong(Files.readString(d.resolve("daemon.pid")).strip());
                    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                    if (!stat.contains(") Z ")) {
                        pids.add(pid);
                    }
                } catch (IOException | NumberFormatException e) {
                    // gone
                }
            }
        }
        return pids;
    }

    private Path bundle(String name, String annotations) throws IOException {
        Path b = Files.createDirectories(work.resolve("bundles").resolve(name));
        Files.writeString(b.resolve("config.json"), "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"]},"
                + "\"annotations\":{" + annotations + "}}");
        return b;
    }

    private Run shim(Path cwd, byte[] stdin, String... args) throws Exception {
        return shim(cwd, stdin, Map.of(), args);
    }

    private Run shim(Path cwd, byte[] stdin, Map<String, String> extraEnv, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ItEnv.repoRoot().resolve("dist/bin/containerd-shim-jshim-v2")
                .toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        Map<String, String> env = pb.environment();
        env.put("JSHIM_SHIM_STATE_ROOT", stateRoot.toString());
        env.put("JSHIM_SHIM_SOCKET_DIR", socketDir.toString());
        env.put("JSHIM_SHIM_IDLE_TIMEOUT", "2");
        env.put("TTRPC_ADDRESS", work.resolve("no-containerd.sock").toString());
        env.put("GRPC_ADDRESS", "/run/no-containerd.sock");
        // containerd's environment may hold these; the JVM would print "Picked up ..." on stderr
        env.put("JAVA_TOOL_OPTIONS", "-Dprobe=1");
        env.put("_JAVA_OPTIONS", "-Dprobe=2");
        env.putAll(extraEnv);
        Process p = pb.start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        // containerd's CombinedOutput waits for every holder of the pipes: the daemon must not hold them
        byte[] stdout = out.get(30, TimeUnit.SECONDS);
        byte[] stderr = err.get(30, TimeUnit.SECONDS);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), stdout, new String(stderr, StandardCharsets.UTF_8));
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Run start(Path bundle, String ns, String id, byte[] stdin) throws Exception {
        return start(bundle, ns, id, stdin, Map.of());
    }

    private Run start(Path bundle, String ns, String id, byte[] stdin, Map<String, String> env) throws Exception {
        return shim(bundle, stdin, env, "-namespace", ns, "-address", "/run/no-containerd.sock", "-publish-binary",
                "/usr/bin/containerd", "-id", id, "start");
    }

    /**
     * The delete action containerd runs when a task's Create fails after start: it also ends the
     * reservation that start made, so the daemon may go idle (a start is always followed by a Create or
     * by this).
     */
    private Run delete(Path bundle, String ns, String id) throws Exception {
        Run d = shim(bundle, new byte[0], "-namespace", ns, "-address", "/run/no-containerd.sock", "-publish-binary",
                "/usr/bin/containerd", "-id", id, "-bundle", bundle.toString(), "delete");
        assertEquals(0, d.status(), d.stderr());
        return d;
    }

    /** start then delete: the address start printed. */
    private String startAndDelete(Path bundle, String ns, String id) throws Exception {
        return startAndDelete(bundle, ns, id, Map.of());
    }

    private String startAndDelete(Path bundle, String ns, String id, Map<String, String> env) throws Exception {
        Run r = start(bundle, ns, id, new byte[0], env);
        assertEquals(0, r.status(), r.stderr());
        delete(bundle, ns, id);
        return r.out();
    }


    @Test
    void start_printsOnlyTheAddress_writesIt_andReusesTheNamespacesDaemon() throws Exception {
        String ns = session.idPrefix() + "-fe";
        Path b1 = bundle("a1", "");
        Run first = start(b1, ns, session.idPrefix() + "-a1", new byte[0]);
        assertEquals(0, first.status(), first.stderr());
        assertEquals("", first.stderr(), "start must print nothing on stderr");
        String address = first.out();
        assertTrue(address.matches("unix://" + socketDir + "/[0-9a-f]{64}"), "stdout was: '" + address + "'");
        assertEquals(address, Files.readString(b1.resolve("address")), "address file (no newline)");
        assertTrue(Files.exists(Path.of(address.substring("unix://".length()))), "socket not listening");
        String hash = address.substring(address.lastIndexOf('/') + 1);
        long pid = Long.parseLong(Files.readString(stateRoot.resolve(".daemons").resolve(hash).resolve("daemon.pid"))
                .strip());
        String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
        assertTrue(cmdline.contains("io.jshim.shim.ShimMain") && !cmdline.contains("probe="), cmdline);

        Run second = start(bundle("a2", ""), ns, session.idPrefix() + "-a2", new byte[0]);
        assertEquals(0, second.status(), second.stderr());
        assertEquals(address, second.out(), "the namespace's daemon is reused");
        assertEquals(pid, Long.parseLong(Files.readString(stateRoot.resolve(".daemons").resolve(hash)
                .resolve("daemon.pid")).strip()));
        delete(b1, ns, session.idPrefix() + "-a1");
        delete(work.resolve("bundles/a2"), ns, session.idPrefix() + "-a2");
    }

    /**
     * Default grouping ("auto"): one daemon per containerd namespace, pods included, and the jshim group
     * annotation above that; "pod" (runc's rule): a daemon per pod, else per container.
     */
    @Test
    void start_groupsByNamespaceByDefault_byPodWhenAsked_andAnExplicitGroupTogether() throws Exception {
        String ns = session.idPrefix() + "-fe";
        String plain = startAndDelete(bundle("p0", ""), ns, session.idPrefix() + "-p0");
        String podDefault = startAndDelete(bundle("d1", "\"io.kubernetes.cri.sandbox-id\":\"sb1\""), ns,
                session.idPrefix() + "-d1");
        assertEquals(plain, podDefault, "by default pods share the namespace's daemon");
        Map<String, String> perPod = Map.of("JSHIM_SHIM_GROUP", "pod");
        String pod1 = startAndDelete(bundle("p1", "\"io.kubernetes.cri.sandbox-id\":\"sb1\""), ns,
                session.idPrefix() + "-p1", perPod);
        String pod1b = startAndDelete(bundle("p2", "\"io.kubernetes.cri.sandbox-id\":\"sb1\""), ns,
                session.idPrefix() + "-p2", perPod);
        String other = startAndDelete(bundle("p3", "\"io.kubernetes.cri.sandbox-id\":\"sb2\""), ns,
                session.idPrefix() + "-p3", perPod);
        String lone1 = startAndDelete(bundle("p5", ""), ns, session.idPrefix() + "-p5", perPod);
        String lone2 = startAndDelete(bundle("p6", ""), ns, session.idPrefix() + "-p6", perPod);
        assertEquals(pod1, pod1b, "group pod: one daemon per pod");
        assertNotEquals(plain, pod1);
        assertNotEquals(pod1, other);
        assertNotEquals(lone1, lone2, "group pod: a task outside any pod gets a daemon of its own");
        String otherNs = startAndDelete(bundle("p4", ""), ns + "x", session.idPrefix() + "-p4");
        assertNotEquals(plain, otherNs, "one daemon per namespace");
        String g1 = startAndDelete(bundle("g1", "\"io.kubernetes.cri.sandbox-id\":\"sb5\","
                + "\"io.containerd.jshim.v2.group\":\"grp\""), ns, session.idPrefix() + "-g1", perPod);
        String g2 = startAndDelete(bundle("g2", "\"io.kubernetes.cri.sandbox-id\":\"sb6\","
                + "\"io.containerd.jshim.v2.group\":\"grp\""), ns, session.idPrefix() + "-g2", perPod);
        assertEquals(g1, g2, "the jshim group annotation puts two pods in one daemon");
        assertNotEquals(plain, g1);
    }

    @Test
    void start_understandsContainerd23sBootstrapParams() throws Exception {
        String ns = session.idPrefix() + "-fe";
        String id = session.idPrefix() + "-boot";
        Path bootDir = session.workDir().resolve("sb");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(buf);
        o.writeString(1, id);
        o.writeString(2, ns);
        o.writeInt32(3, -4); // DEBUG: a 10-byte varint
        o.writeString(4, "v2.3.0");
        o.writeString(5, work.resolve("no-containerd.sock.ttrpc").toString());
        o.writeString(6, "/run/no-containerd.sock");
        o.writeString(9, bootDir.toString());
        o.flush();
        Run r = start(bundle("boot", ""), ns, id, buf.toByteArray());
        assertEquals(0, r.status(), r.stderr());
        assertEquals("", r.stderr());
        assertTrue(r.out().startsWith("unix://" + bootDir + "/"), r.out());
        delete(work.resolve("bundles/boot"), ns, id);
    }

    /** An Any of runtime options as containerd writes it on start's stdin (1.6 to 2.2). */
    private static byte[] optionsAny(String typeUrl, com.google.protobuf.Message options) {
        return com.google.protobuf.Any.newBuilder().setTypeUrl(typeUrl).setValue(options.toByteString()).build()
                .toByteArray();
    }

    private static byte[] configPathAny(Path config) {
        return optionsAny("runtimeoptions.v1.Options",
                io.jshim.proto.runtimeoptions.v1.Options.newBuilder().setConfigPath(config.toString()).build());
    }

    /**
     * The config file: ConfigPath from the runtime options on start's stdin (or {@code $JSHIM_CONFIG})
     * decides the group ({@code [shim] group = "container"}: a daemon per task); a bad value fails start
     * with a message naming the file, line and key.
     */
    @Test
    void start_readsTheConfigFile_fromConfigPathOrJshimConfig_andNamesABadKey() throws Exception {
        String ns = session.idPrefix() + "-fecfg";
        Path cfg = work.resolve("per-container.toml");
        Files.writeString(cfg, "# one daemon per task\n[shim]\ngroup = \"container\"\nidle_timeout = \"1s\"\n");
        Path b1 = bundle("c1", "");
        Path b2 = bundle("c2", "");
        Run r1 = start(b1, ns, session.idPrefix() + "-c1", configPathAny(cfg));
        assertEquals(0, r1.status(), r1.stderr());
        Run r2 = start(b2, ns, session.idPrefix() + "-c2", configPathAny(cfg));
        assertEquals(0, r2.status(), r2.stderr());
        assertNotEquals(r1.out(), r2.out(), "group = \"container\": a daemon per task");
        delete(b1, ns, session.idPrefix() + "-c1");
        delete(b2, ns, session.idPrefix() + "-c2");
        // the same file through $JSHIM_CONFIG
        Path b3 = bundle("c3", "");
        Path b4 = bundle("c4", "");
        Map<String, String> env = Map.of("JSHIM_CONFIG", cfg.toString());
        Run r3 = shim(b3, new byte[0], env, "-namespace", ns, "-address", "/run/no-containerd.sock", "-id",
                session.idPrefix() + "-c3", "start");
        Run r4 = shim(b4, new byte[0], env, "-namespace", ns, "-address", "/run/no-containerd.sock", "-id",
                session.idPrefix() + "-c4", "start");
        assertEquals(0, r3.status(), r3.stderr());
        assertEquals(0, r4.status(), r4.stderr());
        assertNotEquals(r3.out(), r4.out());
        delete(b3, ns, session.idPrefix() + "-c3");
        delete(b4, ns, session.idPrefix() + "-c4");

        Path bad = work.resolve("bad.toml");
        Files.writeString(bad, "[shim]\nstate_root = \"relative\"\n");
        Run r = start(bundle("c5", ""), ns, session.idPrefix() + "-c5", configPathAny(bad));
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertTrue(r.stderr().contains(bad + ":2: [shim] state_root: expected an absolute path"), r.stderr());
        Run missing = start(bundle("c6", ""), ns, session.idPrefix() + "-c6", configPathAny(work.resolve("nope.toml")));
        assertEquals(1, missing.status());
        assertTrue(missing.stderr().contains("nope.toml: No such file or directory"), missing.stderr());
        // delete still cleans up (and answers) with a broken file, which it only warns about
        Path c7 = bundle("c7", "");
        Run d = shim(c7, new byte[0], Map.of("JSHIM_CONFIG", bad.toString()), "-namespace", ns, "-id",
                session.idPrefix() + "-c7", "-bundle", c7.toString(), "delete");
        assertEquals(0, d.status(), d.stderr());
        assertEquals(137, DeleteResponse.parseFrom(d.stdout()).getExitStatus());
        assertTrue(d.stderr().contains(bad + ":2: [shim] state_root") && d.stderr().contains("(ignored)"), d.stderr());
    }

    /**
     * runc's ShimCgroup option on start's stdin: the daemon start launches joins that cgroup (as the runc
     * shim's start moves its shim), in every v1 hierarchy on a v1/hybrid host, or in the v2 tree.
     */
    @Test
    void start_movesANewDaemonIntoTheShimCgroup() throws Exception {
        String name = session.idPrefix() + "-shimcg";
        boolean unified = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        List<Path> made = new ArrayList<>();
        if (unified) {
            made.add(Files.createDirectories(Path.of("/sys/fs/cgroup", name)));
        } else {
            for (String h : List.of("memory", "pids", "cpu")) {
                Path dir = Path.of("/sys/fs/cgroup", h);
                if (Files.exists(dir.resolve("cgroup.procs"))) {
                    made.add(Files.createDirectories(dir.resolve(name)));
                }
            }
        }
        String ns = session.idPrefix() + "-fecg";
        String id = session.idPrefix() + "-cg";
        Path b = bundle("cg", "");
        long pid = 0;
        try {
            Run r = start(b, ns, id, optionsAny("containerd.runc.v1.Options",
                    io.jshim.proto.containerd.runc.v1.Options.newBuilder().setShimCgroup("/" + name).build()));
            assertEquals(0, r.status(), r.stderr());
            String hash = r.out().substring(r.out().lastIndexOf('/') + 1);
            pid = Long.parseLong(Files.readString(stateRoot.resolve(".daemons").resolve(hash).resolve("daemon.pid"))
                    .strip());
            String cgroups = Files.readString(Path.of("/proc/" + pid + "/cgroup"));
            for (Path m : made) {
                String ctrl = unified ? "" : m.getParent().getFileName().toString();
                assertTrue(cgroups.lines().anyMatch(l -> l.endsWith(":/" + name) && (unified || l.contains(ctrl))),
                        "daemon " + pid + " not in " + m + ":\n" + cgroups);
            }
            delete(b, ns, id);
            Run noSuch = start(bundle("cg2", ""), ns + "x", id + "x", optionsAny("containerd.runc.v1.Options",
                    io.jshim.proto.containerd.runc.v1.Options.newBuilder().setShimCgroup("/" + name + "-none").build()));
            assertEquals(1, noSuch.status());
            assertTrue(noSuch.stderr().contains("ShimCgroup /" + name + "-none: no such cgroup"), noSuch.stderr());
        } finally {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(300);
            for (Path m : made) {
                Files.deleteIfExists(m);
            }
        }
    }

    /**
     * {@code -info} as containerd 2.x runs it (runtime options on stdin): a RuntimeInfo with the name, the
     * version, the options echoed, and the runtime-spec features JSON of the engine (jrunc features).
     */
    @Test
    void info_printsARuntimeInfo_withTheOptions_andTheEnginesFeatures() throws Exception {
        byte[] opts = optionsAny("containerd.runc.v1.Options",
                io.jshim.proto.containerd.runc.v1.Options.newBuilder().setBinaryName("/usr/bin/runc").build());
        Run r = shim(work, opts, "-info");
        assertEquals(0, r.status(), r.stderr());
        assertEquals("", r.stderr());
        io.jshim.proto.containerd.types.RuntimeInfo info = io.jshim.proto.containerd.types.RuntimeInfo.parseFrom(
                r.stdout());
        assertEquals("io.containerd.jshim.v2", info.getName());
        assertTrue(!info.getVersion().getVersion().isEmpty());
        assertEquals(com.google.protobuf.Any.parseFrom(opts), info.getOptions());
        assertEquals("types.containerd.io/opencontainers/runtime-spec/1/features/Features",
                info.getFeatures().getTypeUrl());
        com.fasterxml.jackson.databind.JsonNode features = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(info.getFeatures().getValue().toStringUtf8());
        assertEquals("1.0.0", features.path("ociVersionMin").asText(), features.toString());
        assertTrue(features.path("linux").path("namespaces").toString().contains("\"pid\""), features.toString());
        assertTrue(features.path("hooks").size() == 6, features.toString());
        // without options: no options field, the same features
        Run bare = shim(work, new byte[0], "-info");
        io.jshim.proto.containerd.types.RuntimeInfo bareInfo = io.jshim.proto.containerd.types.RuntimeInfo.parseFrom(
                bare.stdout());
        assertTrue(!bareInfo.hasOptions());
        assertEquals(info.getFeatures(), bareInfo.getFeatures());
    }

    @Test
    void delete_printsExactlyADeleteResponse_andIsIdempotent() throws Exception {
        String ns = session.idPrefix() + "-fe";
        String id = session.idPrefix() + "-del";
        Path b = bundle("del", "");
        assertEquals(0, start(b, ns, id, new byte[0]).status());
        for (int i = 0; i < 2; i++) {
            Run d = delete(b, ns, id);
            DeleteResponse resp = DeleteResponse.parseFrom(d.stdout());
            assertEquals(137, resp.getExitStatus());
            assertTrue(resp.getExitedAt().getSeconds() > 0);
            assertEquals(resp.toByteArray().length, d.stdout().length, "nothing but the message on stdout");
        }
        // a bundle whose daemon never existed: answered by the front end alone
        Path gone = bundle("gone", "");
        Files.writeString(gone.resolve("address"), "unix://" + socketDir + "/" + "0".repeat(64));
        Files.writeString(gone.resolve("init.pid"), "4242");
        Run d = shim(gone, new byte[0], "-namespace", ns, "-id", session.idPrefix() + "-gone", "-bundle",
                gone.toString(), "delete");
        assertEquals(0, d.status(), d.stderr());
        assertEquals("", d.stderr());
        DeleteResponse resp = DeleteResponse.parseFrom(d.stdout());
        assertEquals(4242, resp.getPid());
        assertEquals(137, resp.getExitStatus());
    }

    @Test
    void install_laysOutAPrefixTheShimRunsFrom() throws Exception {
        Path prefix = work.resolve("prefix");
        Process p = new ProcessBuilder(ItEnv.repoRoot().resolve("deploy/install.sh").toString(), "--prefix",
                prefix.toString(), "--no-link", "--no-aot").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        for (String f : List.of("bin/jrunc", "bin/containerd-shim-jshim-v2", "libexec/jshim/jshim-init")) {
            assertTrue(Files.isExecutable(prefix.resolve(f)), f);
        }
        Map<String, Boolean> jars = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(prefix.resolve("lib/jshim"), "*.jar")) {
            ds.forEach(j -> jars.put(j.getFileName().toString().replaceAll("-[0-9].*", ""), true));
        }
        assertTrue(jars.containsKey("jshim-shim-server") && jars.containsKey("jshim-runtime-engine"), jars.toString());
        assertTrue(out.contains("containerd-shim-jshim-v2:"), out);
    }
}
