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
 * Exec ("join" mode) uses the same frames with PLAN_MODE = MODE_JOIN: init
 * setns()es into the container's namespaces, clone()s the process (so that the
 * pid namespace applies to it), reports MSG_PID; Java puts it in the
 * container's cgroups and sends MSG_GO; the child sets up user, cwd, rlimits
 * (and the terminal) and reports MSG_READY, then execs at once (no FIFO).
 *
 * Hooks (config.md "POSIX-platform Hooks"): with PLAN_RUNTIME_HOOKS the child
 * sends MSG_HOOKS once the mounts are made and waits for MSG_HOOKS_DONE while
 * the engine runs prestart and createRuntime hooks; it then runs createContainer
 * hooks (PLAN_HOOK) with cwd = rootfs, before pivot_root. startContainer hooks
 * run after `start` opened the FIFO: the child writes "0" to the FIFO when they
 * succeeded, or "E<message>" and exits 1 when one failed, and `start` reports it.
 *
 * How jshim-init reads a plan (native-init/src/plan.c):
 *   - PLAN_HELLO first, PLAN_END last. PLAN_NS_JOIN, _MOUNT, _MKDIR, _SYMLINK,
 *     _DEVICE, _MASKED_PATH, _READONLY_PATH, _RLIMIT, _SYSCTL and _SECCOMP_RULE may repeat; any other
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
 *     _READONLY_PATH, 64 PLAN_RLIMIT, 1024 PLAN_SYSCTL, 4096 PLAN_SECCOMP_RULE
 *     (16384 syscall names in all, 32 architectures), 65536 gids, args and
 *     env entries.
 *   - Security (security.c): jshim-init first re-executes itself from a sealed
 *     memfd copy and makes itself non-dumpable (CVE-2019-5736, CVE-2016-9962);
 *     the parent compiles PLAN_SECCOMP* to BPF before clone(); the child drops
 *     the bounding set before the user switch, applies PLAN_CAPS and
 *     PLAN_NO_NEW_PRIVS after it, and loads the filter as late as possible:
 *     right before execve() (after the exec FIFO) with no_new_privs; before
 *     the user switch without it (loading then needs CAP_SYS_ADMIN); before
 *     MSG_READY with SCMP_ACT_NOTIFY, sending MSG_SECCOMP_FD and waiting for
 *     MSG_SECCOMP_DONE.
 *   - The sync fd must lie above the preserved fds (>= 3 + PLAN_PRESERVE_FDS).
 *   - MODE_JOIN (exec): PLAN_NS_JOIN names every namespace of the running
 *     container (user first); no PLAN_NS_CLONE flags, rootfs, mounts, hostname
 *     or exec FIFO. jshim-init is non-dumpable whenever it joins namespaces
 *     (CVE-2019-5736: a container process must not reach it through
 *     /proc/<pid>/exe); execve() makes the user process dumpable again.
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

	/* 40..49: security (security.c). Absent PLAN_CAPS: capabilities are left
	 * as they are (the engine always sends it: runc's default for a missing
	 * process.capabilities is the empty set). */
	PLAN_CAPS = 40,          /* u64 bounding, u64 effective, u64 permitted, u64 inheritable,
	                            u64 ambient: bit n = capability n (linux/capability.h) */
	PLAN_NO_NEW_PRIVS = 41,  /* empty: prctl(PR_SET_NO_NEW_PRIVS) after the capabilities */
	PLAN_SECCOMP = 42,       /* u32 default action (JSHIM_SCMP_*), u32 default errno,
	                            u32 flags (JSHIM_SECCOMP_FLAG_*), strv architectures
	                            (libseccomp names: "x86_64", "x86", "x32", ...) */
	PLAN_SECCOMP_RULE = 43,  /* repeatable, needs PLAN_SECCOMP: u32 index in
	                            linux.seccomp.syscalls, u32 action (JSHIM_SCMP_*), u32 errno,
	                            u32 n (<= 6), n x {u32 arg index, u32 op (enum scmp_compare,
	                            1..7), u64 value, u64 valueTwo}, strv syscall names */

	/* 50..59: time namespace, sysctl, process attributes (nsextra.c). User
	 * namespaces need no record: CLONE_NEWUSER rides in PLAN_NS_CLONE, a
	 * joined one in PLAN_NS_JOIN (joined first), and the engine writes the id
	 * maps between MSG_PID and MSG_GO. */
	PLAN_TIME_OFFSETS = 50,  /* i64 monotonic secs, i64 monotonic nsecs, i64 boottime secs,
	                            i64 boottime nsecs: unshare(CLONE_NEWTIME) before clone(),
	                            write /proc/self/timens_offsets; the child is born in it */
	PLAN_SYSCTL = 51,        /* str path below /proc/sys ("net/ipv4/ip_forward"), str value;
	                            repeatable; written after pivot_root, before masked and
	                            readonly paths (runc's order); needs CLONE_NEWNS */
	PLAN_PERSONALITY = 52,   /* u32 persona for personality(2) (PER_LINUX, PER_LINUX32) */
	PLAN_SCHEDULER = 53,     /* u32 policy (SCHED_*), i32 nice, u32 priority, u64 flags
	                            (SCHED_FLAG_*), u64 runtime, u64 deadline, u64 period (ns):
	                            sched_setattr(2) */
	PLAN_IO_PRIORITY = 54,   /* u32 class (IOPRIO_CLASS_RT/BE/IDLE = 1/2/3), u32 level 0..7:
	                            ioprio_set(2) */

	/* 60..79: hooks, terminal, exec (hooks.c, console.c, join.c) */
	PLAN_HOOK = 60,          /* repeatable: u32 phase (JSHIM_HOOK_*), u32 timeout seconds
	                            (0 = none), u32 flags (JSHIM_HOOKF_*), str path, strv argv
	                            (argv[0] included), strv env (used only with
	                            JSHIM_HOOKF_ENV; else the process env of the plan) */
	PLAN_HOOK_STATE = 61,    /* repeatable, once per phase: u32 phase, str JSON before the
	                            pid, str JSON after it; the hook's stdin is the first str,
	                            the decimal getpid() of the process running it (as the
	                            container sees it), then the second */
	PLAN_RUNTIME_HOOKS = 62, /* empty: after the mounts (before createContainer hooks and
	                            pivot_root) send MSG_HOOKS and wait for MSG_HOOKS_DONE, so
	                            the engine runs prestart and createRuntime hooks then */
	PLAN_CONSOLE = 63,       /* u32 fd of a connected AF_UNIX console socket (inherited;
	                            above the preserved fds), u32 rows, u32 cols (either 0:
	                            leave the size alone), u32 flags (JSHIM_CONSOLE_*): make a
	                            pty in the container, send its master with SCM_RIGHTS, make
	                            the slave the controlling terminal and stdio (runc
	                            docs/terminals.md) */

	/* ---- messages ---- */
	MSG_PID = 100,           /* init -> Java: u32 host pid of the container's init */
	MSG_GO = 101,            /* Java -> child: empty */
	MSG_READY = 102,         /* child -> Java: empty; about to block on the exec FIFO */
	MSG_ERROR = 103,         /* init/child -> Java: i32 errno (0 if none), str message */
	/* 110..119: security */
	MSG_SECCOMP_FD = 110,    /* child -> Java: empty payload; the seccomp listener fd rides
	                            on it (SCM_RIGHTS). Sent before MSG_READY when a rule uses
	                            SCMP_ACT_NOTIFY; Java passes the fd to listenerPath */
	MSG_SECCOMP_DONE = 111,  /* Java -> child: empty; the agent has the fd */
	/* 120..129: reserved for namespaces, devices, process attributes (none used yet) */
	/* 130..139: hooks */
	MSG_HOOKS = 130,         /* child -> Java: empty; the mounts are done (PLAN_RUNTIME_HOOKS):
	                            run prestart and createRuntime hooks now */
	MSG_HOOKS_DONE = 131,    /* Java -> child: empty; they succeeded (on failure the engine
	                            closes the socket and kills the child) */
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

