package io.jshim.engine.hooks;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;

/**
 * Waiting for one child of ours with a deadline. pidfd_open(2) polls readable when
 * the process exits, so the wait costs no busy loop; on a kernel without it
 * (before 5.3) waitpid(WNOHANG) is polled with a growing sleep.
 */
final class ChildWait {
    private ChildWait() {
    }

    /**
     * Reaps {@code pid} and returns its raw wait status, or null if it is still
     * running after {@code timeoutMillis} (then it is neither killed nor reaped).
     * A negative timeout waits for ever.
     */
    static Integer waitFor(int pid, long timeoutMillis) throws LinuxException {
        if (timeoutMillis < 0) {
            return Syscalls.waitpid(pid, 0);
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        int pidfd = Syscalls.pidfdOpen(pid);
        try {
            long sleep = 1;
            while (true) {
                int status = Syscalls.waitpid(pid, Syscalls.WNOHANG);
                if (status != -1) {
                    return status;
                }
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return null;
                }
                if (pidfd >= 0) {
                    Syscalls.pollOne(pidfd, Syscalls.POLLIN, (int) Math.min(left, Integer.MAX_VALUE));
                } else {
                    try {
                        Thread.sleep(Math.min(sleep, left));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                    sleep = Math.min(sleep * 2, 50);
                }
            }
        } finally {
            Syscalls.close(pidfd);
        }
    }
}
