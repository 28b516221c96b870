package io.jshim.it.shim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.it.support.ItEnv;
import io.jshim.it.support.ItSession;
import io.jshim.it.support.LeakCheck;
import io.jshim.it.support.OciImages;
import io.jshim.it.support.ShimDaemons;
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
import java.util.concurrent.TimeUnit;

/**
 * A private containerd (Debian 12's 1.6.20, or a 2.x from Debian unstable) with {@code dist/bin} on its
 * PATH, so that {@code --runtime io.containerd.jshim.v2} runs our {@code containerd-shim-jshim-v2}; plus
 * what the shim tests need around it: a busybox rootfs, an OCI image of it imported into containerd,
 * {@code ctr} in the test's own namespace, and a leak check of everything the shim could leave behind.
 *
 * <p>Shim settings (inherited by the shim through containerd's environment): its state root
 * ({@code JSHIM_SHIM_STATE_ROOT}, engine state and the daemons' locks, logs and pid files) and socket
 * dir under the run's work dir, and a short idle time ({@code JSHIM_SHIM_IDLE_TIMEOUT}) so that the
 * namespace's daemon exits soon after the last test.
 */
final class ShimFixture implements AutoCloseable {

    static final String RUNTIME = "io.containerd.jshim.v2";
    static final String IMAGE = "docker.io/library/jshim-it-busybox:latest";
    static final Duration CTR_TIMEOUT = Duration.ofSeconds(60);
    static final Duration IDLE = Duration.ofSeconds(3);
    private static final java.util.concurrent.atomic.AtomicInteger SEQ = new java.util.concurrent.atomic.AtomicInteger();

    final ItSession session = ItSession.get();
    final String version;
    final Path work;
    final Path rootfs;
    final Path stateRoot;
    final String namespace;
    final ContainerdDaemon containerd;
    private final LeakCheck.Snapshot before;

    private ShimFixture(String version, Path work, Path rootfs, Path stateRoot, String namespace,
            ContainerdDaemon containerd, LeakCheck.Snapshot before) {
        this.version = version;
        this.work = work;
        this.rootfs = rootfs;
        this.stateRoot = stateRoot;
        this.namespace = namespace;
        this.containerd = containerd;
        this.before = before;
    }

    /** @param version "1" (Debian 12's containerd 1.6) or "2" (containerd 2.x from Debian unstable) */
    static ShimFixture start(String version) throws Exception {
        return start(version, false);
    }

