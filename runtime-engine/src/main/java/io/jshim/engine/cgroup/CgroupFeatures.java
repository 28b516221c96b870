package io.jshim.engine.cgroup;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which controllers the managers write limits for, read from their own writer tables so
 * that {@code jrunc features} never claims more than the code does.
 */
public final class CgroupFeatures {
    private CgroupFeatures() {
    }

    /** The controllers whose limits {@code mode}'s manager applies (e.g. "memory", "rdma"). */
    public static Set<String> controllers(CgroupLayout.Mode mode) {
        List<ResourceWriter> writers = mode == CgroupLayout.Mode.V2 ? V2Manager.WRITERS : V1Manager.WRITERS;
        Set<String> out = new TreeSet<>();
        for (ResourceWriter w : writers) {
            out.add(w.controller());
        }
        return out;
    }
}
