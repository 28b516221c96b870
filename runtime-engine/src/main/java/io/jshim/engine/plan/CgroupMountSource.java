package io.jshim.engine.plan;

import java.util.List;

/**
 * What a {@code "type": "cgroup"} mount in config.json turns into: runc's
 * mountCgroupV1/V2 (libcontainer/rootfs_linux.go). On v1, a tmpfs with one
 * entry per hierarchy (the container's own cgroup bind-mounted, or, inside a
 * cgroup namespace, the hierarchy mounted afresh) and symlinks for co-mounted
 * controllers; on v2, the container's cgroup bind-mounted or cgroup2 mounted.
 */
public interface CgroupMountSource {
    /** One v1 hierarchy: its name under /sys/fs/cgroup (e.g. "cpu,cpuacct"), the container's dir in it, and the mount data ("cpu,cpuacct", "none,name=systemd"). */
    record Hierarchy(String name, String hostDir, String data) {
    }

    boolean unified();

    /** v2 only: the container's cgroup directory on the host. */
    String unifiedDir();

    List<Hierarchy> hierarchies();
}
