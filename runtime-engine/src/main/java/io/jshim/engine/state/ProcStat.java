package io.jshim.engine.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** The two fields of /proc/[pid]/stat the engine needs (proc(5)): state and starttime. */
public record ProcStat(char state, long startTime) {

    public static Optional<ProcStat> of(int pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        String s;
        try {
            s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        // comm may contain spaces and parentheses: fields resume after the last ')'.
        int close = s.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        String[] f = s.substring(close + 2).split(" ");
        // f[0] is field 3 (state); starttime is field 22 → f[19].
        if (f.length < 20) {
            return Optional.empty();
        }
        return Optional.of(new ProcStat(f[0].charAt(0), Long.parseLong(f[19])));
    }

    /** A zombie or dead task has exited; PID 1 here may take seconds to reap it. */
    public boolean exited() {
        return state == 'Z' || state == 'X' || state == 'x';
    }
}