    /**
     * @param jshimAsRunc containerd's {@code io.containerd.runc.v2} runtime runs jshim's binary (a
     *                    {@code containerd-shim-runc-v2} symlink first on containerd's PATH), so that ctr
     *                    sends jshim runc's options (its {@code --runc-*} flags), as a CRI handler of
     *                    runtime_type {@code io.containerd.runc.v2} with jshim as runtime_path does
     */
    static ShimFixture start(String version, boolean jshimAsRunc) throws Exception {
        if (jshimAsRunc) {
            String flavour = version + "r";
            Path alias = Files.createDirectories(ItSession.get().workDir().resolve("shim" + flavour + "/alias"));
            Path link = alias.resolve("containerd-shim-runc-v2");
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, ItEnv.repoRoot().resolve("dist/bin/containerd-shim-jshim-v2"));
            }
            return start(version, flavour, alias + ":");
        }
        return start(version, version, "");
    }

    private static ShimFixture start(String version, String flavour, String pathPrefix) throws Exception {
        Path bin = Path.of(version.equals("1")
                ? Scripts.run("ensure-containerd1.sh", Duration.ofMinutes(5))
                : Scripts.run("fetch-containerd2.sh", Duration.ofMinutes(5)));
        ItSession session = ItSession.get();
        // several fixtures of one flavour per run (e.g. PauseImageIT and Containerd16ShimIT): a dir each
        Path work = Files.createDirectories(session.workDir().resolve("shim" + flavour + "-" + SEQ.incrementAndGet()));
        Path stateRoot = work.resolve("jshim");
        String namespace = session.idPrefix() + "-ns" + flavour;
        LeakCheck.Snapshot before = LeakCheck.snapshot(markers(session, work, null, stateRoot, namespace));
        Path rootfs = busyboxRootfs(work.resolve("rootfs"));
        Path dist = ItEnv.repoRoot().resolve("dist/bin");
        assertTrue(Files.isExecutable(dist.resolve("containerd-shim-jshim-v2")), "no " + dist
                + "/containerd-shim-jshim-v2: build first (mvn install)");
        ContainerdDaemon containerd = ContainerdDaemon.start(bin, version.equals("1") ? 2 : 3, dir -> Map.of(
                "PATH", pathPrefix + dist + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                "JSHIM_SHIM_STATE_ROOT", stateRoot.toString(),
                "JSHIM_SHIM_SOCKET_DIR", session.workDir().resolve("s").toString(),
                "JSHIM_SHIM_IDLE_TIMEOUT", Long.toString(IDLE.toSeconds())),
                "\n[debug]\n  level = \"debug\"\n");
        ShimFixture f = new ShimFixture(version, work, rootfs, stateRoot, namespace, containerd, before);
        try {
            f.importImage();
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
        return f;
    }

    private static LeakCheck.Markers markers(ItSession session, Path work, Path containerdDir, Path stateRoot,
            String namespace) {
        List<String> paths = new ArrayList<>(List.of(work.toString()));
        if (containerdDir != null) {
            paths.add(containerdDir.toString());
        }
        return new LeakCheck.Markers(paths, List.of(session.idPrefix()), List.of(stateRoot.resolve(namespace)));
    }

    /** A container id of this run: {@code it-<token>-<version>-<name>}. */
    String id(String name) {
        return session.idPrefix() + "-" + version + "-" + name;
    }

    /** Runs {@code ctr --address <sock> --namespace <ns> <args>} and returns status and combined output. */
    ContainerdDaemon.CtrResult ctr(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("--namespace", namespace));
        all.addAll(List.of(args));
        return containerd.ctr(CTR_TIMEOUT, all.toArray(String[]::new));
    }

    /** Starts {@code ctr ... <args>} and returns the process (stdout and stderr merged, readable). */
    Process ctrProcess(String... args) throws IOException {
        Process p = ctrProcessWithStdin(args);
        p.getOutputStream().close();
        return p;
    }

    /** As {@link #ctrProcess}, with ctr's stdin left open for the caller to write to. */
    Process ctrProcessWithStdin(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(containerd.binDir().resolve("ctr").toString(), "--address",
                containerd.grpcAddress().toString(), "--namespace", namespace));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** {@code ctr task ls} as id → [pid, status]. */
    Map<String, String[]> tasks() throws Exception {
        ContainerdDaemon.CtrResult r = ctr("task", "ls");
        assertTrue(r.exitStatus() == 0, r.output());
        Map<String, String[]> out = new java.util.TreeMap<>();
        for (String line : r.output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && !f[0].equals("TASK")) {
                out.put(f[0], new String[] {f[1], f[2]});
            }
        }
        return out;
    }

    /** Polls until {@code ctr task ls} shows {@code id} with {@code status} (or absent, for null). */
    void awaitTask(String id, String status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            String[] t = tasks().get(id);
            if (status == null ? t == null : t != null && t[1].equals(status)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("task " + id + " not " + status + " within 20 s: " + ctr("task", "ls").output());
            }
            Thread.sleep(50);
        }
    }

    /** Live shim daemons of this fixture, from the pid files they write under the state root. */
    List<Long> daemonPids() {
        return ShimDaemons.live(stateRoot);
    }

    /** The daemon's log, for failure messages. */
    String daemonLogs() {
        return ShimDaemons.logs(stateRoot, 30);
    }

    /**
     * Stops containerd, waits for the shim daemons to leave on their own (idle time), and fails if
     * anything of the shim's is left: a daemon, jshim-init or container process, a mount under
     * containerd's or the run's dirs, a cgroup named after the run's ids, engine state. Leftovers are
     * swept (by pid, lazy unmount) so that they do not spoil later tests; then containerd's dir goes.
     */
    @Override
    public void close() {
        containerd.stop();
        List<String> problems = new ArrayList<>();
        long deadline = System.nanoTime() + IDLE.plusSeconds(10).toNanos();
        while (!daemonPids().isEmpty() && System.nanoTime() < deadline) {
            sleep(100);
        }
        for (long pid : daemonPids()) {
            problems.add("shim daemon " + pid + " still running " + IDLE.plusSeconds(10) + " after the last task");
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        removeNamespaceCgroups();
        LeakCheck.Markers m = markers(session, work, containerd.dir(), stateRoot, namespace);
        List<String> leaks = LeakCheck.leaksSince(before, m, LeakCheck.POLL);
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
                    run("umount", "-l", mp);
                } catch (IOException e) {
                    problems.add("cannot unmount " + mp + ": " + e.getMessage());
                }
            }
        }
        containerd.close();
        if (!problems.isEmpty()) {
            throw new AssertionError("the shim under containerd " + version + " left behind:\n  "
                    + String.join("\n  ", problems) + "\n" + daemonLogs());
        }
    }

    /** ctr's default spec puts a task in cgroup /<namespace>/<id>: the namespace level is the test's to remove. */
    private void removeNamespaceCgroups() {
        try (DirectoryStream<Path> hierarchies = Files.newDirectoryStream(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies) {
                Path nsDir = h.resolve(namespace);
                if (Files.isDirectory(nsDir)) {
                    try {
                        Files.delete(nsDir);
                    } catch (IOException e) {
                        // not empty: a task's cgroup is left, which the leak check reports
                    }
                }
            }
        } catch (IOException e) {
            // no cgroupfs
        }
    }

    // ---- the rootfs and its image -----------------------------------------------------------------

    private static Path busyboxRootfs(Path dir) throws IOException, InterruptedException {
        return OciImages.busyboxRootfs(dir);
    }

    /** The busybox rootfs as an OCI image named {@link #IMAGE}, imported into the test's namespace. */
    private void importImage() throws Exception {
        Path archive = OciImages.archive(work, rootfs, IMAGE, "{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"/bin/sh\"]}");
        ContainerdDaemon.CtrResult r = ctr("images", "import", archive.toString());
        assertTrue(r.exitStatus() == 0, "ctr images import: " + r.output());
    }

    static void run(String... cmd) throws IOException {
        OciImages.run(cmd);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
