package io.jshim.engine.plan;

import static io.jshim.engine.plan.SyncProtocol.*;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The fully resolved plan jshim-init carries out between clone() and execve():
 * an ordered list of records (design.md §3, "Java plans, C executes"). Records
 * are added in the order jshim-init must apply them; mounts, directories,
 * symlinks and devices keep their relative order.
 */
public final class InitPlan {
    private final List<PlanRecord> records = new ArrayList<>();

    public InitPlan() {
        add(PLAN_HELLO, new FrameWriter().u32(VERSION), "hello v" + VERSION);
    }

    private InitPlan add(int tag, FrameWriter w, String describe) {
        records.add(new PlanRecord(tag, w.bytes(), describe));
        return this;
    }

    public InitPlan mode(int mode) {
        return add(PLAN_MODE, new FrameWriter().u32(mode), "mode " + (mode == MODE_CREATE ? "create" : "join"));
    }

    public InitPlan containerId(String id) {
        return add(PLAN_CONTAINER_ID, new FrameWriter().str(id), "id " + id);
    }

    public InitPlan cloneNamespaces(int flags) {
        return add(PLAN_NS_CLONE, new FrameWriter().u32(flags), String.format("clone 0x%x", flags));
    }

    public InitPlan joinNamespace(int type, String path) {
        return add(PLAN_NS_JOIN, new FrameWriter().u32(type).str(path), String.format("setns 0x%x %s", type, path));
    }

    public InitPlan hostname(String name) {
        return add(PLAN_HOSTNAME, new FrameWriter().str(name), "hostname " + name);
    }

    public InitPlan domainname(String name) {
        return add(PLAN_DOMAINNAME, new FrameWriter().str(name), "domainname " + name);
    }

    public InitPlan rootfs(String path) {
        return add(PLAN_ROOTFS, new FrameWriter().str(path), "rootfs " + path);
    }

    public InitPlan rootfsReadonly() {
        return add(PLAN_ROOTFS_READONLY, new FrameWriter(), "rootfs readonly");
    }

    public InitPlan rootfsPropagation(long flags) {
        return add(PLAN_ROOTFS_PROPAGATION, new FrameWriter().u64(flags), String.format("propagation 0x%x", flags));
    }

    public InitPlan noPivot() {
        return add(PLAN_NO_PIVOT, new FrameWriter(), "no-pivot");
    }

    public InitPlan mount(long flags, long propagation, int mountFlags, String source, String destination,
            String fstype, String data) {
        return add(PLAN_MOUNT, new FrameWriter().u64(flags).u64(propagation).u32(mountFlags)
                .str(source).str(destination).str(fstype).str(data),
                String.format("mount %s on %s type %s flags 0x%x prop 0x%x mnt 0x%x data %s",
                        source, destination, fstype, flags, propagation, mountFlags, data));
    }

    public InitPlan mkdir(String path, int mode) {
        return add(PLAN_MKDIR, new FrameWriter().u32(mode).str(path), String.format("mkdir %s %o", path, mode));
    }

    public InitPlan symlink(String target, String linkPath) {
        return add(PLAN_SYMLINK, new FrameWriter().str(target).str(linkPath), "symlink " + linkPath + " -> " + target);
    }

    public InitPlan device(char type, long major, long minor, int mode, long uid, long gid, int devFlags,
            String path) {
        return add(PLAN_DEVICE, new FrameWriter().u32(type).u32(major).u32(minor).u32(mode).u32(uid).u32(gid)
                .u32(devFlags).str(path),
                String.format("device %s %c %d:%d %o %d:%d", path, type, major, minor, mode, uid, gid));
    }

    public InitPlan maskedPath(String path) {
        return add(PLAN_MASKED_PATH, new FrameWriter().str(path), "mask " + path);
    }

    public InitPlan readonlyPath(String path) {
        return add(PLAN_READONLY_PATH, new FrameWriter().str(path), "readonly " + path);
    }

    public InitPlan rlimit(int resource, long soft, long hard) {
        return add(PLAN_RLIMIT, new FrameWriter().u32(resource).u64(soft).u64(hard),
                "rlimit " + resource + " " + soft + " " + hard);
    }

    public InitPlan user(long uid, long gid, int umask, List<Long> additionalGids) {
        FrameWriter w = new FrameWriter().u32(uid).u32(gid).u32(umask).u32(additionalGids.size());
        additionalGids.forEach(w::u32);
        return add(PLAN_USER, w, "user " + uid + ":" + gid + " umask " + Integer.toOctalString(umask)
                + " groups " + additionalGids);
    }

    public InitPlan cwd(String cwd) {
        return add(PLAN_CWD, new FrameWriter().str(cwd), "cwd " + cwd);
    }

    public InitPlan args(List<String> args) {
        return add(PLAN_ARGS, new FrameWriter().strv(args), "args " + args);
    }

    public InitPlan env(List<String> env) {
        return add(PLAN_ENV, new FrameWriter().strv(env), "env " + env);
    }

    public InitPlan execFifo(String path) {
        return add(PLAN_EXEC_FIFO, new FrameWriter().str(path), "exec-fifo " + path);
    }

    public InitPlan preserveFds(int n) {
        return add(PLAN_PRESERVE_FDS, new FrameWriter().u32(n), "preserve-fds " + n);
    }

    public InitPlan noNewKeyring() {
        return add(PLAN_NO_NEW_KEYRING, new FrameWriter(), "no-new-keyring");
    }

    // ---- security (io.jshim.engine.security.SecurityPlan) ----

    /** One argument condition of a seccomp rule; op is libseccomp's enum scmp_compare (1..7). */
    public record SeccompArg(int index, int op, long value, long valueTwo) {
    }

