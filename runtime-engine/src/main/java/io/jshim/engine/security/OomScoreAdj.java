package io.jshim.engine.security;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.spec.SpecException;
import io.jshim.engine.linux.Errno;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * {@code process.oomScoreAdj} (config.md): written to {@code /proc/<pid>/oom_score_adj} of the
 * container's init between MSG_PID and MSG_GO, so the user process inherits it. Lowering the
 * value below the writer's own needs CAP_SYS_RESOURCE (proc(5)); without it the kernel says
 * EACCES and create fails saying so, as runc's does. Absent: left as inherited.
 */
public final class OomScoreAdj {
    private final Path proc;

    public OomScoreAdj(Path proc) {
        this.proc = proc;
    }

    public static OomScoreAdj host() {
        return new OomScoreAdj(Path.of("/proc"));
    }

    /** The range proc(5) allows. */
    public static void validate(Integer value) throws SpecException {
        if (value != null && (value < -1000 || value > 1000)) {
            throw new SpecException("process.oomScoreAdj: " + value + " is out of range (-1000..1000)");
        }
    }

    public void apply(int pid, Integer value) throws EngineException {
        if (value == null) {
            return;
        }
        Path file = proc.resolve(pid + "/oom_score_adj");
        String prefix = "process.oomScoreAdj " + value + ": ";
        int fd;
        try {
            fd = Syscalls.open(file.toString(), Syscalls.O_WRONLY, 0);
        } catch (LinuxException e) {
            throw new EngineException(Kind.INTERNAL, prefix + (e.errno() == Errno.ENOENT ? file
                    + ": the container's init is gone" : e.getMessage()), e);
        }
        // the kernel checks the value at write(2), not at open: EACCES means "lower than
        // oom_score_adj_min without CAP_SYS_RESOURCE" (proc(5))
        try (Arena a = Arena.ofConfined()) {
            Syscalls.writeFully(fd, a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE,
                    Integer.toString(value).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (LinuxException e) {
            throw new EngineException(Kind.INTERNAL, prefix + "write " + file + ": " + Errno.describe(e.errno())
                    + (e.errno() == Errno.EACCES ? ": lowering the OOM score adjustment below jrunc's own ("
                    + own() + ") needs CAP_SYS_RESOURCE, which jrunc does not have" : ""), e);
        } finally {
            Syscalls.close(fd);
        }
    }

    private String own() {
        try {
            return HostSecurity.read(proc.resolve("self/oom_score_adj"));
        } catch (IOException e) {
            return "unknown";
        }
    }
}
