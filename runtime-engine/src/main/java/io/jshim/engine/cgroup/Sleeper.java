package io.jshim.engine.cgroup;

import java.time.Duration;

/** Thread.sleep that turns an interrupt into a CgroupException (and keeps the interrupt flag). */
final class Sleeper {
    private Sleeper() {
    }

    static void sleep(Duration d) throws CgroupException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CgroupException("interrupted while waiting on a cgroup", e);
        }
    }
}
