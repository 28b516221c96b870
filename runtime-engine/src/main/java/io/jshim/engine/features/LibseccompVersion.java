package io.jshim.engine.features;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Spawner;
import io.jshim.engine.linux.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The libseccomp version jshim-init is linked with, as {@code jshim-init --version}
 * reports it ("jshim-init 0.1.0 libseccomp 2.5.4"): seccomp filters are built there, so
 * that library, not one the JVM could load, is the one that counts.
 */
public final class LibseccompVersion {
    private static final Pattern VERSION = Pattern.compile("\\blibseccomp (\\d+\\.\\d+\\.\\d+)\\b");
    private static final int MAX_OUTPUT = 4096;

    private LibseccompVersion() {
    }

    /** Empty if jshim-init cannot be run or does not say. */
    public static Optional<String> of(Path initBinary) {
        try {
            return parse(run(initBinary));
        } catch (LinuxException e) {
            return Optional.empty();
        }
    }

    static Optional<String> parse(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** posix_spawn with stdout on a pipe (never ProcessBuilder: design.md §3). */
    private static String run(Path initBinary) throws LinuxException {
        int[] pipe = Syscalls.pipe2(0);
        int devNull = -1;
        int pid;
        try {
            devNull = Syscalls.open("/dev/null", Syscalls.O_RDWR, 0);
            pid = Spawner.spawn(initBinary.toString(), List.of(initBinary.toString(), "--version"), List.of(),
                    new int[] {devNull, pipe[1], devNull});
        } finally {
            Syscalls.close(pipe[1]);
            Syscalls.close(devNull);
        }
        StringBuilder out = new StringBuilder();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(512);
            int n;
            while (out.length() < MAX_OUTPUT && (n = Syscalls.read(pipe[0], buf, buf.byteSize())) > 0) {
                out.append(new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        StandardCharsets.UTF_8));
            }
        } finally {
            Syscalls.close(pipe[0]);
            try {
                Syscalls.waitpid(pid, 0);
            } catch (LinuxException e) {
                // reaped by someone else: the output is what matters
            }
        }
        return out.toString();
    }
}
