package io.jshim.engine.devices;

import io.jshim.engine.linux.Errno;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a {@link DeviceFilterProgram} with bpf(2) and makes it the device filter of a cgroup2
 * directory, replacing any filter attached there before (runc's
 * LoadAttachCgroupDeviceFilter): BPF_PROG_LOAD, BPF_PROG_QUERY for the programs already on
 * the directory, BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI, then BPF_PROG_DETACH of the old
 * ones, so the directory is never without a filter. Programs attached with ALLOW_MULTI all
 * have to allow an access, and the ancestors' too (bpf(2), "BPF_PROG_ATTACH"), so an update
 * must remove the old filter or it could only ever tighten.
 *
 * <p>The attachment holds the program: our fds are closed, and rmdir of the cgroup frees it.
 * Memory for BPF programs is charged to the memory cgroup since Linux 5.11, so
 * RLIMIT_MEMLOCK (which runc raises for older kernels) does not matter here.
 */
public final class BpfDeviceFilter {
    // include/uapi/linux/bpf.h
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_ATTACH = 8;
    private static final int BPF_PROG_DETACH = 9;
    private static final int BPF_PROG_GET_FD_BY_ID = 13;
    private static final int BPF_PROG_QUERY = 16;
    private static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15;
    private static final int BPF_CGROUP_DEVICE = 6;
    private static final int BPF_F_ALLOW_MULTI = 2;
    private static final int O_DIRECTORY = 0x10000;
    private static final int ENOSPC = 28;
    /** Larger than any kernel's union bpf_attr use here; the kernel checks the tail is zero. */
    private static final int ATTR_SIZE = 160;
    private static final int LOG_SIZE = 64 * 1024;
    private static final int MAX_QUERY = 64;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** syscall(2) is variadic: the number is fixed, cmd, attr and size are the variadic part. */
    private static final class Syscall {
        static final MethodHandle H = LINKER.downcallHandle(
                LINKER.defaultLookup().find("syscall").orElseThrow(() -> new UnsatisfiedLinkError("syscall")),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    }

    private BpfDeviceFilter() {
    }

