package io.jshim.it.support;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one test works with: its own directory, unique container ids, the runtimes (each with a
 * private {@code --root} inside the directory) and bundles. Injected into test methods by
 * {@link ItExtension}, which {@linkplain #close() closes} it after the test, pass or fail:
 * every container it created is deleted ({@code delete --force}, by id), then
 * {@link LeakCheck} must find nothing left (no process, mount, cgroup or state dir), else the
 * test fails.
 *
 * <p>Ids look like {@code it-<run token><test tag>-<name>}, e.g. {@code it-3fa9c1b07e-hostname}:
 * unique per test and per run, and recognisable by the run-wide leak check.
 */
public final class TestBed implements AutoCloseable {
    private static final SecureRandom RND = new SecureRandom();

    private final ItSession session;
    private final String label;
    private final Path dir;
    private final String idPrefix;
    private final Set<String> ids = new LinkedHashSet<>();
    private final List<Runtime> runtimes = new ArrayList<>();
    private final LeakCheck.Snapshot before;
    private Runtime underTest;
    private Runtime runc;

    TestBed(ItSession session, String label) {
        this.session = session;
        this.label = label;
        this.dir = session.newTestDir(label);
        byte[] b = new byte[2];
        RND.nextBytes(b);
        this.idPrefix = session.idPrefix() + HexFormat.of().formatHex(b);
        this.before = LeakCheck.snapshot(markers());
    }

    /** This test's directory (empty at the start, deleted at the end if nothing leaked). */
    public Path dir() {
        return dir;
    }

    /** A unique container id ending in {@code name} (lower-case letters, digits, dashes). */
    public synchronized String id(String name) {
        String n = name.toLowerCase().replaceAll("[^a-z0-9-]", "-");
        if (n.length() > 24) {
            n = n.substring(0, 24);
        }
        String id = idPrefix + "-" + n;
        for (int i = 2; ids.contains(id); i++) {
            id = idPrefix + "-" + n + i;
        }
        ids.add(id);
        return id;
    }

    /**
     * The runtime the jrunc tests drive: {@code dist/bin/jrunc} unless
     * {@code -Djshim.it.runtime} says otherwise (see {@link ItEnv}).
     */
    public synchronized Runtime jrunc() {
        if (underTest == null) {
            Path bin = ItEnv.runtimeUnderTestBinary();
            String name = ItEnv.testingJrunc() ? "jrunc" : bin.getFileName().toString();
            underTest = newRuntime(name, bin, ItEnv.testingJrunc());
        }
        return underTest;
    }

    /** Debian's runc, the reference. */
    public synchronized Runtime runc() {
        if (runc == null) {
            runc = newRuntime("runc", ItEnv.runcBinary(), false);
        }
        return runc;
    }

    private Runtime newRuntime(String name, Path bin, boolean isJrunc) {
        // "root-jrunc" vs "root-runc": distinct even when both sides are runc
        Path root = dir.resolve(runtimes.isEmpty() ? "root-" + name : "root" + runtimes.size() + "-" + name);
        session.registerStateRoot(root);
        Runtime r = new Runtime(name, bin, root, isJrunc);
        runtimes.add(r);
        return r;
    }

    /** A busybox bundle to be made at {@code <dir>/<name>}. */
    public BusyboxBundle.Builder bundle(String name) {
        return BusyboxBundle.builder(dir, name);
    }

    /** A path inside this test's directory. */
    public Path path(String name) {
        return dir.resolve(name);
    }

    /** What identifies this test's things for {@link LeakCheck}. */
    public LeakCheck.Markers markers() {
        List<Path> roots = runtimes.stream().map(Runtime::root).toList();
        return new LeakCheck.Markers(List.of(dir.toString()), List.of(idPrefix), roots);
    }

    /** A snapshot of this test's things now (see {@link #assertNothingNewSince}). */
    public LeakCheck.Snapshot snapshot() {
        return LeakCheck.snapshot(markers());
    }

    /**
     * Asserts, without deleting anything first, that no process, mount, cgroup or state dir of
     * this test appeared since {@code before} (polls up to {@link LeakCheck#POLL}).
     */
    public void assertNothingNewSince(LeakCheck.Snapshot before, String what) {
        LeakCheck.assertClean(before, markers(), what);
    }

    /** {@link #assertNothingNewSince} the start of the test. */
    public void assertNothingLeft(String what) {
        assertNothingNewSince(this.before, what);
    }

    /**
     * Deletes every container the test's runtimes created, then asserts that nothing is left.
     *
     * @throws AssertionError listing what is left (and any failed {@code delete --force})
     */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        for (Runtime r : runtimes) {
            problems.addAll(r.deleteAll());
        }
        List<String> leaks = LeakCheck.leaksSince(before, markers(), LeakCheck.POLL);
        if (leaks.isEmpty()) {
            ItSession.deleteTree(dir);
        } else {
            problems.add("left behind:\n  " + String.join("\n  ", leaks));
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("clean-up of " + label + " (" + dir + ") failed:\n" + String.join("\n", problems));
        }
    }

    @Override
    public String toString() {
        return label + " @ " + dir;
    }
}
