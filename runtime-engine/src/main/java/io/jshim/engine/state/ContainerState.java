package io.jshim.engine.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.jshim.engine.spec.LinuxResources;
import java.util.Map;

/**
 * What jrunc keeps in {@code <root>/<id>/state.json}: our own format (runc's is
 * private too). It records facts, never the status, which is re-derived from the
 * system each time ({@link StatusProbe}).
 *
 * @param pid          host pid of the container's init; 0 once it is known to be gone
 * @param pidStartTime field 22 of /proc/[pid]/stat when init was created, so a
 *                     recycled pid is never mistaken for the container
 * @param created      RFC 3339 with nanoseconds, UTC, as runc prints it
 * @param cgroupPaths  controller (or "" on cgroup v2) → absolute cgroup directory
 * @param resources    {@code linux.resources} as applied at create and merged by each
 *                     {@code update} (runc keeps them in its config); null if none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerState(
        int version,
        String id,
        String bundle,
        String rootfs,
        int pid,
        long pidStartTime,
        String created,
        Map<String, String> annotations,
        Map<String, String> cgroupPaths,
        String cgroupsPath,
        boolean detached,
        LinuxResources resources) {

    public static final int CURRENT_VERSION = 1;

    /** Without {@code resources} (state written before they were recorded, or none asked for). */
    public ContainerState(int version, String id, String bundle, String rootfs, int pid, long pidStartTime,
            String created, Map<String, String> annotations, Map<String, String> cgroupPaths, String cgroupsPath,
            boolean detached) {
        this(version, id, bundle, rootfs, pid, pidStartTime, created, annotations, cgroupPaths, cgroupsPath, detached,
                null);
    }

    public ContainerState withPid(int newPid, long startTime) {
        return new ContainerState(version, id, bundle, rootfs, newPid, startTime, created, annotations, cgroupPaths,
                cgroupsPath, detached, resources);
    }

    /** The same container with {@code linux.resources} as last applied (create, then each update). */
    public ContainerState withResources(LinuxResources applied) {
        return new ContainerState(version, id, bundle, rootfs, pid, pidStartTime, created, annotations, cgroupPaths,
                cgroupsPath, detached, applied);
    }
}
