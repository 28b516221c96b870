/*
 * jshim.h - declarations shared by the files of jshim-init.
 *
 *   main.c    fds, setns, clone, the container init's sequence, exec
 *   wire.c    frames on the sync socket, fail()
 *   plan.c    decoding the plan records into struct plan
 *   rootfs.c  mounts, devices, symlinks, pivot_root, masked/readonly paths
 *   nsextra.c time namespace, sysctl, personality, scheduler, I/O priority
 *   security.c capabilities, no_new_privs, seccomp, the sealed self-copy (security.h)
 *   hooks.c   createContainer/startContainer hooks, the MSG_HOOKS pause for runtime hooks
 *   console.c the container's pty and its master sent over the console socket
 *   join.c    exec ("join" mode): checks and the non-dumpable guard
 *
 * The plan is decoded once, before clone(), into one fixed-size static struct
 * whose strings point into a static arena holding the raw frames: nothing is
 * allocated between clone() and execve().
 */
#ifndef JSHIM_H
#define JSHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sync_protocol.h"
#include "security.h"

#ifndef JSHIM_VERSION
#define JSHIM_VERSION "unknown"
#endif

/* Bounds of the plan. A plan beyond them is refused with MSG_ERROR. */
#define MAX_PLAN_BYTES (16u * 1024u * 1024u) /* all frames together */
#define MAX_NS_JOIN 16
#define MAX_MOUNTS 256
#define MAX_DEVICES 256
#define MAX_MKDIRS 256
#define MAX_SYMLINKS 256
#define MAX_OPS (MAX_MOUNTS + MAX_DEVICES + MAX_MKDIRS + MAX_SYMLINKS)
#define MAX_PATHS 256 /* masked paths, and readonly paths, each */
#define MAX_RLIMITS 64
#define MAX_GIDS 65536 /* NGROUPS_MAX */
#define MAX_ARGS 65536
#define MAX_ENV 65536
#define MAX_SYSCTLS 1024

struct ns_join {
	uint32_t type; /* one CLONE_NEW* flag */
	const char *path;
};

struct mount_op {
	uint64_t flags;       /* MS_* */
	uint64_t propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE [| MS_REC] */
	uint32_t mnt_flags;   /* JSHIM_MNT_* */
	const char *source, *dest, *fstype, *data;
};

struct device_op {
	uint32_t type; /* 'c', 'u', 'b', 'p' */
	uint32_t major, minor, mode, uid, gid, dev_flags;
	const char *path;
};

enum op_kind { OP_MOUNT, OP_MKDIR, OP_SYMLINK, OP_DEVICE };

/* PLAN_MOUNT / PLAN_MKDIR / PLAN_SYMLINK / PLAN_DEVICE, in the order received. */
struct op {
	enum op_kind kind;
	union {
		struct mount_op mount;
		struct device_op device;
		struct { uint32_t mode; const char *path; } mkdir;
		struct { const char *target, *linkpath; } symlink;
	} u;
};

struct rlimit_op {
	uint32_t resource;
	uint64_t soft, hard;
};

/* PLAN_TIME_OFFSETS, PLAN_SYSCTL, PLAN_PERSONALITY, PLAN_SCHEDULER,
 * PLAN_IO_PRIORITY (nsextra.c). */
struct sysctl_op {
	const char *path; /* below /proc/sys, checked: relative, no "." or ".." */
	const char *value;
};

struct ns_extra {
	bool new_time_ns;
	int64_t monotonic[2], boottime[2]; /* secs, nsecs */
	struct sysctl_op sysctls[MAX_SYSCTLS];
	size_t nsysctls;
	bool has_personality;
	uint32_t personality;
	bool has_sched;
	uint32_t sched_policy, sched_priority;
	int32_t sched_nice;
	uint64_t sched_flags, sched_runtime, sched_deadline, sched_period;
	bool has_ioprio;
	uint32_t ioprio_class, ioprio_level;
};

/* PLAN_HOOK, PLAN_HOOK_STATE, PLAN_RUNTIME_HOOKS (hooks.c). */
#define MAX_HOOKS 128       /* createContainer and startContainer together */
#define MAX_HOOK_STRS 16384 /* argv and env entries of all hooks, with their NULLs */

struct hook_op {
	uint32_t phase;   /* JSHIM_HOOK_* */
	uint32_t timeout; /* seconds, 0: none */
	const char *path;
	char **argv;
	char **envp;      /* NULL: the process env of the plan (runc's init env) */
};

struct hook_plan {
	struct hook_op hooks[MAX_HOOKS];
	size_t nhooks;
	const char *state_before[3], *state_after[3]; /* indexed by phase */
	bool runtime_hooks; /* stop after the mounts with MSG_HOOKS */
};

/* PLAN_CONSOLE (console.c). */
struct console_plan {
	int fd;              /* the console socket; -1: no terminal */
	uint32_t rows, cols; /* either 0: leave the size alone */
	uint32_t flags;      /* JSHIM_CONSOLE_* */
};

