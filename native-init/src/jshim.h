/*
 * jshim.h - declarations shared by the files of jshim-init.
 *
 *   main.c    fds, setns, clone, the container init's sequence, exec
 *   wire.c    frames on the sync socket, fail()
 *   plan.c    decoding the plan records into struct plan
 *   rootfs.c  mounts, devices, symlinks, pivot_root, masked/readonly paths
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

/* rootfs.c: prepare_rootfs() sets up everything under the rootfs, then the
 * caller opens the exec FIFO (a host path), then finalize_rootfs() pivots
 * and applies masked paths, readonly paths and the read-only root. */
void prepare_rootfs(const struct plan *p);
void finalize_rootfs(const struct plan *p);

#endif
