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

    public static final int MSG_PID = 100;
    public static final int MSG_GO = 101;
    public static final int MSG_READY = 102;
    public static final int MSG_ERROR = 103;

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
