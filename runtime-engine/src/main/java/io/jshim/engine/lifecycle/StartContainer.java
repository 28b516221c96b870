package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.state.StateStore;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code start}: opens the exec FIFO for reading, which releases the container's
 * init blocked opening it for writing; init writes one byte and execs the user
 * process (runc's exec.fifo handshake).
 */
public final class StartContainer {
    private final StateStore store;
    private final QueryContainer query;

    public StartContainer(StateStore store, QueryContainer query) {
        this.store = store;
        this.query = query;
    }

    public void start(String id) throws EngineException {
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerView v = query.view(id);
            switch (v.status()) {
                case CREATED -> {
                }
                case RUNNING -> throw new EngineException(Kind.FAILED_PRECONDITION,
                        "cannot start an already running container");
                case PAUSED -> throw new EngineException(Kind.FAILED_PRECONDITION,
                        "cannot start a container in the paused state");
                default -> throw new EngineException(Kind.FAILED_PRECONDITION,
                        "cannot start a container that has stopped");
            }
            releaseFifo(v);
        }
    }

    private void releaseFifo(ContainerView v) throws EngineException {
        Path fifo = store.fifo(v.state().id());
        int fd;
        try {
            // O_NONBLOCK: never hang here if init has died; poll below watches both.
            fd = Syscalls.open(fifo.toString(), Syscalls.O_RDONLY | Syscalls.O_NONBLOCK, 0);
        } catch (LinuxException e) {
            throw new EngineException(Kind.INTERNAL, "open exec fifo " + fifo + ": " + e.getMessage(), e);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(1);
            while (true) {
                int rev = Syscalls.pollOne(fd, Syscalls.POLLIN, 50);
                if ((rev & Syscalls.POLLIN) != 0) {
                    if (Syscalls.read(fd, b, 1) == 1) {
                        break;
                    }
                }
                if ((rev & Syscalls.POLLHUP) != 0 || !StatusProbe.initAlive(v.state())) {
                    throw new EngineException(Kind.FAILED_PRECONDITION, "cannot start a container that has stopped");
                }
            }
            Files.deleteIfExists(fifo);
        } catch (LinuxException e) {
            throw new EngineException(Kind.INTERNAL, "read exec fifo " + fifo + ": " + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new EngineException(Kind.INTERNAL, "remove exec fifo " + fifo + ": " + e.getMessage(), e);
        } finally {
            Syscalls.close(fd);
        }
    }
}
