package io.jshim.it.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.it.support.CriClient;
import io.jshim.it.support.ItEnv;
import io.jshim.it.support.OciImages;
import io.jshim.proto.cri.runtime.v1.LinuxPodSandboxConfig;
import io.jshim.proto.cri.runtime.v1.LinuxSandboxSecurityContext;
import io.jshim.proto.cri.runtime.v1.NamespaceMode;
import io.jshim.proto.cri.runtime.v1.NamespaceOption;
import io.jshim.proto.cri.runtime.v1.PodSandboxConfig;
import io.jshim.proto.cri.runtime.v1.PodSandboxMetadata;
import io.jshim.proto.cri.runtime.v1.PodSandboxState;
import io.jshim.proto.cri.runtime.v1.PodSandboxStatusRequest;
import io.jshim.proto.cri.runtime.v1.PodSandboxStatusResponse;
import io.jshim.proto.cri.runtime.v1.RemovePodSandboxRequest;
import io.jshim.proto.cri.runtime.v1.RunPodSandboxRequest;
import io.jshim.proto.cri.runtime.v1.RuntimeServiceGrpc;
import io.jshim.proto.cri.runtime.v1.StopPodSandboxRequest;
import io.jshim.proto.cri.runtime.v1.VersionRequest;
import io.jshim.testing.Scripts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/kubernetes/install-node.sh against real containerds: a private containerd 1.6.20 (config version
 * 2, shaped like Debian's own: a CRI table, no runtimes) and 2.x (version 3), each with its CRI plugin on,
 * private root, state and sockets. The installer runs with NODE_ROOT=/ and every path it writes inside
 * the test's directory, and restarts containerd with JSHIM_RESTART=signal: the test's containerd (found
 * by its --config under /proc) gets SIGTERM and exits. Started again on the changed config, the CRI plugin
 * loads ("ok" in `ctr plugins ls`) with the jshim handler at the installed prefix next to runc. Uninstall
 * signals it again and gives back the original config, byte for byte; containerd starts on it again.
 * In between, a host-network pod on handler jshim runs through CRI (2.x: the shim found only through the
 * runtime_path the installer wrote; 1.6, which ignores runtime_path: through PATH, as the installer's
 * /usr/local/bin link provides; the JDK wrapper; the pause image of build-image.sh), and {@code ctr run}
 * runs a container through the installed copy.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class InstallNodeContainerdIT {

    @ParameterizedTest(name = "containerd {0}")
    @ValueSource(strings = {"1", "2"})
    void installedConfig_isLoadedByContainerdsCriPlugin_andUninstallRestoresIt(String version) throws Exception {
        Path bin = Path.of(version.equals("1")
                ? Scripts.run("ensure-containerd1.sh", Duration.ofMinutes(5))
                : Scripts.run("fetch-containerd2.sh", Duration.ofMinutes(5)));
        Path dist = ItEnv.repoRoot().resolve("dist");
        assertTrue(Files.isExecutable(dist.resolve("bin/containerd-shim-jshim-v2")), "build first (mvn install)");
        // short: unix socket paths must stay under 108 bytes
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jshim-inst-");
        Daemon d = null;
        try {
            Path config = dir.resolve("etc/config.toml");
            Files.createDirectories(config.getParent());
            String original = baseConfig(version, dir);
            Files.writeString(config, original);
            Path prefix = dir.resolve("opt/jshim");
            // the installer image's JDK (a link to this JVM's, so that it is not copied): installed as
            // <prefix>/jdk behind the wrapper <prefix>/shim/containerd-shim-jshim-v2
            Path jdk = Files.createSymbolicLink(dir.resolve("jdk"), Path.of(System.getProperty("java.home")));
            Map<String, String> env = Map.of(
                    "JSHIM_JDK", jdk.toString(),
                    "NODE_ROOT", "/",
                    "JSHIM_DIST", dist.toString(),
                    "JSHIM_ARTIFACTS", dir.resolve("no-artifacts").toString(),
                    "JSHIM_PREFIX", prefix.toString(),
                    "CONTAINERD_CONFIG", config.toString(),
                    "JSHIM_DROPIN_DIR", dir.resolve("etc/conf.d").toString(),
                    "JSHIM_LINK", "0",
                    "JSHIM_AOT", "0",
                    "JSHIM_RESTART", "signal");

            d = Daemon.start(bin, config, dir);
            assertCriOk(d, "before install");

            String out = installNode(env, "install");
            assertTrue(d.awaitExit(Duration.ofSeconds(20)), "containerd was not signalled by install:\n" + out);
            assertTrue(out.contains("SIGTERM to pid " + d.pid()), out);
            assertTrue(Files.isExecutable(prefix.resolve("bin/containerd-shim-jshim-v2")), out);

            long logFrom = Files.size(d.log);
            // the shim's state and sockets inside the test's dir, a short idle time. containerd 2.x: the shim
            // is NOT on containerd's PATH, CRI must find it through the runtime_path the installer wrote.
            // containerd 1.6 ignores runtime_path (1.6.20 fails with "binary not installed"): the installer's
            // /usr/local/bin link is what it finds, here the installed wrapper's dir on its PATH.
            Map<String, String> shimEnv = new java.util.HashMap<>(Map.of(
                    "JSHIM_SHIM_STATE_ROOT", dir.resolve("jshim").toString(),
                    "JSHIM_SHIM_SOCKET_DIR", dir.resolve("s").toString(),
                    "JSHIM_SHIM_IDLE_TIMEOUT", "3"));
            if (version.equals("1")) {
                shimEnv.put("PATH", prefix.resolve("shim") + ":"
                        + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
            }
            d = Daemon.start(bin, config, dir, shimEnv);
            assertCriOk(d, "after install");
            runAPodThroughCri(d, dir, prefix, dist);
            runAContainerThroughTheInstalledShim(d, dir, prefix,
                    version.equals("1") ? "io.containerd.jshim.v2" : prefix.resolve("shim/containerd-shim-jshim-v2").toString());
            String criConfig = criConfigLine(d, logFrom);
            String shim = prefix.resolve("shim/containerd-shim-jshim-v2").toString();
            assertTrue(criConfig.contains("io.containerd.jshim.v2") && criConfig.contains(shim),
                    "CRI's config has no jshim handler at " + shim + ":\n" + criConfig);
            assertTrue(criConfig.contains("io.containerd.runc.v2"), "runc is gone:\n" + criConfig);
            String dump = ctrd(bin, "--config", config.toString(), "config", "dump");
            assertTrue(dump.contains(".containerd.runtimes.jshim]") && dump.contains(shim), dump);

            out = installNode(env, "install");
            assertTrue(out.contains("no restart"), "a second install changes nothing:\n" + out);
            assertTrue(d.isAlive(), "a second install must not restart containerd:\n" + out);

            out = installNode(env, "uninstall");
            assertTrue(d.awaitExit(Duration.ofSeconds(20)), "containerd was not signalled by uninstall:\n" + out);
            assertEquals(original, Files.readString(config));
            assertTrue(Files.notExists(prefix), out);
            assertTrue(Files.notExists(dir.resolve("etc/conf.d/jshim.toml")), out);
            d = Daemon.start(bin, config, dir);
            assertCriOk(d, "after uninstall");
        } finally {
            if (d != null) {
                d.stop();
            }
            deleteRecursively(dir);
        }
    }

    /**
     * {@code ctr run --rm --runtime R}, R the absolute path of the installed wrapper (as CRI's runtime_path
     * passes it; containerd 2.x) or {@code io.containerd.jshim.v2} found on PATH (1.6): the copied layout (front end, jars, jshim-init, JDK) runs a container, and
     * the daemon runs on the installed JDK. Then the daemon must leave on its own (idle time), and the
     * namespace's cgroups go.
     */
    private static void runAContainerThroughTheInstalledShim(Daemon d, Path dir, Path prefix, String runtime)
            throws Exception {
        Path rootfs = OciImages.busyboxRootfs(dir.resolve("rootfs"));
        String ns = "jshim-inst-" + Long.toHexString(System.nanoTime() & 0xffffffL);
        try {
            String out = d.ctr("--namespace", ns, "run", "--rm", "--runtime", runtime, "--rootfs", rootfs.toString(),
                    ns + "-c", "/bin/sh", "-c", "echo hello from the installed jshim");
            assertTrue(out.contains("hello from the installed jshim"), out);
            assertTrue(Files.isDirectory(dir.resolve("jshim/.daemons")), "no shim daemon ran with containerd's "
                    + "environment (JSHIM_SHIM_STATE_ROOT):\n" + d.logTail());
            // within its idle time: the daemon runs on the installed JDK (the wrapper's JSHIM_JAVA_HOME)
            String java = prefix.resolve("jdk/bin/java").toString();
            assertTrue(processesMentioning(prefix.toString()).stream().anyMatch(ph -> argv0(ph).equals(java)),
                    "no shim daemon running " + java);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<ProcessHandle> daemons;
            while (!(daemons = processesMentioning(prefix.toString())).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            daemons.forEach(ProcessHandle::destroyForcibly);
            assertTrue(daemons.isEmpty(), "shim daemon still running 20 s after its last task: " + daemons);
        } finally {
            try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
                hierarchies.map(h -> h.resolve(ns)).filter(Files::isDirectory).forEach(c -> {
                    try {
                        Files.delete(c);
                    } catch (IOException e) {
                        // not empty: a task's cgroup is left; the suite's leak check reports it
                    }
                });
            }
        }
    }

    private static String argv0(ProcessHandle ph) {
        try {
            String cmdline = Files.readString(Path.of("/proc", Long.toString(ph.pid()), "cmdline"));
            int nul = cmdline.indexOf('\0');
            return nul < 0 ? cmdline : cmdline.substring(0, nul);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * A host-network pod on handler jshim through the CRI socket, as kubelet asks: containerd runs the
     * installed JDK wrapper (2.x: from the runtime_path the installer wrote; 1.6: from PATH), the sandbox (the pause image of
     * deploy/pause/build-image.sh) gets READY, and the daemon runs on the installed JDK; then
     * StopPodSandbox and RemovePodSandbox, the daemon leaves, the pod's cgroups go.
     */
    private static void runAPodThroughCri(Daemon d, Path dir, Path prefix, Path dist) throws Exception {
        Path pause = dir.resolve("pause.tar");
        ProcessBuilder pb = new ProcessBuilder("bash", ItEnv.repoRoot().resolve("deploy/pause/build-image.sh").toString(),
                pause.toString()).redirectErrorStream(true);
        pb.environment().put("JSHIM_PAUSE_BINARY", dist.resolve("libexec/jshim/jshim-pause").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "build-image.sh: " + out);
        d.ctr("--namespace", "k8s.io", "images", "import", pause.toString());

        String cgroupParent = "/jshim-inst-" + Long.toHexString(System.nanoTime() & 0xffffffL);
        CriClient client = CriClient.connect(d.sock);
        String sandbox = null;
        try {
            RuntimeServiceGrpc.RuntimeServiceBlockingStub cri = client.runtime().withDeadlineAfter(60, TimeUnit.SECONDS);
            assertEquals("containerd", cri.version(VersionRequest.newBuilder().setVersion("v1").build()).getRuntimeName());
            PodSandboxConfig config = PodSandboxConfig.newBuilder()
                    .setMetadata(PodSandboxMetadata.newBuilder().setName("installed").setNamespace("default")
                            .setUid(UUID.randomUUID().toString()))
                    .setLogDirectory(Files.createDirectories(dir.resolve("pod-logs")).toString())
                    .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(cgroupParent + "/pod")
                            .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(
                                    NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE)
                                            .setPid(NamespaceMode.CONTAINER).setIpc(NamespaceMode.POD))))
                    .build();
            sandbox = cri.runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).setRuntimeHandler("jshim")
                    .build()).getPodSandboxId();
            PodSandboxStatusResponse status = cri.podSandboxStatus(
                    PodSandboxStatusRequest.newBuilder().setPodSandboxId(sandbox).build());
            assertEquals(PodSandboxState.SANDBOX_READY, status.getStatus().getState(), status.toString());
            String java = prefix.resolve("jdk/bin/java").toString();
            assertTrue(processesMentioning(prefix.toString()).stream().anyMatch(ph -> argv0(ph).equals(java)),
                    "no shim daemon running " + java + " for the pod:\n" + d.logTail());
            cri.stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandbox).build());
            cri.removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandbox).build());
            sandbox = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<ProcessHandle> daemons;
            while (!(daemons = processesMentioning(prefix.toString())).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            daemons.forEach(ProcessHandle::destroyForcibly);
            assertTrue(daemons.isEmpty(), "shim daemon still running 20 s after the pod was removed: " + daemons);
        } finally {
            if (sandbox != null) {
                try {
                    RuntimeServiceGrpc.RuntimeServiceBlockingStub cri = client.runtime()
                            .withDeadlineAfter(30, TimeUnit.SECONDS);
                    cri.stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandbox).build());
                    cri.removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandbox).build());
                } catch (RuntimeException e) {
                    // the test already failed; the suite's leak check reports what is left
                }
            }
            client.close();
            try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
                hierarchies.map(h -> h.resolve(cgroupParent.substring(1))).filter(Files::isDirectory).forEach(c -> {
                    for (Path sub : List.of(c.resolve("pod"), c)) {
                        try {
                            Files.deleteIfExists(sub);
                        } catch (IOException e) {
                            // not empty: a container's cgroup is left; the suite's leak check reports it
                        }
                    }
                });
            }
        }
    }

    /** Live processes whose command line mentions {@code text}. */
    private static List<ProcessHandle> processesMentioning(String text) {
        List<ProcessHandle> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(ph -> {
            try {
                String cmdline = Files.readString(Path.of("/proc", Long.toString(ph.pid()), "cmdline"));
                String stat = Files.readString(Path.of("/proc", Long.toString(ph.pid()), "stat"));
                if (cmdline.contains(text) && !stat.contains(") Z ")) {
                    found.add(ph);
                }
            } catch (IOException | RuntimeException e) {
                // gone
            }
        });
        return found;
    }

    /**
     * Each of deploy/containerd's files, and the handler file with the node-wide one, started by its
     * containerd (private paths and a loopback streaming server on a free port added around them): the
     * CRI plugin loads, and its logged config has the jshim handler next to runc.
     */
    @ParameterizedTest(name = "containerd {0}")
    @ValueSource(strings = {"1", "2"})
    void containerdSnippets_areLoadedByContainerdsCriPlugin(String version) throws Exception {
        Path bin = Path.of(version.equals("1")
                ? Scripts.run("ensure-containerd1.sh", Duration.ofMinutes(5))
                : Scripts.run("fetch-containerd2.sh", Duration.ofMinutes(5)));
        String v = version.equals("1") ? "v2" : "v3";
        Path snippets = ItEnv.repoRoot().resolve("deploy/containerd");
        for (List<String> files : List.of(List.of("jshim-config-" + v + ".toml"),
                List.of("jshim-config-" + v + ".toml", "cri-" + v + ".toml"), List.of("config-" + v + ".example.toml"))) {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "jshim-snip-");
            Daemon d = null;
            try {
                String base = baseConfig(version, dir);
                // the private part: everything before the first plugins table
                StringBuilder text = new StringBuilder(base.substring(0, base.indexOf("\n[plugins") + 1));
                for (String f : files) {
                    text.append('\n').append(Files.readString(snippets.resolve(f)).replaceAll("(?m)^version = \\d+$", ""));
                }
                String config = version.equals("1") ? withStreamingOnLoopback(text.toString())
                        : text + "\n[plugins.'io.containerd.grpc.v1.cri']\n  stream_server_address = '127.0.0.1'\n"
                                + "  stream_server_port = '0'\n";
                Path file = dir.resolve("config.toml");
                Files.writeString(file, config);
                d = Daemon.start(bin, file, dir);
                assertCriOk(d, String.join(" + ", files));
                String cri = criConfigLine(d, 0);
                assertTrue(cri.contains("io.containerd.jshim.v2") && cri.contains("io.containerd.runc.v2"),
                        files + ": CRI's config lacks jshim or runc:\n" + cri);
            } finally {
                if (d != null) {
                    d.stop();
                }
                deleteRecursively(dir);
            }
        }
    }

    /** 1.6's streaming server defaults to port 10010: a free port instead, in the CRI table (once). */
    private static String withStreamingOnLoopback(String config) {
        String header = "[plugins.\"io.containerd.grpc.v1.cri\"]";
        String keys = "\n  stream_server_address = \"127.0.0.1\"\n  stream_server_port = \"0\"";
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*" + java.util.regex.Pattern.quote(header) + "\\s*$")
                .matcher(config);
        if (m.find()) {
            return config.substring(0, m.end()) + keys + config.substring(m.end());
        }
        return config + "\n" + header + keys + "\n";
    }

    /**
     * A node's config before jshim: private paths; the CRI plugin on, shaped like Debian 12's own (a CRI
     * table, CNI settings, no runtimes) plus what an admin sets from deploy/containerd/cri-vN.toml (the
     * local pause image, restrict_oom_score_adj: no CAP_SYS_RESOURCE here), with a loopback streaming
     * server on a free port; plugins that touch shared host state off.
     */
    private static String baseConfig(String version, Path dir) {
        if (version.equals("1")) {
            return """
                    version = 2
                    root = "%1$s/root"
                    state = "%1$s/state"
                    disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", \
                    "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", \
                    "io.containerd.snapshotter.v1.aufs"]

                    [grpc]
                      address = "%1$s/c.sock"

                    [ttrpc]
                      address = "%1$s/c.sock.ttrpc"

                    [plugins]
                      [plugins."io.containerd.grpc.v1.cri"]
                        sandbox_image = "localhost/jshim/pause:3.10"
                        restrict_oom_score_adj = true
                        stream_server_address = "127.0.0.1"
                        stream_server_port = "0"
                        [plugins."io.containerd.grpc.v1.cri".cni]
                          bin_dir = "/usr/lib/cni"
                          conf_dir = "%1$s/cni"
                    """.formatted(dir);
        }
        return """
                version = 3
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.nri.v1.nri", "io.containerd.internal.v1.opt", \
                "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", \
                "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", \
                "io.containerd.snapshotter.v1.erofs", "io.containerd.differ.v1.erofs"]

                [grpc]
                  address = "%1$s/c.sock"

                [ttrpc]
                  address = "%1$s/c.sock.ttrpc"

                [plugins.'io.containerd.grpc.v1.cri']
                  stream_server_address = '127.0.0.1'
                  stream_server_port = '0'

                [plugins.'io.containerd.cri.v1.images'.pinned_images]
                  sandbox = 'localhost/jshim/pause:3.10'

                [plugins.'io.containerd.cri.v1.runtime']
                  restrict_oom_score_adj = true
                  netns_mounts_under_state_dir = true

                [plugins.'io.containerd.cri.v1.runtime'.cni]
                  bin_dirs = ['/usr/lib/cni']
                  conf_dir = '%1$s/cni'
                """.formatted(dir);
    }

    private static void assertCriOk(Daemon d, String when) throws Exception {
        String plugins = d.ctr("plugins", "ls");
        List<String> cri = plugins.lines().filter(l -> l.matches("\\S+\\s+cri\\s.*")
                || l.startsWith("io.containerd.cri.v1 ")).toList();
        assertTrue(!cri.isEmpty(), when + ": no CRI plugin listed:\n" + plugins);
        for (String l : cri) {
            assertTrue(l.strip().endsWith("ok"), when + ": " + l + "\n" + d.logTail());
        }
    }

    /** containerd's log line with the CRI plugin's config (1.6: "Start cri plugin with config"; 2.x: "starting cri plugin"). */
    private static String criConfigLine(Daemon d, long from) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            byte[] all = Files.readAllBytes(d.log);
            String text = new String(all, (int) Math.min(from, all.length), (int) (all.length - Math.min(from, all.length)),
                    StandardCharsets.UTF_8);
            for (String l : text.lines().toList()) {
                if (l.contains("Start cri plugin with config") || l.contains("starting cri plugin")) {
                    return l;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no CRI config line in containerd's log:\n" + d.logTail());
            }
            Thread.sleep(100);
        }
    }

    private static String installNode(Map<String, String> env, String action) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash",
                ItEnv.repoRoot().resolve("deploy/kubernetes/install-node.sh").toString(), action).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("JSHIM_") || k.startsWith("CONTAINERD_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "install-node.sh " + action + " timed out:\n" + out);
        assertEquals(0, p.exitValue(), "install-node.sh " + action + ":\n" + out);
        return out;
    }

    private static String ctrd(Path bin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("containerd").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** A containerd on a given config file, stopped by pid. */
    private static final class Daemon {
        final Path bin;
        final Path log;
        final Path sock;
        final Process process;

        private Daemon(Path bin, Path log, Path sock, Process process) {
            this.bin = bin;
            this.log = log;
            this.sock = sock;
            this.process = process;
        }

        static Daemon start(Path bin, Path config, Path dir) throws Exception {
            return start(bin, config, dir, Map.of());
        }

        /** With extra environment for containerd, which its shims inherit. */
        static Daemon start(Path bin, Path config, Path dir, Map<String, String> env) throws Exception {
            Path log = dir.resolve("containerd.log");
            ProcessBuilder pb = new ProcessBuilder(bin.resolve("containerd").toString(), "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            Daemon d = new Daemon(bin, log, dir.resolve("c.sock"), p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                if (!p.isAlive()) {
                    throw new AssertionError("containerd exited with " + p.exitValue() + ":\n" + d.logTail());
                }
                if (Files.exists(d.sock) && d.ctrStatus("version") == 0) {
                    return d;
                }
                if (System.nanoTime() > deadline) {
                    d.stop();
                    throw new AssertionError("containerd not ready:\n" + d.logTail());
                }
                Thread.sleep(100);
            }
        }

        long pid() {
            return process.pid();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        boolean awaitExit(Duration timeout) throws InterruptedException {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        String ctr(String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(bin.resolve("ctr").toString(), "--address", sock.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "ctr " + String.join(" ", args) + ": " + out);
            return out;
        }

        private int ctrStatus(String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(bin.resolve("ctr").toString(), "--address", sock.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        }

        String logTail() {
            try {
                List<String> all = Files.readAllLines(log);
                return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
            } catch (IOException e) {
                return "(no log)";
            }
        }

        void stop() {
            if (!process.isAlive()) {
                return;
            }
            process.destroy(); // SIGTERM to this pid only
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a leftover in /tmp must not hide the result
                }
            });
        } catch (IOException e) {
            // gone
        }
    }
}
