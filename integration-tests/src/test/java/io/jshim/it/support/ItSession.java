package io.jshim.it.support;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of the suite (one test JVM): a random token, the work dir
 * {@code /tmp/jshim-it-<token>} under which every test makes its bundles and private state
 * roots, and a {@link LeakCheck} snapshot taken at the start.
 *
 * <p>Everything the suite makes is named after the token: work dirs start with
 * {@code /tmp/jshim-it-<token>}, container ids with {@code it-<token>} (so their cgroups and state
 * dirs do too). {@link io.jshim.it.CleanupIT}, ordered last, asserts that none of it is left; then
 * {@link #close()} (run once by JUnit when the root extension store closes, after every class)
 * sweeps up whatever is left anyway, so that a failed run does not spoil the machine for the next.
 */
public final class ItSession implements AutoCloseable {
    /** Work dirs live here (short paths: unix socket paths are limited to 108 bytes). */
    public static final String WORK_PREFIX = "/tmp/jshim-it-";

    private static volatile ItSession current;

    private final String token;
    private final Path workDir;
    private final Set<Path> stateRoots = ConcurrentHashMap.newKeySet();
    private final AtomicInteger testSeq = new AtomicInteger();
    private final LeakCheck.Snapshot atStart;
    private volatile boolean closed;

    private ItSession() {
        SecureRandom rnd = new SecureRandom();
        byte[] b = new byte[3];
        rnd.nextBytes(b);
        this.token = HexFormat.of().formatHex(b);
        this.workDir = Path.of(WORK_PREFIX + token);
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + workDir, e);
        }
        this.atStart = LeakCheck.snapshot(markers());
    }

    /** The session of this JVM (made on first use). */
    public static ItSession get() {
        ItSession s = current;
        if (s == null) {
            synchronized (ItSession.class) {
                s = current;
                if (s == null || s.closed) {
                    current = s = new ItSession();
                }
            }
        }
        return s;
    }

    /** Six hex digits, unique to this run. */
    public String token() {
        return token;
    }

    /** The prefix of every container id of this run: {@code it-<token>}. */
    public String idPrefix() {
        return "it-" + token;
    }

    public Path workDir() {
        return workDir;
    }

    /** A new, empty directory for one test: {@code <workDir>/<seq>-<label>}. */
    Path newTestDir(String label) {
        String safe = label.replaceAll("[^A-Za-z0-9_.-]", "_");
        if (safe.length() > 24) {
            safe = safe.substring(0, 24);
        }
        Path d = workDir.resolve(String.format("%03d-%s", testSeq.incrementAndGet(), safe));
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + d, e);
        }
        return d;
    }

    void registerStateRoot(Path root) {
        stateRoots.add(root);
    }

    /** Markers of everything this run makes. */
    public LeakCheck.Markers markers() {
        return new LeakCheck.Markers(List.of(workDir.toString()), List.of(idPrefix()), List.copyOf(stateRoots));
    }

    /** What the whole run has left behind so far (polls up to {@link LeakCheck#POLL}). */
    public List<String> leaksSinceStart() {
        return LeakCheck.leaksSince(atStart, markers(), LeakCheck.POLL);
    }

    /**
     * Sweeps up whatever the run left (processes killed by pid, mounts lazily unmounted, cgroups
     * removed), then deletes the work dir. Reports what it had to sweep on stderr.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> leaks = LeakCheck.leaksSince(atStart, markers(), LeakCheck.POLL);
        if (!leaks.isEmpty()) {
            System.err.println("[jshim-it] sweeping up what the run left behind:\n  " + String.join("\n  ", leaks));
            sweep(leaks);
        }
        List<String> mounts = LeakCheck.mountPoints().stream()
                .filter(mp -> mp.startsWith(workDir + "/") || mp.equals(workDir.toString())).toList();
        if (mounts.isEmpty()) {
            deleteTree(workDir);
        } else {
            System.err.println("[jshim-it] keeping " + workDir + ": still mounted below it: " + mounts);
        }
    }

    private void sweep(List<String> leaks) {
        // 1. processes: SIGKILL by pid (each was started by this run: it is in our cgroups,
        //    has its root in our work dir, or names our work dir or ids on its command line)
        for (String item : leaks) {
            if (item.startsWith("process ")) {
                String pidPart = item.split(" ")[1];
                long pid = Long.parseLong(pidPart.substring(0, pidPart.indexOf('/')));
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        Runtime.sleep(500);
        // 2. mounts, deepest first
        List<String> mounts = new ArrayList<>();
        for (String item : leaks) {
            if (item.startsWith("mount ")) {
                String mp = item.substring("mount ".length()).replaceFirst("#\\d+$", "");
                mounts.add(mp);
            }
        }
        mounts.sort((a, b) -> Integer.compare(b.length(), a.length()));
        for (String mp : mounts) {
            run("umount", "-l", mp);
        }
        // 3. cgroups (removable once their processes are gone), deepest first
        for (int attempt = 0; attempt < 20; attempt++) {
            List<Path> dirs = LeakCheck.cgroupDirs(List.of(idPrefix()));
            if (dirs.isEmpty()) {
                break;
            }
            for (Path d : dirs) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    // busy: retry
                }
            }
            Runtime.sleep(250);
        }
    }

    private static void run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // best effort
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Deletes a directory tree without following symlinks; refuses (returns false) if anything is
     * mounted below it, so that a leaked bind mount never makes us delete host files.
     */
    public static boolean deleteTree(Path dir) {
        String prefix = dir.toAbsolutePath().normalize().toString();
        boolean mounted = LeakCheck.mountPoints().stream()
                .anyMatch(mp -> mp.equals(prefix) || mp.startsWith(prefix + "/"));
        if (mounted || !Files.exists(dir)) {
            return !mounted;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
