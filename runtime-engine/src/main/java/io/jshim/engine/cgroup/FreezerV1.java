package io.jshim.engine.cgroup;

import java.nio.file.Path;
import java.time.Duration;

/**
 * v1 freezer (Documentation/admin-guide/cgroup-v1/freezer-subsystem.rst; runc
 * libcontainer/cgroups/fs/freezer.go). Writing FROZEN may leave the cgroup FREEZING while
 * tasks keep forking, so freeze() rewrites and rereads, thawing now and then, up to
 * runc's 1000 attempts; a failed freeze is thawed back rather than left half done.
 */
final class FreezerV1 {
    static final String STATE = "freezer.state";
    private static final int ATTEMPTS = 1000;

    private FreezerV1() {
    }

    static void freeze(CgroupFs fs, Path dir) throws CgroupException {
        Path state = dir.resolve(STATE);
        boolean done = false;
        try {
            for (int i = 0; i < ATTEMPTS; i++) {
                if (i % 50 == 49) {
                    fs.write(state, "THAWED");
                    Sleeper.sleep(Duration.ofMillis(10));
                }
                fs.write(state, "FROZEN");
                if (i % 25 == 24) {
                    Sleeper.sleep(Duration.ofNanos(10_000));
                }
                String s = fs.readTrimmed(state);
                switch (s) {
                    case "FREEZING" -> {
                        continue;
                    }
                    case "FROZEN" -> {
                        done = true;
                        return;
                    }
                    default -> throw new CgroupException("unexpected state " + s + " in " + state + " while freezing");
                }
            }
            throw new CgroupException("unable to freeze " + dir + ": still FREEZING after " + ATTEMPTS + " attempts");
        } finally {
            if (!done) {
                try {
                    fs.write(state, "THAWED");
                } catch (CgroupException ignored) {
                    // the original failure is the one to report
                }
            }
        }
    }

    static void thaw(CgroupFs fs, Path dir) throws CgroupException {
        fs.write(dir.resolve(STATE), "THAWED");
    }

    /** FROZEN counts, FREEZING and THAWED do not; a missing freezer.state reads as not frozen. */
    static boolean isFrozen(CgroupFs fs, Path dir) throws CgroupException {
        Path state = dir.resolve(STATE);
        if (!fs.exists(state)) {
            return false;
        }
        return fs.readTrimmed(state).equals("FROZEN");
    }
}
