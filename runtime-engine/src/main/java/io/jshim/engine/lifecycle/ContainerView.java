package io.jshim.engine.lifecycle;

import io.jshim.engine.state.ContainerState;
import io.jshim.engine.state.Status;

/** A container's saved facts together with its status as derived right now. */
public record ContainerView(ContainerState state, Status status) {
    /** runc reports pid 0 for a stopped container. */
    public int pid() {
        return status == Status.STOPPED ? 0 : state.pid();
    }
}
