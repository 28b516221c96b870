/*
 * sync_protocol.h - the wire format between the Java engine and jshim-init.
 *
 * Mirrored, field for field, by
 *   runtime-engine/src/main/java/io/jshim/engine/plan/SyncProtocol.java
 * Change both together, and bump JSHIM_SYNC_VERSION.
 *
 * Transport: one AF_UNIX SOCK_STREAM socketpair. Java keeps one end; jshim-init
 * gets the other as the fd named by its environment variable JSHIM_SYNC_FD
 * (argv is left free for ps(1) to show "jshim-init <id>").
 *
 * Every message, in both directions, is a frame:
 *
 *     u16 tag | u32 length | length bytes of payload      (all little-endian)
 *
 * Payload encodings used below:
 *     u8/u16/u32/u64/i32/i64  little-endian integers
 *     str                     bytes ending in one NUL (the NUL counts in length)
 *     strv                    u32 count, then count strs
 *
 * Conversation (create / run):
 *
 *   Java -> init   PLAN_HELLO, then any number of plan records, then PLAN_END
 *   init           joins namespaces given by path (setns), then clone()s the
 *                  container's init with the CLONE_NEW* flags of PLAN_NS_CLONE
 *                  (except CLONE_NEWCGROUP, which is unshared after GO, once
 *                  the process sits in its cgroups, as runc does).
 *   init -> Java   MSG_PID (host pid of the container's init), then the
 *                  jshim-init parent exits 0; the child keeps the socket.
 *   Java           places the pid in its cgroups (and, later, writes id maps,
 *                  runs createRuntime hooks)
 *   Java -> child  MSG_GO
 *   child          unshare(CLONE_NEWCGROUP) if asked, sethostname, mounts,
 *                  devices, symlinks, pivot_root / MS_MOVE, masked and readonly
 *                  paths, rlimits, user, cwd, resolves args[0], opens the exec
 *                  FIFO (O_PATH) before pivoting ...
 *   child -> Java  MSG_READY once everything is done, just before it blocks
 *                  re-opening the FIFO write-only through /proc/self/fd.
 *                  Java then closes its end and `create` returns.
 *   start          opens the FIFO for reading and reads one byte; the child's
 *                  open returns, it writes "0", closes it, and execve()s.
 *
 *   At any step: child or parent -> Java  MSG_ERROR (i32 errno, str message)
 *   and exits 1. The message names the path, syscall or field at fault.
 *
 * Exec ("join" mode, issue 3) uses the same frames with PLAN_MODE = MODE_JOIN.
 *
 * How jshim-init reads a plan (native-init/src/plan.c):
 *   - PLAN_HELLO first, PLAN_END last. PLAN_NS_JOIN, _MOUNT, _MKDIR, _SYMLINK,
 *     _DEVICE, _MASKED_PATH, _READONLY_PATH and _RLIMIT may repeat; any other
 *     record appearing twice, an unknown tag, a short or overlong payload or a
 *     str without its NUL is an error (MSG_ERROR, errno EPROTO).
 *   - Absent records mean: MODE_CREATE, no new namespaces, propagation
 *     MS_SLAVE|MS_REC, cwd "/", user unchanged, empty environment, no
 *     preserved fds, no exec FIFO (then the child execs right after
 *     MSG_READY). PLAN_ARGS must hold at least one str; PLAN_ROOTFS is needed
 *     with CLONE_NEWNS, and mounts/devices/symlinks/mkdirs/masked/readonly
 *     paths need CLONE_NEWNS; hostname/domainname need a new or joined uts ns.
 *   - Bounds (E2BIG beyond): 16 MiB of frames in all, 16 PLAN_NS_JOIN, 256
 *     each of PLAN_MOUNT, _DEVICE, _MKDIR, _SYMLINK, _MASKED_PATH,
 *     _READONLY_PATH, 64 PLAN_RLIMIT, 65536 gids, args and env entries.
 *   - The sync fd must lie above the preserved fds (>= 3 + PLAN_PRESERVE_FDS).
 *   - MODE_JOIN is refused (ENOSYS) until issue 3.
 *   - The child closes its end of the socket right after MSG_READY; a
 *     failure after that goes to its stderr (exit 1, or 127 if execve fails).
 */
#ifndef JSHIM_SYNC_PROTOCOL_H
#define JSHIM_SYNC_PROTOCOL_H

#define JSHIM_SYNC_VERSION 1u
#define JSHIM_SYNC_FD_ENV "JSHIM_SYNC_FD"
#define JSHIM_MAX_FRAME (4u * 1024u * 1024u)

