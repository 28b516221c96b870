package io.jshim.engine.linux;

import static io.jshim.engine.linux.Native.INT;
import static io.jshim.engine.linux.Native.PTR;
import static io.jshim.engine.linux.Native.fd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * posix_spawn(3) of an arbitrary program (a hook) with its stdin, stdout and
 * stderr redirected, every signal at its default disposition and none blocked.
 * {@link Syscalls#spawn} skips all of that because jshim-init resets itself; a
 * hook is someone else's program and must start clean (a JVM thread's blocked
 * signals and ignored dispositions would otherwise survive execve(2)). Never
 * ProcessBuilder: its reaper thread would race our waitpid (design.md §3).
 */
public final class Spawner {
    /** glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86_64/arm64; room to spare. */
    private static final long FILE_ACTIONS_SIZE = 256;
    private static final long ATTR_SIZE = 1024;
    private static final long SIGSET_SIZE = 128;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int SIGKILL = 9;
    private static final int SIGSTOP = 19;

    private static final class H {
        static final MethodHandle SPAWN = Native.downcall("posix_spawn", fd(INT, PTR, PTR, PTR, PTR, PTR, PTR));
        static final MethodHandle FA_INIT = Native.downcall("posix_spawn_file_actions_init", fd(INT, PTR));
        static final MethodHandle FA_DUP2 = Native.downcall("posix_spawn_file_actions_adddup2",
                fd(INT, PTR, INT, INT));
        static final MethodHandle FA_DESTROY = Native.downcall("posix_spawn_file_actions_destroy", fd(INT, PTR));
        static final MethodHandle ATTR_INIT = Native.downcall("posix_spawnattr_init", fd(INT, PTR));
        static final MethodHandle ATTR_FLAGS = Native.downcall("posix_spawnattr_setflags",
                fd(INT, PTR, ValueLayout.JAVA_SHORT));
        static final MethodHandle ATTR_SIGMASK = Native.downcall("posix_spawnattr_setsigmask", fd(INT, PTR, PTR));
        static final MethodHandle ATTR_SIGDEF = Native.downcall("posix_spawnattr_setsigdefault", fd(INT, PTR, PTR));
        static final MethodHandle ATTR_DESTROY = Native.downcall("posix_spawnattr_destroy", fd(INT, PTR));
        static final MethodHandle SIGEMPTYSET = Native.downcall("sigemptyset", fd(INT, PTR));
        static final MethodHandle SIGFILLSET = Native.downcall("sigfillset", fd(INT, PTR));
        static final MethodHandle SIGDELSET = Native.downcall("sigdelset", fd(INT, PTR, INT));
    }

    private Spawner() {
    }

    /**
     * Spawns {@code path} with {@code argv} and {@code envp}; {@code stdio[i]} (i = 0,
     * 1, 2) becomes the child's fd i, or the child inherits ours when it is -1.
     * Every other fd we hold is close-on-exec (the JVM opens them so; ours are made
     * with O_CLOEXEC), so the child gets nothing else.
     *
     * @return the child's pid
     * @throws LinuxException naming {@code path} when posix_spawn fails (e.g. ENOENT)
     */
    public static int spawn(String path, List<String> argv, List<String> envp, int[] stdio) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment actions = a.allocate(FILE_ACTIONS_SIZE, 16);
            MemorySegment attr = a.allocate(ATTR_SIZE, 16);
            check("posix_spawn_file_actions_init", (int) H.FA_INIT.invokeExact(actions));
            try {
                check("posix_spawnattr_init", (int) H.ATTR_INIT.invokeExact(attr));
                try {
                    for (int i = 0; i < stdio.length; i++) {
                        if (stdio[i] >= 0) {
                            // dup2 onto the same number is a no-op that leaves close-on-exec set;
                            // callers pass fds made with O_CLOEXEC, which are never 0..2.
                            check("posix_spawn_file_actions_adddup2",
                                    (int) H.FA_DUP2.invokeExact(actions, stdio[i], i));
                        }
                    }
                    MemorySegment none = a.allocate(SIGSET_SIZE, 8);
                    MemorySegment all = a.allocate(SIGSET_SIZE, 8);
                    check("sigemptyset", (int) H.SIGEMPTYSET.invokeExact(none));
                    check("sigfillset", (int) H.SIGFILLSET.invokeExact(all));
                    check("sigdelset", (int) H.SIGDELSET.invokeExact(all, SIGKILL));
                    check("sigdelset", (int) H.SIGDELSET.invokeExact(all, SIGSTOP));
                    check("posix_spawnattr_setsigmask", (int) H.ATTR_SIGMASK.invokeExact(attr, none));
                    check("posix_spawnattr_setsigdefault", (int) H.ATTR_SIGDEF.invokeExact(attr, all));
                    check("posix_spawnattr_setflags", (int) H.ATTR_FLAGS.invokeExact(attr,
                            (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)));
                    MemorySegment pid = a.allocate(INT);
                    int rc = (int) H.SPAWN.invokeExact(pid, a.allocateFrom(path), actions, attr,
                            Syscalls.cStringArray(a, argv), Syscalls.cStringArray(a, envp));
                    if (rc != 0) {
                        // "<path>: no such file or directory": the caller adds which hook it was.
                        throw new LinuxException(path + ": " + Errno.describe(rc), rc, true);
                    }
                    return pid.get(INT, 0);
                } finally {
                    int ignored = (int) H.ATTR_DESTROY.invokeExact(attr);
                }
            } finally {
                int ignored = (int) H.FA_DESTROY.invokeExact(actions);
            }
        } catch (LinuxException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void check(String what, int rc) throws LinuxException {
        if (rc != 0) {
            throw new LinuxException(what, "", rc);
        }
    }
}
