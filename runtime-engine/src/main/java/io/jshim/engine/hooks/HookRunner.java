package io.jshim.engine.hooks;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Spawner;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.spec.Spec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs the hooks that execute in the runtime namespace (prestart, createRuntime,
 * poststart, poststop) as config.md "POSIX-platform Hooks" describes: {@code path}
 * is executed with {@code args} (args[0] is argv[0]; absent args mean just the
 * path, as Go's exec.Cmd does in runc) and {@code env} (absent: the runtime's own
 * environment, as runc's exec.Cmd with a nil Env), the state JSON on stdin, and
 * {@code timeout} seconds before the hook is killed (SIGKILL) and reported failed.
 *
 * <p>No CLI dependency: the shim runs hooks through this class too. Children are
 * spawned with posix_spawn ({@link Spawner}), never ProcessBuilder (design.md §3),
 * and waited for with waitpid on their pid only. Stdin is a memfd holding the
 * state, reopened read-only at offset 0, so writing it can never block on a hook
 * that does not read; stdout and stderr go to memfds too and are quoted in the
 * error when the hook fails (runc quotes them the same way).
 */
public final class HookRunner {
    private static final int SIGKILL = 9;
    private static final int OUTPUT_LIMIT = 2048;

    private final List<String> runtimeEnv;

    /** Hooks without {@code env} get this process's environment. */
    public HookRunner() {
        this(System.getenv());
    }

    HookRunner(Map<String, String> env) {
        List<String> e = new ArrayList<>();
        env.forEach((k, v) -> e.add(k + "=" + v));
        this.runtimeEnv = List.copyOf(e);
    }

    /** Runs the hooks in order; the first that fails stops the rest and is thrown. */
    public void run(HookPhase phase, List<Spec.Hook> hooks, String state) throws HookException {
        for (int i = 0; i < hooks.size(); i++) {
            runOne(phase.label(i), hooks.get(i), state);
        }
    }

    /**
     * Runs every hook; a failure is reported to {@code warn} and the rest still run
     * (runtime.md, poststop: "the runtime MUST log a warning, but the remaining hooks
     * and lifecycle continue as if the hook had succeeded").
     */
    public void runWarnOnly(HookPhase phase, List<Spec.Hook> hooks, String state, Consumer<String> warn) {
        for (int i = 0; i < hooks.size(); i++) {
            try {
                runOne(phase.label(i), hooks.get(i), state);
            } catch (HookException e) {
                warn.accept(e.getMessage());
            }
        }
    }

    void runOne(String label, Spec.Hook hook, String state) throws HookException {
        String path = hook.path();
        List<String> argv = hook.args() == null || hook.args().isEmpty() ? List.of(path) : hook.args();
        List<String> env = hook.env() == null ? runtimeEnv : hook.env();
        int stdin = -1;
        int stdout = -1;
        int stderr = -1;
        try {
            stdin = stateInput(state);
            stdout = Syscalls.memfdCreate("jshim-hook-stdout");
            stderr = Syscalls.memfdCreate("jshim-hook-stderr");
            int pid;
            try {
                pid = Spawner.spawn(path, argv, env, new int[] {stdin, stdout, stderr});
            } catch (LinuxException e) {
                throw new HookException(label + ": " + e.getMessage(), e);
            }
            Syscalls.close(stdin);
            stdin = -1;
            Integer status = ChildWait.waitFor(pid, hook.timeout() == null ? -1 : hook.timeout() * 1000L);
            if (status == null) {
                Syscalls.kill(pid, SIGKILL);
                Syscalls.waitpid(pid, 0);
                throw new HookException(label + ": " + path + ": ran past its timeout of " + hook.timeout()
                        + "s and was killed" + output(stdout, stderr));
            }
            if (status != 0) {
                throw new HookException(label + ": " + path + ": " + describe(status) + output(stdout, stderr));
            }
        } catch (LinuxException e) {
            throw new HookException(label + ": " + path + ": " + e.getMessage(), e);
        } finally {
            Syscalls.close(stdin);
            Syscalls.close(stdout);
            Syscalls.close(stderr);
        }
    }

    /** A read-only fd at offset 0 of a memfd holding the state JSON. */
    private static int stateInput(String state) throws LinuxException {
        int mem = Syscalls.memfdCreate("jshim-hook-state");
        try (Arena a = Arena.ofConfined()) {
            byte[] b = state.getBytes(StandardCharsets.UTF_8);
            MemorySegment seg = a.allocate(Math.max(1, b.length));
            MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, 0, b.length);
            Syscalls.writeFully(mem, seg.asSlice(0, b.length));
            // A new open file description: its own offset, 0, and read-only for the hook.
            return Syscalls.open("/proc/self/fd/" + mem, Syscalls.O_RDONLY, 0);
        } finally {
            Syscalls.close(mem);
        }
    }

    /** Go's ExitError wording, as runc prints it: "exit status 3", or the signal. */
    static String describe(int waitStatus) {
        int sig = waitStatus & 0x7f;
        if (sig == 0) {
            return "exit status " + ((waitStatus >> 8) & 0xff);
        }
        return "killed by signal " + sig;
    }

    private static String output(int stdout, int stderr) {
        String out = read(stdout);
        String err = read(stderr);
        StringBuilder sb = new StringBuilder();
        if (!out.isEmpty()) {
            sb.append(", stdout: ").append(out);
        }
        if (!err.isEmpty()) {
            sb.append(", stderr: ").append(err);
        }
        return sb.toString();
    }

    private static String read(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(OUTPUT_LIMIT);
            int n = Syscalls.pread(fd, buf, OUTPUT_LIMIT, 0);
            byte[] b = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            return new String(b, StandardCharsets.UTF_8).strip();
        } catch (LinuxException e) {
            return "";
        }
    }
}
