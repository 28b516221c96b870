package io.jshim.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where things are: the repository root, {@code dist/bin/jrunc}, Debian's runc, busybox, and
 * which runtime the jrunc tests drive.
 *
 * <p>System properties (set by the module's pom; may be given with {@code -D}):
 * <ul>
 *   <li>{@code jshim.root}: the repository root ({@code ${maven.multiModuleProjectDirectory}});
 *       when unset or not the root of a checkout, the parent of the working directory (surefire
 *       runs in the module directory) is used.</li>
 *   <li>{@code jshim.it.runtime}: empty (default) = {@code <root>/dist/bin/jrunc};
 *       {@code runc} = Debian's runc (to develop the harness before jrunc exists; assertions on
 *       jrunc-only behaviour are then skipped); or an absolute path to a runc-compatible
 *       binary.</li>
 * </ul>
 * Environment: {@code JSHIM_IT_SKIP=1} skips the whole suite when not root.
 */
public final class ItEnv {
    private ItEnv() {
    }

    /** The repository root. */
    public static Path repoRoot() {
        String prop = System.getProperty("jshim.root", "");
        if (!prop.isBlank()) {
            Path p = Path.of(prop).toAbsolutePath().normalize();
            if (Files.isDirectory(p.resolve("integration-tests"))) {
                return p;
            }
        }
        return Path.of("..").toAbsolutePath().normalize();
    }

    /** {@code <root>/dist/bin/jrunc}. */
    public static Path jruncBinary() {
        return repoRoot().resolve("dist/bin/jrunc");
    }

    /** Debian's runc ({@code /usr/sbin/runc}, else the first {@code runc} on PATH). */
    public static Path runcBinary() {
        return onPath("runc", Path.of("/usr/sbin/runc"));
    }

    /** The busybox binary copied into every bundle. */
    public static Path busyboxBinary() {
        return onPath("busybox", Path.of("/bin/busybox"));
    }

    /** The value of {@code jshim.it.runtime}, trimmed ({@code ""} = jrunc). */
    public static String runtimeSelection() {
        return System.getProperty("jshim.it.runtime", "").trim();
    }

    /** True when the jrunc tests drive the real jrunc (and jrunc-only assertions apply). */
    public static boolean testingJrunc() {
        String sel = runtimeSelection();
        return sel.isEmpty() || sel.equals("jrunc") || Path.of(sel).getFileName().toString().equals("jrunc");
    }

    /** The binary the "jrunc" side of the tests runs. */
    public static Path runtimeUnderTestBinary() {
        String sel = runtimeSelection();
        if (sel.isEmpty() || sel.equals("jrunc")) {
            return jruncBinary();
        }
        if (sel.equals("runc")) {
            return runcBinary();
        }
        if (sel.equals("crun")) {
            return onPath("crun", Path.of("/usr/bin/crun"));
        }
        return Path.of(sel).toAbsolutePath();
    }

    /** True when this process runs as root (effective uid 0). */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    // Uid: real effective saved fs
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length > 1 && f[1].equals("0");
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "root".equals(System.getProperty("user.name"));
    }

    /** True when {@code JSHIM_IT_SKIP=1}. */
    public static boolean skipRequested() {
        return "1".equals(System.getenv("JSHIM_IT_SKIP"));
    }

    private static Path onPath(String name, Path preferred) {
        if (Files.isExecutable(preferred)) {
            return preferred;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return preferred;
    }
}
