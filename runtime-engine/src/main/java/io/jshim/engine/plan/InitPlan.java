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
