package io.jshim.shim.task;

import io.jshim.proto.containerd.types.task.Status;

/** A shim process's lifecycle states (shim-v2-protocol.md §3.5) and their containerd Status. */
public enum ProcessStatus {
    CREATED(Status.CREATED),
    RUNNING(Status.RUNNING),
    PAUSED(Status.PAUSED),
    STOPPED(Status.STOPPED),
    DELETED(Status.UNKNOWN);

    private final Status wire;

    ProcessStatus(Status wire) {
        this.wire = wire;
    }

    public Status wire() {
        return wire;
    }

    public String text() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