    /** The five capability sets, bit n = capability n (linux/capability.h). */
    public InitPlan capabilities(long bounding, long effective, long permitted, long inheritable, long ambient) {
        return add(PLAN_CAPS, new FrameWriter().u64(bounding).u64(effective).u64(permitted).u64(inheritable)
                .u64(ambient), String.format("caps bounding 0x%x effective 0x%x permitted 0x%x inheritable 0x%x "
                        + "ambient 0x%x", bounding, effective, permitted, inheritable, ambient));
    }

    public InitPlan noNewPrivileges() {
        return add(PLAN_NO_NEW_PRIVS, new FrameWriter(), "no-new-privs");
    }

    public InitPlan seccomp(int defaultAction, int defaultErrno, int flags, List<String> architectures) {
        return add(PLAN_SECCOMP, new FrameWriter().u32(defaultAction).u32(defaultErrno).u32(flags)
                .strv(architectures), "seccomp default " + defaultAction + "/" + defaultErrno + " flags 0x"
                        + Integer.toHexString(flags) + " arches " + architectures);
    }

    public InitPlan seccompRule(int specIndex, int action, int errno, List<SeccompArg> args, List<String> names) {
        FrameWriter w = new FrameWriter().u32(specIndex).u32(action).u32(errno).u32(args.size());
        for (SeccompArg a : args) {
            w.u32(a.index()).u32(a.op()).u64(a.value()).u64(a.valueTwo());
        }
        return add(PLAN_SECCOMP_RULE, w.strv(names), "seccomp rule [" + specIndex + "] " + action + "/" + errno
                + " " + args + " " + names);
    }

    // ---- time namespace, sysctl, process attributes (io.jshim.engine.namespace.NamespacePlan) ----

    /** A new time namespace with these clock offsets (time_namespaces(7)). */
    public InitPlan timeNamespace(long monotonicSecs, long monotonicNanos, long boottimeSecs, long boottimeNanos) {
        return add(PLAN_TIME_OFFSETS, new FrameWriter().u64(monotonicSecs).u64(monotonicNanos).u64(boottimeSecs)
                .u64(boottimeNanos), String.format("timens monotonic %d.%09d boottime %d.%09d", monotonicSecs,
                        monotonicNanos, boottimeSecs, boottimeNanos));
    }

    /** One sysctl, as a path below /proc/sys. */
    public InitPlan sysctl(String procSysPath, String value) {
        return add(PLAN_SYSCTL, new FrameWriter().str(procSysPath).str(value), "sysctl " + procSysPath + "=" + value);
    }

    public InitPlan personality(int persona) {
        return add(PLAN_PERSONALITY, new FrameWriter().u32(persona), String.format("personality 0x%x", persona));
    }

    public InitPlan scheduler(int policy, int nice, int priority, long flags, long runtime, long deadline,
            long period) {
        return add(PLAN_SCHEDULER, new FrameWriter().u32(policy).u32(nice).u32(priority).u64(flags).u64(runtime)
                .u64(deadline).u64(period), String.format("scheduler policy %d nice %d priority %d flags 0x%x "
                        + "runtime %d deadline %d period %d", policy, nice, priority, flags, runtime, deadline, period));
    }

    public InitPlan ioPriority(int ioClass, int level) {
        return add(PLAN_IO_PRIORITY, new FrameWriter().u32(ioClass).u32(level), "ioprio class " + ioClass + " level "
                + level);
    }

    // ---- hooks and terminal (io.jshim.engine.hooks.HookPlan, io.jshim.engine.console) ----

    /** A hook jshim-init runs (phase HOOK_*); env null: the process's env. */
    public InitPlan hook(int phase, int timeoutSeconds, String path, List<String> argv, List<String> env) {
        FrameWriter w = new FrameWriter().u32(phase).u32(timeoutSeconds).u32(env == null ? 0 : HOOKF_ENV).str(path)
                .strv(argv).strv(env == null ? List.of() : env);
        return add(PLAN_HOOK, w, "hook " + phase + " " + path + " " + argv + (env == null ? "" : " env " + env)
                + (timeoutSeconds > 0 ? " timeout " + timeoutSeconds + "s" : ""));
    }

    /** The state JSON of a phase's hooks, split where jshim-init writes its pid. */
    public InitPlan hookState(int phase, String beforePid, String afterPid) {
        return add(PLAN_HOOK_STATE, new FrameWriter().u32(phase).str(beforePid).str(afterPid),
                "hook-state " + phase + " " + beforePid + "<pid>" + afterPid);
    }

    public InitPlan runtimeHooks() {
        return add(PLAN_RUNTIME_HOOKS, new FrameWriter(), "runtime-hooks");
    }

    /** The console socket jshim-init inherits as {@code fd}; rows or cols 0 leave the size alone. */
    public InitPlan console(int fd, int rows, int cols, int flags) {
        return add(PLAN_CONSOLE, new FrameWriter().u32(fd).u32(rows).u32(cols).u32(flags),
                "console fd " + fd + " size " + rows + "x" + cols + ((flags & CONSOLE_AWAIT_PEER) != 0
                        ? " await-peer" : ""));
    }

    public List<PlanRecord> records() {
        return Collections.unmodifiableList(records);
    }

    /** The plan as it goes on the wire, ending with PLAN_END. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (PlanRecord r : records) {
            out.writeBytes(FrameWriter.frame(r.tag(), r.payload()));
        }
        out.writeBytes(FrameWriter.frame(PLAN_END, new byte[0]));
        return out.toByteArray();
    }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        records.forEach(r -> sb.append(r.describe()).append('\n'));
        return sb.toString();
    }
}
