package io.jshim.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A containerd started privately for one test: its own config, root, state, gRPC and ttrpc sockets under
 * a fresh directory, nothing shared with a system containerd. {@link #close()} stops it by pid (SIGTERM,
 * then SIGKILL) and removes the directory, also after a failed test.
 */
public final class ContainerdDaemon implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final Path binDir;
    private final Path dir;
    private final Path log;
    private volatile Process process;
    private final List<Process> children = new ArrayList<>();
    private java.util.Map<String, String> env = java.util.Map.of();

    private ContainerdDaemon(Path binDir, Path dir, Process process) {
        this.binDir = binDir;
        this.dir = dir;
        this.log = dir.resolve("containerd.log");
        this.process = process;
    }

    /**
     * Stops containerd by pid (SIGTERM; its shims and their tasks keep running) and starts it again with
     * the same config and environment, appending to the same log; waits until it answers again. The ctr
     * processes started through this object (e.g. {@link #subscribeToEvents()}) end with it.
     */
    public void restart() throws IOException, InterruptedException {
        stopOnly();
        startAgain();
    }

    /** The first half of {@link #restart()}: containerd and its ctr processes are stopped. */
    public void stopOnly() {
        stop();
    }

    /** The second half of {@link #restart()}: starts containerd again on the same config. */
    public void startAgain() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(binDir.resolve("containerd").toString(), "--config",
                dir.resolve("config.toml").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        process = builder.start();
        awaitReady();
    }

    /**
     * Starts {@code binDir/containerd} and waits until {@code ctr version} answers on its socket.
     *
     * @param configVersion 2 for containerd 1.x, 3 for 2.x
     */
    public static ContainerdDaemon start(Path binDir, int configVersion) throws IOException, InterruptedException {
        return start(binDir, configVersion, java.util.Map.of());
    }

    /** As {@link #start(Path, int)}, with extra environment for containerd (which its shims inherit). */
    public static ContainerdDaemon start(Path binDir, int configVersion, java.util.Map<String, String> env)
            throws IOException, InterruptedException {
        return start(binDir, configVersion, dir -> env, "");
    }

    /**
     * As {@link #start(Path, int)}, with environment made from the daemon's own directory (e.g. state
     * dirs for its shims) and extra TOML appended to its config (e.g. {@code [debug] level = "debug"}).
     */
    public static ContainerdDaemon start(Path binDir, int configVersion,
            java.util.function.Function<Path, java.util.Map<String, String>> envForDir, String extraConfig)
            throws IOException, InterruptedException {
        return start(binDir, configVersion, false, envForDir, dir -> extraConfig);
    }

    /**
     * As {@link #start(Path, int, java.util.function.Function, String)}, with the CRI plugins enabled when
     * {@code cri} is set (their settings are the caller's extra TOML, made from the daemon's directory).
     */
    public static ContainerdDaemon start(Path binDir, int configVersion, boolean cri,
            java.util.function.Function<Path, java.util.Map<String, String>> envForDir,
            java.util.function.Function<Path, String> extraConfigForDir)
            throws IOException, InterruptedException {
        // short path: unix socket paths must stay under 108 bytes
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jshim-ctrd-");
        Path config = dir.resolve("config.toml");
        Files.writeString(config, config(dir, configVersion, cri) + extraConfigForDir.apply(dir));
        java.util.Map<String, String> env = envForDir.apply(dir);
        ProcessBuilder builder = new ProcessBuilder(binDir.resolve("containerd").toString(), "--config",
                config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("containerd.log").toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        ContainerdDaemon daemon = new ContainerdDaemon(binDir, dir, process);
        daemon.env = env;
        try {
            daemon.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            daemon.close();
            throw e;
        }
        return daemon;
    }

    private static String config(Path dir, int version, boolean cri) {
        // Plugins that would touch shared host state or need things this test does not have are off.
        List<String> all = version >= 3
                ? List.of("io.containerd.cri.v1.images", "io.containerd.cri.v1.runtime", "io.containerd.grpc.v1.cri",
                        "io.containerd.podsandbox.controller.v1.podsandbox", "io.containerd.nri.v1.nri",
                        "io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs",
                        "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
                        "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.erofs",
                        "io.containerd.differ.v1.erofs")
                : List.of("io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
                        "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
                        "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs");
        List<String> disabled = cri
                ? all.stream().filter(p -> !p.contains(".cri") && !p.contains("podsandbox")).toList()
                : all;
        return """
                version = %d
                root = "%s"
                state = "%s"
                disabled_plugins = [%s]

                [grpc]
                  address = "%s"

                [ttrpc]
                  address = "%s"
                """.formatted(version, dir.resolve("root"), dir.resolve("state"),
                String.join(", ", disabled.stream().map(p -> "\"" + p + "\"").toList()),
                dir.resolve("c.sock"), dir.resolve("c.sock.ttrpc"));
    }

    public Path grpcAddress() {
        return dir.resolve("c.sock");
    }

    public Path ttrpcAddress() {
        return dir.resolve("c.sock.ttrpc");
    }

    public long pid() {
        return process.pid();
    }

    /** This daemon's private directory (config, root, state, sockets, log). */
    public Path dir() {
        return dir;
    }

    /** Runs ctr against this daemon and returns its exit status and combined output. */
    public CtrResult ctr(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binDir.resolve("ctr").toString(), "--address",
                grpcAddress().toString()));
        command.addAll(List.of(args));
        Process ctr = new ProcessBuilder(command).redirectErrorStream(true).start();
        ctr.getOutputStream().close();
        if (!ctr.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            ctr.destroyForcibly();
            ctr.waitFor(5, TimeUnit.SECONDS);
            return new CtrResult(-1, "ctr " + String.join(" ", args) + " timed out after " + timeout + "\n"
                    + new String(ctr.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return new CtrResult(ctr.exitValue(), new String(ctr.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Starts ctr against this daemon without waiting; {@link #close()} stops it if it is still running. */
    public Process ctrProcess(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(binDir.resolve("ctr").toString(), "--address",
                grpcAddress().toString()));
        command.addAll(List.of(args));
        Process ctr = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ctr.getOutputStream().close();
        children.add(ctr);
        return ctr;
    }

    public record CtrResult(int exitStatus, String output) {
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("containerd exited with " + process.exitValue() + ":\n" + logTail());
            }
            if (Files.exists(ttrpcAddress()) && ctrSucceeds("version")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("containerd not ready within " + READY_TIMEOUT + ":\n" + logTail());
    }

    private boolean ctrSucceeds(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binDir.resolve("ctr").toString(), "--address",
                grpcAddress().toString()));
        command.addAll(List.of(args));
        Process ctr = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!ctr.waitFor(5, TimeUnit.SECONDS)) {
            ctr.destroyForcibly();
            return false;
        }
        return ctr.exitValue() == 0;
    }

    /**
     * Runs {@code ctr --address <sock> events} and returns a queue that receives each line it prints. The
     * process is stopped by {@link #close()}.
     */
    public BlockingQueue<String> subscribeToEvents() throws IOException {
        Process ctr = new ProcessBuilder(binDir.resolve("ctr").toString(), "--address", grpcAddress().toString(),
                "events")
                .redirectError(dir.resolve("ctr-events.err").toFile())
                .start();
        ctr.getOutputStream().close();
        children.add(ctr);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().name("ctr-events").start(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(ctr.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // process stopped
            }
        });
        return lines;
    }

    /** The size of containerd's log now, to read what it logs later with {@link #logSince(long)}. */
    public long logSize() {
        try {
            return Files.size(log);
        } catch (IOException e) {
            return 0;
        }
    }

    /** What containerd logged after {@code offset} (from {@link #logSize()}). */
    public String logSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public String logTail() {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The directory of containerd's and ctr's binaries. */
    public Path binDir() {
        return binDir;
    }

    /** Stops containerd and the ctr processes started through this object, by pid; keeps the directory. */
    public void stop() {
        for (Process child : children) {
            stop(child, Duration.ofSeconds(2));
        }
        stop(process, Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        stop();
        deleteRecursively(dir);
    }

    private static void stop(Process p, Duration grace) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy(); // SIGTERM to this pid only
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a leftover file in /tmp must not hide the test result
                }
            });
        } catch (IOException e) {
            // already gone
        }
    }
}
