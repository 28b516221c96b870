package io.jshim.engine.plan;

/**
 * Mirror of native-init/src/sync_protocol.h: the frames the engine and jshim-init
 * exchange over their socketpair. Every frame is {@code u16 tag | u32 length |
 * payload}, little-endian; strings end in one NUL. Change both files together.
 */
public final class SyncProtocol {
    public static final int VERSION = 1;
    public static final String SYNC_FD_ENV = "JSHIM_SYNC_FD";
    public static final int MAX_FRAME = 4 * 1024 * 1024;
    public static final int HEADER_SIZE = 6;

    public static final int PLAN_HELLO = 1;
    public static final int PLAN_END = 2;
    public static final int PLAN_MODE = 3;
    public static final int PLAN_NS_CLONE = 10;
    public static final int PLAN_NS_JOIN = 11;
    public static final int PLAN_HOSTNAME = 12;
    public static final int PLAN_DOMAINNAME = 13;
    public static final int PLAN_ROOTFS = 20;
    public static final int PLAN_ROOTFS_READONLY = 21;
    public static final int PLAN_ROOTFS_PROPAGATION = 22;
    public static final int PLAN_NO_PIVOT = 23;
    public static final int PLAN_MOUNT = 24;
    public static final int PLAN_MKDIR = 25;
    public static final int PLAN_SYMLINK = 26;
    public static final int PLAN_DEVICE = 27;
    public static final int PLAN_MASKED_PATH = 28;
    public static final int PLAN_READONLY_PATH = 29;
    public static final int PLAN_RLIMIT = 30;
    public static final int PLAN_USER = 31;
    public static final int PLAN_CWD = 32;
    public static final int PLAN_ARGS = 33;
    public static final int PLAN_ENV = 34;
    public static final int PLAN_EXEC_FIFO = 35;
    public static final int PLAN_PRESERVE_FDS = 36;
    public static final int PLAN_NO_NEW_KEYRING = 37;
    public static final int PLAN_CONTAINER_ID = 38;

    // 40..49: security (native-init/src/security.c; built by io.jshim.engine.security.SecurityPlan)
    /** u64 bounding, effective, permitted, inheritable, ambient: bit n = capability n. */
    public static final int PLAN_CAPS = 40;
    /** empty: prctl(PR_SET_NO_NEW_PRIVS). */
    public static final int PLAN_NO_NEW_PRIVS = 41;
    /** u32 default action (SCMP_*), u32 default errno, u32 flags (SECCOMP_FLAG_*), strv architectures. */
    public static final int PLAN_SECCOMP = 42;
    /** u32 spec index, u32 action, u32 errno, u32 n, n x {u32 index, u32 op, u64 value, u64 valueTwo}, strv names. */
    public static final int PLAN_SECCOMP_RULE = 43;

    // 50..59: time namespace, sysctl, process attributes (native-init/src/nsextra.c)
    /** i64 monotonic secs, i64 monotonic nsecs, i64 boottime secs, i64 boottime nsecs: a new time namespace. */
    public static final int PLAN_TIME_OFFSETS = 50;
    /** str path below /proc/sys, str value; repeatable. */
    public static final int PLAN_SYSCTL = 51;
    /** u32 persona for personality(2). */
    public static final int PLAN_PERSONALITY = 52;
    /** u32 policy, i32 nice, u32 priority, u64 flags, u64 runtime, u64 deadline, u64 period: sched_setattr(2). */
    public static final int PLAN_SCHEDULER = 53;
    /** u32 class (1 RT, 2 BE, 3 IDLE), u32 level 0..7: ioprio_set(2). */
    public static final int PLAN_IO_PRIORITY = 54;

    // 60..79: hooks, terminal, exec (native-init/src/hooks.c, console.c, join.c; io.jshim.engine.hooks, .console)
    /** repeatable: u32 phase (HOOK_*), u32 timeout s (0 none), u32 flags (HOOKF_*), str path, strv argv, strv env. */
    public static final int PLAN_HOOK = 60;
    /** repeatable, once per phase: u32 phase, str JSON before the pid, str JSON after it. */
    public static final int PLAN_HOOK_STATE = 61;
    /** empty: stop after the mounts with MSG_HOOKS until MSG_HOOKS_DONE (prestart, createRuntime). */
    public static final int PLAN_RUNTIME_HOOKS = 62;
    /** u32 fd of the connected console socket, u32 rows, u32 cols (either 0: size left alone), u32 flags. */
    public static final int PLAN_CONSOLE = 63;
    /** PLAN_CONSOLE flag: the peer is our own relay; wait for its byte after sending the master. */
    public static final int CONSOLE_AWAIT_PEER = 0x1;

    public static final int MSG_PID = 100;
    public static final int MSG_GO = 101;
    public static final int MSG_READY = 102;
    public static final int MSG_ERROR = 103;
    // 110..119: security
    /** child -> engine, empty; the seccomp listener fd rides on it (SCM_RIGHTS). */
    public static final int MSG_SECCOMP_FD = 110;
    /** engine -> child, empty: the agent at listenerPath has the fd. */
    public static final int MSG_SECCOMP_DONE = 111;

    /** PLAN_SECCOMP / PLAN_SECCOMP_RULE action codes (JSHIM_SCMP_* in sync_protocol.h). */
    public static final int SCMP_KILL = 1;
    public static final int SCMP_KILL_PROCESS = 2;
    public static final int SCMP_KILL_THREAD = 3;
    public static final int SCMP_TRAP = 4;
    public static final int SCMP_ERRNO = 5;
    public static final int SCMP_TRACE = 6;
    public static final int SCMP_ALLOW = 7;
    public static final int SCMP_LOG = 8;
    public static final int SCMP_NOTIFY = 9;

    /** PLAN_SECCOMP flags (JSHIM_SECCOMP_FLAG_*). */
    public static final int SECCOMP_FLAG_TSYNC = 0x1;
    public static final int SECCOMP_FLAG_LOG = 0x2;
    public static final int SECCOMP_FLAG_SPEC_ALLOW = 0x4;
    public static final int SECCOMP_FLAG_WAIT_KILLABLE_RECV = 0x8;
    // 120..129: reserved for namespaces, devices, process attributes (none used yet)
    // 130..139: hooks
    /** child -> engine, empty: the mounts are made; run prestart and createRuntime hooks now. */
    public static final int MSG_HOOKS = 130;
    /** engine -> child, empty: those hooks succeeded. */
    public static final int MSG_HOOKS_DONE = 131;

    /** PLAN_HOOK phases run by jshim-init (JSHIM_HOOK_* in sync_protocol.h). */
    public static final int HOOK_CREATE_CONTAINER = 1;
    public static final int HOOK_START_CONTAINER = 2;
    /** PLAN_HOOK flag: the hook has its own env. */
    public static final int HOOKF_ENV = 0x1;

    public static final int MODE_CREATE = 1;
    public static final int MODE_JOIN = 2;

    public static final int MNT_BIND_FILE = 0x1;
    public static final int MNT_REMOUNT_RO = 0x2;
    public static final int MNT_CGROUP_NS = 0x4;

    public static final int DEV_BIND_FALLBACK = 0x1;

    public static final int UMASK_UNSET = 0xffffffff;

    private SyncProtocol() {
    }
}
