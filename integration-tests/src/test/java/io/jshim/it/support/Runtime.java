package io.jshim.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A runc-compatible runtime binary with its own private {@code --root} state dir.
 *
 * <p>Every command runs as {@code <binary> --root <root> <args...>} with stdin from
 * {@code /dev/null} and stdout/stderr captured in files (not pipes: a detached container inherits
 * them and would otherwise keep the pipe open). {@link #close()} runs {@code delete --force} for
 * every id this object passed to {@code create} or {@code run} (the id is the last argument), so
 * a test leaves nothing behind even when it fails half-way.
 */
public final class Runtime implements AutoCloseable {
    /** Default time limit of one command. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final String name;
    private final Path binary;
    private final Path root;
    private final Path scratch;
    private final boolean jrunc;
    private final Set<String> created = Collections.synchronizedSet(new LinkedHashSet<>());

    /**
     * @param name    short name used in messages ({@code jrunc}, {@code runc})
     * @param binary  the runtime binary
     * @param root    its private state dir (passed as {@code --root}; created if missing)
     * @param jrunc   whether jrunc-only expectations apply to it
     */
    public Runtime(String name, Path binary, Path root, boolean jrunc) {
        this.name = name;
        this.binary = binary;
        this.root = root;
        this.jrunc = jrunc;
        this.scratch = root.resolveSibling(root.getFileName() + ".out");
        try {
            Files.createDirectories(scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public Path binary() {
        return binary;
    }

    public Path root() {
        return root;
    }

    /** True if this is jrunc (jrunc-specific assertions apply). */
    public boolean isJrunc() {
        return jrunc;
    }

    /** Ids this runtime was asked to create (and will delete at close). */
    public Set<String> createdIds() {
        synchronized (created) {
            return new LinkedHashSet<>(created);
        }
    }

    /** Runs {@code <binary> --root <root> args...} and waits up to {@link #TIMEOUT}. */
    public Result run(String... args) {
        return run(TIMEOUT, List.of(args));
    }

    /** Runs {@code <binary> --root <root> args...} and waits up to {@code timeout}. */
    public Result run(Duration timeout, List<String> args) {
        return start(args).await(timeout);
    }

    /** Runs {@code <binary> args...} without the {@code --root} option (e.g. {@code spec}). */
    public Result runWithoutRoot(Path cwd, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        return launch(cmd, cwd).await(TIMEOUT);
    }

    /** Starts {@code <binary> --root <root> args...} in the background. */
    public Started start(String... args) {
        return start(List.of(args));
    }

    /**
     * Runs {@code <binary> --root <root> args...} in {@code cwd} (as a user does: {@code cd bundle;
     * jrunc run ID}) and waits up to {@link #TIMEOUT}.
     */
    public Result runIn(Path cwd, String... args) {
        return start(cwd, List.of(args)).await(TIMEOUT);
    }

    /** Starts {@code <binary> --root <root> args...} in the background. */
    public Started start(List<String> args) {
        return start(null, args);
    }

    /** Starts {@code <binary> --root <root> args...} in the background, in {@code cwd} if not null. */
    public Started start(Path cwd, List<String> args) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(name + " binary not found or not executable: " + binary
                    + (jrunc ? " (build it with `mvn package` from the repository root, or run the tests with"
                            + " -Djshim.it.runtime=runc to develop the harness)" : ""));
        }
        if (!args.isEmpty() && (args.getFirst().equals("create") || args.getFirst().equals("run")) && args.size() > 1) {
            created.add(args.getLast());
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.add("--root");
        cmd.add(root.toString());
        cmd.addAll(args);
        return launch(cmd, cwd);
    }

    private Started launch(List<String> cmd, Path cwd) {
        int n = SEQ.incrementAndGet();
        Path out = scratch.resolve(n + ".stdout");
        Path err = scratch.resolve(n + ".stderr");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        try {
            return new Started(cmd, pb.start(), out, err, System.nanoTime());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd, e);
        }
    }

    /** {@code state <id>} parsed, or null if the command fails (e.g. the container does not exist). */
    public JsonNode state(String id) {
        Result r = run("state", id);
        if (r.exitCode() != 0) {
            return null;
        }
        try {
            return JSON.readTree(r.stdout());
        } catch (IOException e) {
            throw new AssertionError(name + " state printed invalid JSON:\n" + r.describe(), e);
        }
    }

    /** The {@code status} field of {@code state <id>}, or {@code "(none)"} if it does not exist. */
    public String status(String id) {
        JsonNode st = state(id);
        return st == null ? "(none)" : st.path("status").asText("(missing)");
    }

    /**
     * Polls {@code state <id>} every 50 ms until its status satisfies {@code until} or
     * {@code timeout} passes; returns the last status seen.
     */
    public String awaitStatus(String id, Predicate<String> until, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String s;
        while (true) {
            s = status(id);
            if (until.test(s) || System.nanoTime() > deadline) {
                return s;
            }
            sleep(50);
        }
    }

    /** Polls until {@code state <id>} reports {@code status} (see {@link #awaitStatus}). */
    public String awaitStatus(String id, String status, Duration timeout) {
        return awaitStatus(id, status::equals, timeout);
    }

    /** {@code delete --force} every container this runtime created; returns the failures. */
    public List<String> deleteAll() {
        List<String> failures = new ArrayList<>();
        for (String id : createdIds()) {
            if (!Files.isExecutable(binary)) {
                break;
            }
            if (!id.matches("[\\w+.-]+")) {
                continue; // not a valid id (a bad-input test): nothing can have been created
            }
            Result r = run(Duration.ofSeconds(30), List.of("delete", "--force", id));
            if (r.exitCode() != 0) {
                failures.add(name + " delete --force " + id + " failed:\n" + r.describe());
            }
        }
        return failures;
    }

    /** Deletes every container it created ({@code delete --force}, by id). */
    @Override
    public void close() {
        deleteAll();
    }

    @Override
    public String toString() {
        return name + " (" + binary + ", --root " + root + ")";
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }

    /** A command running in the background. */
    public static final class Started {
        private final List<String> command;
        private final Process process;
        private final Path out;
        private final Path err;
        private final long startNanos;

        Started(List<String> command, Process process, Path out, Path err, long startNanos) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
            this.startNanos = startNanos;
        }

        public long pid() {
            return process.pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** What it has written on stdout so far. */
        public String stdoutSoFar() {
            return read(out);
        }

        /**
         * Waits up to {@code timeout}; on time-out kills the command and its descendants (all
         * started by this test, killed by pid) and returns a result with {@code timedOut}.
         */
        public Result await(Duration timeout) {
            boolean done;
            try {
                done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            }
            if (!done) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            long ms = (System.nanoTime() - startNanos) / 1_000_000;
            Result r = new Result(command, done ? process.exitValue() : -1, read(out), read(err), ms, !done);
            try {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            } catch (IOException e) {
                // leave them
            }
            return r;
        }

        private static String read(Path p) {
            try {
                return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }
    }
}
