package io.jshim.engine.lifecycle;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.state.ProcStat;
import java.util.Optional;

/** Waiting for a process that may not be our child to exit (a zombie counts as exited). */
final class Wait {
    private Wait() {
    }

    /**
     * Polls /proc until pid has exited or is another process (start time differs;
     * -1 skips that check). Reaps it when it is our own child. Returns whether it exited in time.
     */
    static boolean untilExited(int pid, long startTime, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        long sleep = 1;
        while (true) {
            try {
                if (Syscalls.waitpid(pid, Syscalls.WNOHANG) != -1) {
                    return true;
                }
            } catch (LinuxException e) {
                // not our child: watch /proc instead
            }
            Optional<ProcStat> st = ProcStat.of(pid);
            if (st.isEmpty() || st.get().exited() || (startTime >= 0 && st.get().startTime() != startTime)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            sleep = Math.min(sleep * 2, 50);
        }
    }
}
