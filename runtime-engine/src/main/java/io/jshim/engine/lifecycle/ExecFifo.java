package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.state.ContainerState;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The reading side of the exec FIFO handshake (sync_protocol.h). Opening it
 * releases the container's init, blocked opening the write end; init runs the
 * startContainer hooks, then writes "0" and keeps the write end open (it is
 * close-on-exec) until execve(2) succeeds, or writes "E" and the failing hook's
 * message and exits. Reading to end of file therefore returns once the user
 * program runs, which is when poststart hooks may run (runtime.md step 9).
 */
final class ExecFifo {
    private static final int POLL_MILLIS = 50;
    private static final int BUF = 4096;

    private ExecFifo() {
    }

    static void release(Path fifo, ContainerState init) throws EngineException {
        int fd;
        try {
            // O_NONBLOCK: never hang here if init has died; poll below watches both.
            fd = Syscalls.open(fifo.toString(), Syscalls.O_RDONLY | Syscalls.O_NONBLOCK, 0);
        } catch (LinuxException e) {
            throw new EngineException(Kind.INTERNAL, "open exec fifo " + fifo + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(BUF);
            while (true) {
                int rev = Syscalls.pollOne(fd, Syscalls.POLLIN, POLL_MILLIS);
                if ((rev & Syscalls.POLLIN) != 0) {
                    int n = Syscalls.read(fd, buf, BUF);
                    if (n == 0) {
                        break;
                    }
                    got.write(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, n);
                    continue;
                }
                if ((rev & Syscalls.POLLHUP) != 0) {
                    break; // the writer is gone: execve succeeded, or init exited
                }
                if (got.size() == 0 && !StatusProbe.initAlive(init)) {
                    break;
                }
            }
        } catch (LinuxException e) {
            throw new EngineException(Kind.INTERNAL, "read exec fifo " + fifo + ": " + e.getMessage(), e);
        } finally {
            Syscalls.close(fd);
        }
        byte[] b = got.toByteArray();
        if (b.length == 0) {
            throw new EngineException(Kind.FAILED_PRECONDITION, "cannot start a container that has stopped");
        }
        if (b[0] == 'E') {
            // a startContainer hook failed; init has exited, so the container is stopped
            throw new EngineException(Kind.INTERNAL, new String(b, 1, b.length - 1, StandardCharsets.UTF_8));
        }
        if (b[0] != '0') {
            throw new EngineException(Kind.INTERNAL, "exec fifo " + fifo + ": unexpected answer from the container's "
                    + "init: " + new String(b, StandardCharsets.UTF_8));
        }
    }
}
