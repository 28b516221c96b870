package io.jshim.engine.cgroup;

import java.nio.file.Path;
import java.time.Duration;

/**
 * v2 freezer: cgroup.freeze, with completion reported as "frozen 1" in cgroup.events
 * (cgroup-v2.rst "Core Interface Files"; runc libcontainer/cgroups/fs2/freezer.go). Needs
 * no controller, so it works on hybrid hosts' controller-less cgroup2 too.
 */
final class FreezerV2 {
    static final String FREEZE = "cgroup.freeze";
    static final String EVENTS = "cgroup.events";
    static final Duration POLL = Duration.ofMillis(10);
    static final int MAX_POLLS = 1000;

    private FreezerV2() {
    }

    static void freeze(CgroupFs fs, Path dir) throws CgroupException {
        Path f = dir.resolve(FREEZE);
        if (!fs.exists(f)) {
            throw new CgroupException("cannot freeze " + dir + ": no " + FREEZE + " (kernel older than 5.2?)");
        }
        fs.write(f, "1");
        for (int i = 0; i < MAX_POLLS; i++) {
            if (frozen(fs, dir)) {
                return;
            }
            Sleeper.sleep(POLL);
        }
        try {
            fs.write(f, "0");
        } catch (CgroupException ignored) {
            // report the timeout
        }
        throw new CgroupException("timeout of " + POLL.multipliedBy(MAX_POLLS).toSeconds()
                + "s reached waiting for " + dir + " to freeze");
    }

    /** Nothing to do if the kernel has no cgroup.freeze: then the cgroup cannot be frozen either. */
    static void thaw(CgroupFs fs, Path dir) throws CgroupException {
        Path f = dir.resolve(FREEZE);
        if (fs.exists(f)) {
            fs.write(f, "0");
        }
    }

    /** "frozen 1" in cgroup.events: frozen itself or through an ancestor. */
    static boolean frozen(CgroupFs fs, Path dir) throws CgroupException {
        Path events = dir.resolve(EVENTS);
        if (!fs.exists(events)) {
            return false;
        }
        for (String line : fs.read(events).split("\n")) {
            if (line.startsWith("frozen ")) {
                return line.substring("frozen ".length()).strip().equals("1");
            }
        }
        return false;
    }
}