enum jshim_tag {
	/* ---- Java -> init: the plan ---- */
	PLAN_HELLO = 1,          /* u32 JSHIM_SYNC_VERSION */
	PLAN_END = 2,            /* empty */
	PLAN_MODE = 3,           /* u32: MODE_CREATE or MODE_JOIN */
	PLAN_NS_CLONE = 10,      /* u32 CLONE_NEW* flags for namespaces created anew */
	PLAN_NS_JOIN = 11,       /* u32 CLONE_NEW* type, str path: setns() before clone */
	PLAN_HOSTNAME = 12,      /* str */
	PLAN_DOMAINNAME = 13,    /* str */
	PLAN_ROOTFS = 20,        /* str absolute host path of the rootfs */
	PLAN_ROOTFS_READONLY = 21, /* empty: remount / read-only after setup */
	PLAN_ROOTFS_PROPAGATION = 22, /* u64 MS_* propagation flags for / (default MS_SLAVE|MS_REC) */
	PLAN_NO_PIVOT = 23,      /* empty: MS_MOVE + chroot instead of pivot_root */
	PLAN_MOUNT = 24,         /* u64 flags, u64 propagation flags, u32 mount_flags (JSHIM_MNT_*),
	                            str source, str destination (absolute inside the rootfs),
	                            str fstype, str data */
	PLAN_MKDIR = 25,         /* u32 mode, str path inside the rootfs (mkdir -p) */
	PLAN_SYMLINK = 26,       /* str target, str linkpath inside the rootfs */
	PLAN_DEVICE = 27,        /* u32 type ('c','b','p'; 'u' = 'c'), u32 major, u32 minor, u32 mode,
	                            u32 uid, u32 gid, u32 device_flags (JSHIM_DEV_*), str path */
	PLAN_MASKED_PATH = 28,   /* str path: /dev/null over files, ro tmpfs over dirs */
	PLAN_READONLY_PATH = 29, /* str path: bind onto itself read-only */
	PLAN_RLIMIT = 30,        /* u32 resource (RLIMIT_*), u64 soft, u64 hard */
	PLAN_USER = 31,          /* u32 uid, u32 gid, u32 umask (0xffffffff: leave as is),
	                            u32 n, n x u32 additional gids */
	PLAN_CWD = 32,           /* str */
	PLAN_ARGS = 33,          /* strv */
	PLAN_ENV = 34,           /* strv */
	PLAN_EXEC_FIFO = 35,     /* str absolute host path of <state>/exec.fifo */
	PLAN_PRESERVE_FDS = 36,  /* u32 n: fds 3 .. 3+n-1 stay open for the process */
	PLAN_NO_NEW_KEYRING = 37, /* empty: do not join a fresh session keyring */
	PLAN_CONTAINER_ID = 38,  /* str: names the session keyring "_ses.<id>" as runc does */
	/* reserved for the spec-completion issue: capabilities, seccomp, sysctl,
	 * no_new_privs, oom_score_adj, id maps, console socket, hooks. 40..79 */

	/* ---- messages ---- */
	MSG_PID = 100,           /* init -> Java: u32 host pid of the container's init */
	MSG_GO = 101,            /* Java -> child: empty */
	MSG_READY = 102,         /* child -> Java: empty; about to block on the exec FIFO */
	MSG_ERROR = 103,         /* init/child -> Java: i32 errno (0 if none), str message */
};

enum jshim_mode {
	MODE_CREATE = 1,
	MODE_JOIN = 2,
};

/* PLAN_MOUNT mount_flags */
#define JSHIM_MNT_BIND_FILE   0x1u  /* bind source is not a directory: create dest as a file */
#define JSHIM_MNT_REMOUNT_RO  0x2u  /* after a bind, remount with MS_RDONLY (and the other flags) */
#define JSHIM_MNT_CGROUP_NS   0x4u  /* mount after unsharing the cgroup namespace (jshim-init
                                       unshares it right after MSG_GO, before any mount, so
                                       every mount already is) */
#define JSHIM_MNT_RECURSIVE_RO 0x8u /* reserved: mount_setattr(AT_RECURSIVE, MOUNT_ATTR_RDONLY);
                                       refused (ENOTSUP) for now */

/* PLAN_DEVICE device_flags */
#define JSHIM_DEV_BIND_FALLBACK 0x1u /* bind the host node when mknod is not permitted */

#endif
