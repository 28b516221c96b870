package io.jshim.shim.task;

import io.jshim.ttrpc.Code;
import io.jshim.ttrpc.Errdefs;
import io.jshim.ttrpc.TtrpcException;
import java.time.Instant;

/**
 * The state of a container's init process as explicit state objects (containerd pkg/process
 * init_state.go; shim-v2-protocol.md §3.5): each state answers every operation, and an illegal one
 * fails with the error the runc shim gives. Transitions return the next state; the caller
 * ({@link ShimContainer}) holds the container's lock.
 *
 * <pre>
 *   created --start--> running --exit--> stopped --delete--> deleted
 *      |               |    ^                ^
 *      |          pause|    |resume          | exit (a paused init dies only by SIGKILL,
 *      |               v    |                |       which the engine thaws first)
 *      |               paused ---------------+
 *      +------------------exit--------------+   (killed or died before start)
 * </pre>
 */
sealed interface InitState {

    ProcessStatus status();

    /** created → running; everything else fails. */
    default InitState start() {
        throw new TtrpcException(Code.UNKNOWN, "cannot start a " + status().text() + " process");
    }

    /** running → paused. */
    default InitState pause() {
        throw new TtrpcException(Code.UNKNOWN, "cannot pause a " + status().text() + " process");
    }

    /** paused → running. */
    default InitState resume() {
        throw new TtrpcException(Code.UNKNOWN, "cannot resume a " + status().text() + " process");
    }

    /** Whether Delete may proceed now (created and stopped may; running may not). */
    default void checkDelete() {
        throw new TtrpcException(Code.UNKNOWN, "cannot delete a " + status().text() + " process");
    }

    /** Whether a signal can still be delivered (created, running). */
    default boolean signallable() {
        return false;
    }

    /** The process was reaped. */
    default InitState exited(int status, Instant at) {
        return new Stopped(status, at);
    }

    default int exitStatus() {
        return 0;
    }

    default Instant exitedAt() {
        return null;
    }

    record Created() implements InitState {
        @Override
        public ProcessStatus status() {
            return ProcessStatus.CREATED;
        }

        @Override
        public InitState start() {
            return new Running();
        }

        @Override
        public void checkDelete() {
        }

        @Override
        public boolean signallable() {
            return true;
        }
    }

    record Running() implements InitState {
        @Override
        public ProcessStatus status() {
            return ProcessStatus.RUNNING;
        }

        @Override
        public InitState pause() {
            return new Paused();
        }

        @Override
        public boolean signallable() {
            return true;
        }
    }

    record Paused() implements InitState {
        @Override
        public ProcessStatus status() {
            return ProcessStatus.PAUSED;
        }

        @Override
        public InitState resume() {
            return new Running();
        }

        @Override
        public boolean signallable() {
            return true;
        }
    }

    record Stopped(int exitStatus, Instant exitedAt) implements InitState {
        @Override
        public ProcessStatus status() {
            return ProcessStatus.STOPPED;
        }

        @Override
        public void checkDelete() {
        }

        @Override
        public InitState exited(int status, Instant at) {
            return this; // already recorded
        }
    }

    record Deleted(int exitStatus, Instant exitedAt) implements InitState {
        @Override
        public ProcessStatus status() {
            return ProcessStatus.DELETED;
        }

        @Override
        public InitState start() {
            throw Errdefs.notFound("process already deleted");
        }

        @Override
        public void checkDelete() {
            throw Errdefs.notFound("process already deleted");
        }

        @Override
        public InitState exited(int status, Instant at) {
            return this;
        }
    }
}
