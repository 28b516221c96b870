package io.jshim.engine.spec;

import java.util.Optional;

/** The namespace types of config-linux.md, with their CLONE_NEW* flags (clone(2)). */
public enum NamespaceType {
    PID("pid", 0x20000000, "pid"),
    NETWORK("network", 0x40000000, "net"),
    MOUNT("mount", 0x00020000, "mnt"),
    IPC("ipc", 0x08000000, "ipc"),
    UTS("uts", 0x04000000, "uts"),
    USER("user", 0x10000000, "user"),
    CGROUP("cgroup", 0x02000000, "cgroup"),
    TIME("time", 0x00000080, "time");

    private final String specName;
    private final int cloneFlag;
    private final String procName;

    NamespaceType(String specName, int cloneFlag, String procName) {
        this.specName = specName;
        this.cloneFlag = cloneFlag;
        this.procName = procName;
    }

    public String specName() {
        return specName;
    }

    public int cloneFlag() {
        return cloneFlag;
    }

    /** The name under /proc/[pid]/ns/. */
    public String procName() {
        return procName;
    }

    public static Optional<NamespaceType> fromSpec(String name) {
        for (NamespaceType t : values()) {
            if (t.specName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