struct plan {
	uint32_t mode;        /* MODE_CREATE (default) or MODE_JOIN */
	uint32_t clone_flags; /* CLONE_NEW* */
	struct ns_join join[MAX_NS_JOIN];
	size_t njoin;
	const char *hostname, *domainname; /* NULL: leave alone */
	const char *rootfs;
	bool rootfs_readonly, no_pivot, no_new_keyring;
	uint64_t root_propagation; /* MS_SLAVE|MS_REC unless the plan says otherwise */
	bool root_propagation_set; /* PLAN_ROOTFS_PROPAGATION was sent */
	struct op ops[MAX_OPS];
	size_t nops, nmounts, ndevices, nmkdirs, nsymlinks;
	const char *masked[MAX_PATHS];
	size_t nmasked;
	const char *readonly[MAX_PATHS];
	size_t nreadonly;
	struct rlimit_op rlimits[MAX_RLIMITS];
	size_t nrlimits;
	bool has_user;
	uint32_t uid, gid, umask; /* umask 0xffffffff: leave as is */
	uint32_t ngids;
	uint32_t gids[MAX_GIDS];
	const char *cwd;         /* "/" unless the plan says otherwise */
	char *argv[MAX_ARGS + 1]; /* NULL-terminated, for execve */
	size_t argc;
	char *envp[MAX_ENV + 1];
	size_t envc;
	const char *exec_fifo; /* NULL: exec right after MSG_READY */
	uint32_t preserve_fds;
	const char *container_id;
	struct ns_extra x; /* nsextra.c */
	struct security_plan sec; /* security.c */
	struct hook_plan hk;      /* hooks.c */
	struct console_plan con;  /* console.c */
};

/* wire.c */
extern int sync_fd;
void fail(int err, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
void fail_exact(int err, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
const char *errstr(int err);
/* Reads one frame into buf (capacity cap). Returns 0, or -1 on EOF before
 * the first byte of the frame; any other failure does not return. */
int read_frame(uint16_t *tag, void *buf, uint32_t cap, uint32_t *len);
/* Returns 0 or an errno value. */
int write_frame(uint16_t tag, const void *payload, uint32_t len);
const char *tag_name(uint16_t tag);

/* plan.c */
void read_plan(struct plan *p);
const char *ns_name(uint32_t clone_flag);
/* One plan record being decoded; the getters fail (EPROTO) on a short payload. */
struct cursor {
	const unsigned char *p;
	uint32_t left;
	uint16_t tag;
};
uint32_t get_u32(struct cursor *c);
uint64_t get_u64(struct cursor *c);
char *get_str(struct cursor *c);

/* nsextra.c */
void decode_nsextra(struct plan *p, struct cursor *c); /* PLAN_TIME_OFFSETS .. PLAN_IO_PRIORITY */
void check_nsextra(const struct plan *p);       /* after PLAN_END */
void setup_time_namespace(const struct plan *p); /* before clone() */
void apply_sysctls(const struct plan *p);       /* after the pivot, before masked/readonly paths */
void apply_process_attrs(const struct plan *p); /* scheduler, I/O priority, personality; as root */

/* hooks.c */
void decode_hooks(struct plan *p, struct cursor *c); /* PLAN_HOOK, _HOOK_STATE, _RUNTIME_HOOKS */
void check_hooks(const struct plan *p);               /* after PLAN_END */
/* Sends MSG_HOOKS and waits for MSG_HOOKS_DONE when the plan asks for it. */
void await_runtime_hooks(const struct plan *p);
/* Runs the phase's hooks in order. Returns 0, or -1 with a message naming the
 * hook ("hooks.createContainer[0]: /x: exit status 1") in msg. */
int run_hooks(const struct plan *p, uint32_t phase, char *msg, size_t cap);

/* console.c */
void decode_console(struct plan *p, struct cursor *c); /* PLAN_CONSOLE */
/* Makes the pty (in the container's /dev), sends its master over the console
 * socket, makes the slave the controlling terminal and fds 0..2; with
 * mount_console also bind-mounts it on /dev/console (create, not exec). */
void setup_console(const struct plan *p, bool mount_console);

/* join.c */
void check_join(const struct plan *p);   /* after PLAN_END: what MODE_JOIN allows */
void guard_before_join(const struct plan *p); /* non-dumpable before any setns (CVE-2019-5736) */

/* rootfs.c: prepare_rootfs() sets up everything under the rootfs, then
 * enter_rootfs() pivots into it (the caller makes the terminal then, as runc
 * does, before anything is made read-only), then finalize_rootfs() applies
 * sysctls, masked paths, readonly paths and the read-only root. */
void prepare_rootfs(const struct plan *p);
void enter_rootfs(const struct plan *p);
void finalize_rootfs(const struct plan *p);

#endif
