package io.jshim.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Finds what tests leave behind: processes, mounts, cgroups and state dirs that carry one of a
 * set of markers, and compares a snapshot taken after a test with one taken before it.
 *
 * <p>What counts (each only if it matches a {@link Markers marker}):
 * <ul>
 *   <li><b>process</b>: a live process (zombies count as gone: PID 1 here reaps orphans only
 *       after ~2 s) whose command line mentions a marker path or id, whose root or cwd lies
 *       under a marker path (a container's init has its root in the bundle's rootfs), or whose
 *       cgroup path names a marker id;</li>
 *   <li><b>mount</b>: a mount point in {@code /proc/self/mountinfo} under a marker path or naming
 *       a marker id;</li>
 *   <li><b>cgroup</b>: a directory under any hierarchy of {@code /sys/fs/cgroup} whose name
 *       contains a marker id;</li>
 *   <li><b>state</b>: any entry of a marker state root, and entries of the default roots
 *       {@code /run/jrunc} and {@code /run/runc} that name a marker id (a runtime that ignored
 *       {@code --root}).</li>
 * </ul>
 * This test JVM and its ancestors are never counted.
 */
public final class LeakCheck {
    /** How long {@link #leaksSince} waits for things to go away. */
    public static final Duration POLL = Duration.ofSeconds(5);

    private static final Path CGROUP_FS = Path.of("/sys/fs/cgroup");
    private static final int CGROUP_DEPTH = 8;
    private static final List<Path> DEFAULT_ROOTS = List.of(Path.of("/run/jrunc"), Path.of("/run/runc"));

    private LeakCheck() {
    }

    /**
     * What identifies a test's (or the whole run's) things.
     *
     * @param paths      absolute path prefixes (work dirs, bundle dirs)
     * @param ids        container ids or id prefixes (matched as substrings)
     * @param stateRoots private {@code --root} dirs of the runtimes used
     */
    public record Markers(Collection<String> paths, Collection<String> ids, Collection<Path> stateRoots) {
        public Markers {
            paths = List.copyOf(paths);
            ids = List.copyOf(ids);
            stateRoots = List.copyOf(stateRoots);
        }
    }

    /** A sorted set of one-line descriptions ({@code kind key detail}). */
    public record Snapshot(Set<String> items) {
        /** Items of this snapshot that are not in {@code before} (compared by their key). */
        public List<String> minus(Snapshot before) {
            Set<String> beforeKeys = new TreeSet<>();
            for (String s : before.items) {
                beforeKeys.add(key(s));
            }
            List<String> out = new ArrayList<>();
            for (String s : items) {
                if (!beforeKeys.contains(key(s))) {
                    out.add(s);
                }
            }
            return out;
        }

        private static String key(String item) {
            // "kind key detail..." -> "kind key"
            String[] f = item.split(" ", 3);
            return f.length >= 2 ? f[0] + " " + f[1] : item;
        }
    }

    /** Takes a snapshot of everything matching {@code m}. */
    public static Snapshot snapshot(Markers m) {
        Set<String> items = new TreeSet<>();
        processes(m, items);
        mounts(m, items);
        cgroups(m, items);
        stateDirs(m, items);
        return new Snapshot(items);
    }

    /**
     * What appeared since {@code before}, polling for up to {@code poll} for it to go away
     * (processes being reaped, cgroups being removed). Empty = clean.
     */
    public static List<String> leaksSince(Snapshot before, Markers m, Duration poll) {
        long deadline = System.nanoTime() + poll.toNanos();
        while (true) {
            List<String> leaks = snapshot(m).minus(before);
            if (leaks.isEmpty() || System.nanoTime() > deadline) {
                return leaks;
            }
            Runtime.sleep(100);
        }
    }

    /** Fails with a list of leaks if anything appeared since {@code before}. */
    public static void assertClean(Snapshot before, Markers m, String what) {
        List<String> leaks = leaksSince(before, m, POLL);
        if (!leaks.isEmpty()) {
            throw new AssertionError(what + " left behind:\n  " + String.join("\n  ", leaks));
        }
    }

    // ----- processes ---------------------------------------------------------------------------