    /** The bpf(2) syscall number of this machine's architecture. */
    static long sysBpf() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 321;
            case "aarch64", "arm64", "riscv64", "loongarch64" -> 280;
            case "ppc64le", "ppc64" -> 361;
            case "s390x" -> 351;
            default -> throw new UnsupportedOperationException("bpf(2): unknown architecture "
                    + System.getProperty("os.arch"));
        };
    }

    /**
     * Makes {@code program} the only device filter attached to cgroup2 directory {@code dir}.
     *
     * @throws DeviceRuleException naming the bpf command and the kernel's reason (with the
     *         verifier's log when the load itself was refused)
     */
    public static void replace(Path dir, DeviceFilterProgram program) throws DeviceRuleException {
        int dirFd;
        try {
            dirFd = Syscalls.open(dir.toString(), Syscalls.O_RDONLY | O_DIRECTORY, 0);
        } catch (LinuxException e) {
            throw new DeviceRuleException("device filter for " + dir + ": " + e.getMessage(), e);
        }
        int progFd = -1;
        try (Arena a = Arena.ofConfined()) {
            List<Integer> old = attachedIds(a, dirFd, dir);
            progFd = load(a, program, dir);
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, dirFd); // target_fd
            attr.set(ValueLayout.JAVA_INT, 4, progFd); // attach_bpf_fd
            attr.set(ValueLayout.JAVA_INT, 8, BPF_CGROUP_DEVICE); // attach_type
            attr.set(ValueLayout.JAVA_INT, 12, BPF_F_ALLOW_MULTI); // attach_flags
            bpf(a, BPF_PROG_ATTACH, attr, "BPF_PROG_ATTACH (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI) to " + dir);
            for (int id : old) {
                detach(a, dirFd, id, dir);
            }
        } finally {
            Syscalls.close(progFd);
            Syscalls.close(dirFd);
        }
    }

    /** The ids of the device programs attached directly to cgroup2 directory {@code dir}. */
    static List<Integer> attached(Path dir) throws DeviceRuleException {
        int dirFd;
        try {
            dirFd = Syscalls.open(dir.toString(), Syscalls.O_RDONLY | O_DIRECTORY, 0);
        } catch (LinuxException e) {
            throw new DeviceRuleException("device filter for " + dir + ": " + e.getMessage(), e);
        }
        try (Arena a = Arena.ofConfined()) {
            return attachedIds(a, dirFd, dir);
        } finally {
            Syscalls.close(dirFd);
        }
    }

    /** The ids of the device programs attached directly to the directory (not inherited ones). */
    static List<Integer> attachedIds(Arena a, int dirFd, Path dir) throws DeviceRuleException {
        MemorySegment ids = a.allocate(ValueLayout.JAVA_INT, MAX_QUERY);
        MemorySegment attr = a.allocate(ATTR_SIZE, 8);
        attr.set(ValueLayout.JAVA_INT, 0, dirFd); // target_fd
        attr.set(ValueLayout.JAVA_INT, 4, BPF_CGROUP_DEVICE); // attach_type
        attr.set(ValueLayout.JAVA_LONG, 16, ids.address()); // prog_ids
        attr.set(ValueLayout.JAVA_INT, 24, MAX_QUERY); // prog_cnt
        long rc = call(a, BPF_PROG_QUERY, attr);
        if (rc < 0) {
            int e = (int) -rc;
            throw failure("BPF_PROG_QUERY (BPF_CGROUP_DEVICE) on " + dir, e == ENOSPC
                    ? "more than " + MAX_QUERY + " device programs attached" : Errno.describe(e), null);
        }
        int n = attr.get(ValueLayout.JAVA_INT, 24);
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(ids.getAtIndex(ValueLayout.JAVA_INT, i));
        }
        return out;
    }

    private static int load(Arena a, DeviceFilterProgram program, Path dir) throws DeviceRuleException {
        byte[] code = program.bytes();
        MemorySegment insns = a.allocate(code.length, 8);
        insns.copyFrom(MemorySegment.ofArray(code));
        MemorySegment license = a.allocateFrom(DeviceFilterProgram.LICENSE);
        MemorySegment attr = a.allocate(ATTR_SIZE, 8);
        attr.set(ValueLayout.JAVA_INT, 0, BPF_PROG_TYPE_CGROUP_DEVICE); // prog_type
        attr.set(ValueLayout.JAVA_INT, 4, program.instructionCount()); // insn_cnt
        attr.set(ValueLayout.JAVA_LONG, 8, insns.address()); // insns
        attr.set(ValueLayout.JAVA_LONG, 16, license.address()); // license
        byte[] name = "jshim_devices".getBytes(StandardCharsets.US_ASCII); // prog_name[16] at 48
        MemorySegment.copy(MemorySegment.ofArray(name), 0, attr, 48, name.length);
        long fd = call(a, BPF_PROG_LOAD, attr);
        if (fd >= 0) {
            return (int) fd;
        }
        int err = (int) -fd;
        // Again with the verifier's log, which says which instruction it refused and why.
        MemorySegment log = a.allocate(LOG_SIZE);
        attr.set(ValueLayout.JAVA_INT, 24, 1); // log_level
        attr.set(ValueLayout.JAVA_INT, 28, LOG_SIZE); // log_size
        attr.set(ValueLayout.JAVA_LONG, 32, log.address()); // log_buf
        fd = call(a, BPF_PROG_LOAD, attr);
        if (fd >= 0) {
            return (int) fd; // a transient failure (EAGAIN)
        }
        String verifier = log.getString(0).strip();
        throw failure("BPF_PROG_LOAD (cgroup device filter for " + dir + ", " + program.instructionCount()
                + " instructions)", Errno.describe(err), verifier.isEmpty() ? null : verifier);
    }

    private static void detach(Arena a, int dirFd, int id, Path dir) throws DeviceRuleException {
        MemorySegment attr = a.allocate(ATTR_SIZE, 8);
        attr.set(ValueLayout.JAVA_INT, 0, id); // prog_id
        long fd = call(a, BPF_PROG_GET_FD_BY_ID, attr);
        if (fd < 0) {
            if ((int) -fd == Errno.ENOENT) {
                return; // detached meanwhile
            }
            throw failure("BPF_PROG_GET_FD_BY_ID " + id + " (old device filter of " + dir + ")",
                    Errno.describe((int) -fd), null);
        }
        try {
            attr.fill((byte) 0);
            attr.set(ValueLayout.JAVA_INT, 0, dirFd); // target_fd
            attr.set(ValueLayout.JAVA_INT, 4, (int) fd); // attach_bpf_fd
            attr.set(ValueLayout.JAVA_INT, 8, BPF_CGROUP_DEVICE); // attach_type
            bpf(a, BPF_PROG_DETACH, attr, "BPF_PROG_DETACH of the old device filter " + id + " from " + dir);
        } finally {
            Syscalls.close((int) fd);
        }
    }

    private static void bpf(Arena a, int cmd, MemorySegment attr, String what) throws DeviceRuleException {
        long rc = call(a, cmd, attr);
        if (rc < 0) {
            throw failure(what, Errno.describe((int) -rc), null);
        }
    }

    /** bpf(cmd, attr, ATTR_SIZE); returns the result, or -errno. */
    private static long call(Arena a, int cmd, MemorySegment attr) {
        MemorySegment capture = a.allocate(CAPTURE);
        try {
            long rc = (long) Syscall.H.invokeExact(capture, sysBpf(), (long) cmd, attr, (long) ATTR_SIZE);
            return rc < 0 ? -(int) ERRNO.get(capture, 0L) : rc;
        } catch (Throwable t) {
            throw new IllegalStateException("bpf(2) downcall failed", t);
        }
    }

    private static DeviceRuleException failure(String what, String reason, String verifierLog) {
        return new DeviceRuleException("bpf " + what + ": " + reason
                + (verifierLog == null ? "" : " (verifier: " + verifierLog.replace('\n', ' ') + ")"));
    }
}