/* PLAN_HOOK / PLAN_HOOK_STATE phases run by jshim-init (the others run in the engine) */
#define JSHIM_HOOK_CREATE_CONTAINER 1u /* after the mounts, before pivot_root; cwd = rootfs */
#define JSHIM_HOOK_START_CONTAINER  2u /* after `start` opened the exec FIFO, before execve */
/* PLAN_HOOK flags */
#define JSHIM_HOOKF_ENV 0x1u /* the hook has its own env (config.md: hooks[].env) */

/* PLAN_CONSOLE flags */
#define JSHIM_CONSOLE_AWAIT_PEER 0x1u /* the peer is the engine's own relay: after sending the
                                         master, wait for one byte from it (its terminal is raw
                                         and sized), so the process never writes before that */

/* PLAN_DEVICE device_flags */
#define JSHIM_DEV_BIND_FALLBACK 0x1u /* bind the host node when mknod is not permitted */

/* PLAN_SECCOMP / PLAN_SECCOMP_RULE actions (config-linux.md "seccomp") */
#define JSHIM_SCMP_KILL          1u /* SCMP_ACT_KILL = KILL_THREAD, as in runc */
#define JSHIM_SCMP_KILL_PROCESS  2u
#define JSHIM_SCMP_KILL_THREAD   3u
#define JSHIM_SCMP_TRAP          4u
#define JSHIM_SCMP_ERRNO         5u /* with the record's errno */
#define JSHIM_SCMP_TRACE         6u /* with the record's errno */
#define JSHIM_SCMP_ALLOW         7u
#define JSHIM_SCMP_LOG           8u
#define JSHIM_SCMP_NOTIFY        9u /* rules only, never the default action */

/* PLAN_SECCOMP flags: SECCOMP_FILTER_FLAG_* of seccomp(2) */
#define JSHIM_SECCOMP_FLAG_TSYNC              0x1u
#define JSHIM_SECCOMP_FLAG_LOG                0x2u
#define JSHIM_SECCOMP_FLAG_SPEC_ALLOW         0x4u
#define JSHIM_SECCOMP_FLAG_WAIT_KILLABLE_RECV 0x8u

#endif