    private static void processes(Markers m, Set<String> out) {
        Set<Long> exclude = new TreeSet<>();
        ProcessHandle self = ProcessHandle.current();
        exclude.add(self.pid());
        for (ProcessHandle p = self.parent().orElse(null); p != null; p = p.parent().orElse(null)) {
            exclude.add(p.pid());
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path d : ds) {
                long pid;
                try {
                    pid = Long.parseLong(d.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (exclude.contains(pid)) {
                    continue;
                }
                String item = processItem(pid, d, m);
                if (item != null) {
                    out.add(item);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
    }

    private static String processItem(long pid, Path d, Markers m) {
        try {
            String stat = Files.readString(d.resolve("stat"));
            int rp = stat.lastIndexOf(')');
            String[] f = stat.substring(rp + 2).split(" ");
            // f[0] = state, f[19] = starttime
            if (f[0].equals("Z") || f[0].equals("X")) {
                return null;
            }
            String cmd = new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ').strip();
            String why = null;
            if (containsAny(cmd, m.paths()) || containsAny(cmd, m.ids())) {
                why = "cmdline";
            }
            if (why == null) {
                for (String link : List.of("root", "cwd")) {
                    String target = readLink(d.resolve(link));
                    if (target != null && startsWithAny(target, m.paths())) {
                        why = link + "=" + target;
                        break;
                    }
                }
            }
            if (why == null && !m.ids().isEmpty()) {
                String cg = Files.readString(d.resolve("cgroup"));
                for (String line : cg.split("\n")) {
                    if (containsAny(line, m.ids())) {
                        why = "cgroup " + line;
                        break;
                    }
                }
            }
            if (why == null) {
                return null;
            }
            String comm = cmd.isEmpty() ? stat.substring(stat.indexOf('(') + 1, rp) : cmd;
            if (comm.length() > 160) {
                comm = comm.substring(0, 160) + "...";
            }
            return "process " + pid + "/" + f[19] + " state=" + f[0] + " [" + comm + "] (" + why + ")";
        } catch (IOException | RuntimeException e) {
            return null; // gone meanwhile
        }
    }

    private static String readLink(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    // ----- mounts ------------------------------------------------------------------------------

    /** Mount points of this mount namespace (octal escapes decoded). */
    public static List<String> mountPoints() {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4) {
                    out.add(unescape(f[4]));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/mountinfo", e);
        }
        return out;
    }

    private static void mounts(Markers m, Set<String> out) {
        // the same mount point can appear several times (stacked mounts): count them
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (String mp : mountPoints()) {
            if (startsWithAny(mp, m.paths()) || containsAny(mp, m.ids())) {
                int n = seen.merge(mp, 1, Integer::sum);
                out.add("mount " + mp.replace(' ', '_') + (n > 1 ? "#" + n : ""));
            }
        }
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    // ----- cgroups -----------------------------------------------------------------------------

    private static void cgroups(Markers m, Set<String> out) {
        if (m.ids().isEmpty()) {
            return;
        }
        try (Stream<Path> hierarchies = Files.list(CGROUP_FS)) {
            for (Path h : hierarchies.toList()) {
                if (Files.isDirectory(h, LinkOption.NOFOLLOW_LINKS)) {
                    walkCgroups(h, 0, m, out);
                }
            }
        } catch (IOException e) {
            // no cgroup fs: nothing to leak
        }
    }

    private static void walkCgroups(Path dir, int depth, Markers m, Set<String> out) {
        if (depth > CGROUP_DEPTH) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
            for (Path sub : ds) {
                if (containsAny(sub.getFileName().toString(), m.ids())) {
                    out.add("cgroup " + sub);
                }
                walkCgroups(sub, depth + 1, m, out);
            }
        } catch (IOException | RuntimeException e) {
            // removed while walking
        }
    }

    /** Cgroup dirs named after one of {@code ids}, deepest first (for clean-up). */
    public static List<Path> cgroupDirs(Collection<String> ids) {
        Set<String> items = new TreeSet<>();
        cgroups(new Markers(List.of(), ids, List.of()), items);
        List<Path> dirs = new ArrayList<>(items.stream().map(s -> Path.of(s.substring("cgroup ".length()))).toList());
        dirs.sort((a, b) -> Integer.compare(b.getNameCount(), a.getNameCount()));
        return dirs;
    }

    // ----- state dirs --------------------------------------------------------------------------

    private static void stateDirs(Markers m, Set<String> out) {
        for (Path root : m.stateRoots()) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
                for (Path e : ds) {
                    out.add("state " + e);
                }
            } catch (IOException e) {
                // no root: nothing in it
            }
        }
        if (m.ids().isEmpty()) {
            return;
        }
        for (Path root : DEFAULT_ROOTS) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
                for (Path e : ds) {
                    if (containsAny(e.getFileName().toString(), m.ids())) {
                        out.add("state " + e);
                    }
                }
            } catch (IOException e) {
                // none
            }
        }
    }

    // ----- helpers -----------------------------------------------------------------------------

    private static boolean containsAny(String s, Collection<String> needles) {
        for (String n : needles) {
            if (!n.isEmpty() && s.contains(n)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWithAny(String s, Collection<String> prefixes) {
        for (String p : prefixes) {
            if (!p.isEmpty() && (s.equals(p) || s.startsWith(p.endsWith("/") ? p : p + "/"))) {
                return true;
            }
        }
        return false;
    }
}
