package io.jshim.it.cri;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.it.support.CriClient;
import io.jshim.it.support.ItEnv;
import io.jshim.it.support.ItSession;
import io.jshim.it.support.LeakCheck;
import io.jshim.it.support.OciImages;
import io.jshim.it.support.ShimDaemons;
import io.jshim.proto.cri.runtime.v1.RuntimeServiceGrpc;
import io.jshim.testing.ContainerdDaemon;
import io.jshim.testing.Scripts;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A private containerd (Debian 12's 1.6.20 with CRI config version 2, or a 2.x with version 3) whose CRI
 * plugin knows two runtime handlers, {@code runc} (containerd's runc shim, the reference) and
 * {@code jshim} ({@code io.containerd.jshim.v2} from {@code dist/bin}), and a gRPC channel to its CRI
 * socket. Nothing is pulled: the sandbox (pause) image is built by {@code deploy/pause/build-image.sh}
 * and the busybox image offline, both imported into the {@code k8s.io} namespace. Pods with a network
 * namespace of their own get it from CNI (Debian's containernetworking-plugins): a private bridge
 * without an address ({@code isGateway: false}, no masquerading) and host-local addresses in
 * 169.254.200.0/24, so no packet leaves the machine.
 *
 * <p>{@link #close()} stops containerd, checks that the jshim daemons left, removes the test's bridge,
 * and fails if a process, mount, cgroup, network namespace or shim daemon of the test remains.
 */
final class CriFixture implements AutoCloseable {

    static final String BUSYBOX = "docker.io/library/jshim-it-busybox:latest";
    static final String PAUSE = "localhost/jshim/pause:3.10";
    static final String SUBNET_PREFIX = "169.254.200.";
    static final Duration IDLE = Duration.ofSeconds(3);
    private static final Path NETNS_DIR = Path.of("/run/netns");
    private static final java.util.concurrent.atomic.AtomicInteger SEQ = new java.util.concurrent.atomic.AtomicInteger();

    final ItSession session = ItSession.get();
    final String version;
    final Path work;
    final Path stateRoot;
    /** Every pod's cgroup parent is below this one ({@code /it-<token>-cri<version>-<n>}), the test's to remove. */
    final String cgroupRoot;
    final String bridge;
    final ContainerdDaemon containerd;
    final RuntimeServiceGrpc.RuntimeServiceBlockingStub cri;
    private final CriClient client;
    private final LeakCheck.Snapshot before;
    private final Set<String> netnsBefore;

    private CriFixture(String version, Path work, Path stateRoot, String cgroupRoot, String bridge,
            ContainerdDaemon containerd, CriClient client, LeakCheck.Snapshot before,
            Set<String> netnsBefore) {
        this.version = version;
        this.work = work;
        this.stateRoot = stateRoot;
        this.cgroupRoot = cgroupRoot;
        this.bridge = bridge;
        this.containerd = containerd;
        this.client = client;
        this.cri = client.runtime();
        this.before = before;
        this.netnsBefore = netnsBefore;
    }

    /** @param version "1" (Debian 12's containerd 1.6) or "2" (containerd 2.x from Debian unstable) */
    static CriFixture start(String version) throws Exception {
        return start(version, Map.of());
    }

    /** As {@link #start(String)}, with extra environment for containerd and so its shims (e.g. grouping). */
    static CriFixture start(String version, Map<String, String> shimEnv) throws Exception {
        Path bin = Path.of(version.equals("1")
                ? Scripts.run("ensure-containerd1.sh", Duration.ofMinutes(5))
                : Scripts.run("fetch-containerd2.sh", Duration.ofMinutes(5)));
        ItSession session = ItSession.get();
        String name = "cri" + version + "-" + SEQ.incrementAndGet(); // several fixtures per run
        Path work = Files.createDirectories(session.workDir().resolve(name));
        Path stateRoot = work.resolve("jshim");
        String cgroupRoot = "/" + session.idPrefix() + "-" + name;
        // interface names are at most 15 bytes: "jsb" + the run's token (6) + the fixture's number
        String bridge = "jsb" + session.token() + SEQ.get();
        LeakCheck.Snapshot before = LeakCheck.snapshot(markers(session, work, null, stateRoot, cgroupRoot));
        Set<String> netnsBefore = netns();
        Path cniDir = Files.createDirectories(work.resolve("cni"));
        Files.writeString(cniDir.resolve("10-jshim-it.conflist"), """
                {"cniVersion":"0.4.0","name":"jshim-it-%s","plugins":[
                  {"type":"bridge","bridge":"%s","isGateway":false,"ipMasq":false,
                   "ipam":{"type":"host-local","ranges":[[{"subnet":"169.254.200.0/24"}]],"dataDir":"%s"}},
                  {"type":"loopback"}]}
                """.formatted(name, bridge, work.resolve("cni-ipam")));
        Path dist = ItEnv.repoRoot().resolve("dist/bin");
        assertTrue(Files.isExecutable(dist.resolve("containerd-shim-jshim-v2")), "no " + dist
                + "/containerd-shim-jshim-v2: build first (mvn install)");
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "PATH", dist + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                "JSHIM_SHIM_STATE_ROOT", stateRoot.toString(),
                "JSHIM_SHIM_SOCKET_DIR", session.workDir().resolve("s").toString(),
                "JSHIM_SHIM_IDLE_TIMEOUT", Long.toString(IDLE.toSeconds())));
        env.putAll(shimEnv);
        ContainerdDaemon containerd = ContainerdDaemon.start(bin, version.equals("1") ? 2 : 3, true, dir -> env,
                dir -> criConfig(version, dir, cniDir));
        try {
            importImage(containerd, pauseImage(work), "pause");
            Path rootfs = OciImages.busyboxRootfs(work.resolve("rootfs"));
            importImage(containerd, OciImages.archive(Files.createDirectories(work.resolve("busybox-image")), rootfs,
                    BUSYBOX, "{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"/bin/sh\"]}"), "busybox");
        } catch (Exception | Error e) {
            containerd.close();
            throw e;
        }
        return new CriFixture(version, work, stateRoot, cgroupRoot, bridge, containerd,
                CriClient.connect(containerd.grpcAddress()), before, netnsBefore);
    }

    /** The sandbox image, made as a user would: {@code deploy/pause/build-image.sh OUT REF}. */
    private static Path pauseImage(Path work) throws IOException {
        Path script = ItEnv.repoRoot().resolve("deploy/pause/build-image.sh");
        Path out = work.resolve("pause.tar");
        OciImages.run(script.toString(), out.toString(), PAUSE);
        return out;
    }

    private static void importImage(ContainerdDaemon containerd, Path archive, String what) throws Exception {
        ContainerdDaemon.CtrResult r = containerd.ctr(Duration.ofSeconds(60), "--namespace", "k8s.io", "images",
                "import", archive.toString());
        assertTrue(r.exitStatus() == 0, "ctr -n k8s.io images import (" + what + "): " + r.output());
    }

    /**
     * The CRI part of containerd's config: the two handlers, the sandbox image, CNI, a loopback-only
     * streaming server, and {@code restrict_oom_score_adj} because this host cannot lower oom_score_adj
     * (no CAP_SYS_RESOURCE) and CRI asks -998 for the sandbox. runc's state root is private.
     */
    private static String criConfig(String version, Path dir, Path cniDir) {
        if (version.equals("1")) {
            String p = "[plugins.\"io.containerd.grpc.v1.cri\"";
            return """

                    %1$s]
                      sandbox_image = "%2$s"
                      restrict_oom_score_adj = true
                      stream_server_address = "127.0.0.1"
                      stream_server_port = "0"
                    %1$s.containerd]
                      snapshotter = "overlayfs"
                      default_runtime_name = "runc"
                    %1$s.containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                    %1$s.containerd.runtimes.runc.options]
                      Root = "%3$s"
                    %1$s.containerd.runtimes.jshim]
                      runtime_type = "io.containerd.jshim.v2"
                    %1$s.cni]
                      bin_dir = "/usr/lib/cni"
                      conf_dir = "%4$s"
                    """.formatted(p, PAUSE, dir.resolve("runc"), cniDir);
        }
        return """

                [plugins.'io.containerd.cri.v1.images']
                  snapshotter = 'overlayfs'
                [plugins.'io.containerd.cri.v1.images'.pinned_images]
                  sandbox = '%1$s'
                [plugins.'io.containerd.cri.v1.runtime']
                  restrict_oom_score_adj = true
                  netns_mounts_under_state_dir = true
                  enable_cdi = false
                [plugins.'io.containerd.cri.v1.runtime'.containerd]
                  default_runtime_name = 'runc'
                [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
                  runtime_type = 'io.containerd.runc.v2'
                [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
                  Root = '%2$s'
                [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.jshim]
                  runtime_type = 'io.containerd.jshim.v2'
                [plugins.'io.containerd.cri.v1.runtime'.cni]
                  bin_dirs = ['/usr/lib/cni']
                  conf_dir = '%3$s'
                [plugins.'io.containerd.grpc.v1.cri']
                  stream_server_address = '127.0.0.1'
                  stream_server_port = '0'
                """.formatted(PAUSE, dir.resolve("runc"), cniDir);
    }

    private static LeakCheck.Markers markers(ItSession session, Path work, Path containerdDir, Path stateRoot,
            String cgroupRoot) {
        List<String> paths = new ArrayList<>(List.of(work.toString()));
        if (containerdDir != null) {
            paths.add(containerdDir.toString());
        }
        return new LeakCheck.Markers(paths, List.of(cgroupRoot.substring(1)), List.of(stateRoot.resolve("k8s.io")));
    }

    /** Names under /run/netns (containerd 1.6 puts pod network namespaces there). */
    private static Set<String> netns() {
        Set<String> names = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(NETNS_DIR)) {
            ds.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            // no such dir yet
        }
        return names;
    }

    /** Live jshim shim daemons, from the pid files they write under the state root. */
    List<Long> daemonPids() {
        return ShimDaemons.live(stateRoot);
    }

    /** Waits up to the idle time plus 10 s for the jshim daemons to leave; returns those still there. */
    List<Long> awaitNoDaemons() {
        long deadline = System.nanoTime() + IDLE.plusSeconds(10).toNanos();
        while (!daemonPids().isEmpty() && System.nanoTime() < deadline) {
            sleep(100);
        }
        return daemonPids();
    }

    /** What the test left so far (processes, mounts, cgroups, engine state, network namespaces). */
    List<String> leaks() {
        String containerdItself = "process " + containerd.pid() + "/";
        List<String> problems = new ArrayList<>(LeakCheck.leaksSince(before,
                markers(session, work, containerd.dir(), stateRoot, cgroupRoot), LeakCheck.POLL).stream()
                .filter(leak -> !leak.startsWith(containerdItself)).toList());
        for (String ns : netns()) {
            if (!netnsBefore.contains(ns)) {
                problems.add("network namespace /run/netns/" + ns);
            }
        }
        return problems;
    }

    /** Removes the (empty) cgroup parents the test named for its pods; a non-empty one is a leak. */
    void removeCgroupParents() {
        try (DirectoryStream<Path> hierarchies = Files.newDirectoryStream(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies) {
                Path top = h.resolve(cgroupRoot.substring(1));
                if (Files.isDirectory(top)) {
                    try (DirectoryStream<Path> pods = Files.newDirectoryStream(top, Files::isDirectory)) {
                        for (Path pod : pods) {
                            rmdirQuietly(pod);
                        }
                    }
                    rmdirQuietly(top);
                }
            }
        } catch (IOException e) {
            // no cgroupfs
        }
    }

    private static void rmdirQuietly(Path dir) {
        try {
            Files.delete(dir);
        } catch (IOException e) {
            // not empty: a container's cgroup is left, which the leak check reports
        }
    }

    /** The daemons' logs, for failure messages. */
    String daemonLogs() {
        return ShimDaemons.logs(stateRoot, 40);
    }

    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        client.close();
        containerd.stop();
        for (long pid : awaitNoDaemons()) {
            problems.add("shim daemon " + pid + " still running " + IDLE.plusSeconds(10) + " after the last task");
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        removeCgroupParents();
        List<String> leaks = leaks();
        problems.addAll(leaks);
        for (String leak : leaks) {
            if (leak.startsWith("process ")) {
                String pid = leak.split(" ")[1];
                ProcessHandle.of(Long.parseLong(pid.substring(0, pid.indexOf('/')))).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        sleep(300);
        for (String mp : LeakCheck.mountPoints()) {
            if (mp.startsWith(containerd.dir() + "/") || mp.startsWith(work + "/")) {
                try {
                    OciImages.run("umount", "-l", mp);
                } catch (IOException e) {
                    problems.add("cannot unmount " + mp + ": " + e.getMessage());
                }
            }
        }
        try {
            // the test's own bridge, made by the CNI bridge plugin for this run (ip(8) in test code only)
            if (Files.exists(Path.of("/sys/class/net", bridge))) {
                OciImages.run("ip", "link", "del", bridge);
            }
        } catch (IOException e) {
            problems.add("cannot delete bridge " + bridge + ": " + e.getMessage());
        }
        containerd.close();
        if (!problems.isEmpty()) {
            throw new AssertionError("the CRI test under containerd " + version + " left behind:\n  "
                    + String.join("\n  ", problems) + "\n" + daemonLogs());
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
