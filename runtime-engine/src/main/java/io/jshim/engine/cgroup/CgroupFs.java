package io.jshim.engine.cgroup;

import java.nio.file.Path;
import java.util.List;

/**
 * The file operations the cgroup code performs on cgroupfs, in one place so that errors
 * read the same everywhere and tests can stand in a fake kernel. {@link #kernel()} is the
 * real thing.
 */
public interface CgroupFs {

    /** The real cgroup filesystem. */
    static CgroupFs kernel() {
        return KernelCgroupFs.INSTANCE;
    }

    /** The whole file, as the kernel renders it (usually newline-terminated). */
    String read(Path file) throws CgroupException;

    /**
     * One write(2) of {@code value} to an existing file. cgroupfs parses each write on
     * its own, so a value is never split; files are never created.
     */
    void write(Path file, String value) throws CgroupException;

    boolean exists(Path path);

    /** mkdir(2) of one directory; an existing directory is fine. */
    void mkdir(Path dir) throws CgroupException;

    /** rmdir(2) of one cgroup directory; returns false if it did not exist. */
    boolean rmdir(Path dir) throws CgroupException;

    /** The child directories (child cgroups) of {@code dir}; empty if it does not exist. */
    List<Path> subdirs(Path dir) throws CgroupException;

    /**
     * Makes {@code program} the device filter of cgroup2 directory {@code dir}, replacing
     * the one attached before (v2 has no devices.allow: a BPF_PROG_TYPE_CGROUP_DEVICE program
     * attached with bpf(2) takes its place).
     */
    void replaceDeviceFilter(Path dir, io.jshim.engine.devices.DeviceFilterProgram program) throws CgroupException;

    /** {@link #read} with surrounding white space removed. */
    default String readTrimmed(Path file) throws CgroupException {
        return read(file).strip();
    }
}
