/*
 * plan.c - read PLAN_HELLO .. PLAN_END from the sync socket into struct plan.
 *
 * Each frame is read into a static arena and stays there: the strings of the
 * plan point into it. Every record is checked for length (no short or
 * trailing bytes, every str NUL-terminated inside its frame), singletons may
 * appear once, lists are bounded, and an unknown tag is an error: a newer
 * engine's record (seccomp, say) must never be silently skipped.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "jshim.h"

static unsigned char arena[MAX_PLAN_BYTES];

static void truncated(const struct cursor *c) __attribute__((noreturn));
static void truncated(const struct cursor *c)
{
	fail_exact(EPROTO, "plan record %s: payload too short", tag_name(c->tag));
}

static uint64_t get_le(struct cursor *c, uint32_t n)
{
	uint64_t v = 0;
	if (c->left < n)
		truncated(c);
	for (uint32_t i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	c->left -= n;
	return v;
}

uint32_t get_u32(struct cursor *c) { return (uint32_t)get_le(c, 4); }
uint64_t get_u64(struct cursor *c) { return get_le(c, 8); }

char *get_str(struct cursor *c)
{
	const unsigned char *nul = memchr(c->p, 0, c->left);
	char *s = (char *)c->p;
	uint32_t n;

	if (nul == NULL)
		fail_exact(EPROTO, "plan record %s: string not NUL-terminated", tag_name(c->tag));
	n = (uint32_t)(nul - c->p) + 1;
	c->p += n;
	c->left -= n;
	return s;
}

/* Fills v[0..count-1] and v[count] = NULL; returns count. */
static size_t get_strv(struct cursor *c, char **v, size_t max)
{
	uint32_t count = get_u32(c);
	if (count > max)
		fail_exact(E2BIG, "plan record %s: %u entries, at most %zu are supported",
		           tag_name(c->tag), count, max);
	for (uint32_t i = 0; i < count; i++)
		v[i] = get_str(c);
	v[count] = NULL;
	return count;
}

static void done(const struct cursor *c)
{
	if (c->left != 0)
		fail_exact(EPROTO, "plan record %s: %u unexpected trailing bytes", tag_name(c->tag), c->left);
}

static void too_many(uint16_t tag, size_t max) __attribute__((noreturn));
static void too_many(uint16_t tag, size_t max)
{
	fail_exact(E2BIG, "plan has more than %zu %s records", max, tag_name(tag));
}

const char *ns_name(uint32_t flag)
{
	switch (flag) {
	case CLONE_NEWNS: return "mnt";
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWNET: return "net";
	case CLONE_NEWPID: return "pid";
	case CLONE_NEWUSER: return "user";
	case CLONE_NEWCGROUP: return "cgroup";
#ifdef CLONE_NEWTIME
	case CLONE_NEWTIME: return "time";
#endif
	}
	return "unknown";
}

#define ALL_NS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | \
		CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWCGROUP)

static struct op *new_op(struct plan *p, enum op_kind kind, size_t *count, size_t max, uint16_t tag)
{
	if (*count >= max)
		too_many(tag, max);
	(*count)++;
	p->ops[p->nops].kind = kind;
	return &p->ops[p->nops++];
}

static bool repeatable(uint16_t tag)
{
	switch (tag) {
	case PLAN_NS_JOIN: case PLAN_MOUNT: case PLAN_MKDIR: case PLAN_SYMLINK:
	case PLAN_DEVICE: case PLAN_MASKED_PATH: case PLAN_READONLY_PATH: case PLAN_RLIMIT:
	case PLAN_SYSCTL: case PLAN_SECCOMP_RULE:
	case PLAN_HOOK: case PLAN_HOOK_STATE: /* hooks.c refuses a second state for one phase */
		return true;
	}
	return false;
}

static void decode(struct plan *p, struct cursor *c)
{
	struct op *op;

	switch (c->tag) {
	case PLAN_MODE:
		p->mode = get_u32(c);
		if (p->mode != MODE_CREATE && p->mode != MODE_JOIN)
			fail_exact(EINVAL, "plan record PLAN_MODE: unknown mode %u", p->mode);
		break;
	case PLAN_NS_CLONE:
		p->clone_flags = get_u32(c);
		if (p->clone_flags & ~(uint32_t)ALL_NS)
			fail_exact(EINVAL, "plan record PLAN_NS_CLONE: unsupported flags 0x%x",
			           p->clone_flags & ~(uint32_t)ALL_NS);
		break;
	case PLAN_NS_JOIN:
		if (p->njoin >= MAX_NS_JOIN)
			too_many(c->tag, MAX_NS_JOIN);
		p->join[p->njoin].type = get_u32(c);
		p->join[p->njoin].path = get_str(c);
		if (strcmp(ns_name(p->join[p->njoin].type), "unknown") == 0)
			fail_exact(EINVAL, "plan record PLAN_NS_JOIN: unknown namespace type 0x%x for %s",
			           p->join[p->njoin].type, p->join[p->njoin].path);
		p->njoin++;
		break;
	case PLAN_HOSTNAME: p->hostname = get_str(c); break;
	case PLAN_DOMAINNAME: p->domainname = get_str(c); break;
	case PLAN_ROOTFS:
		p->rootfs = get_str(c);
		if (p->rootfs[0] != '/')
			fail_exact(EINVAL, "plan record PLAN_ROOTFS: %s is not an absolute path", p->rootfs);
		break;
	case PLAN_ROOTFS_READONLY: p->rootfs_readonly = true; break;
	case PLAN_ROOTFS_PROPAGATION:
		p->root_propagation = get_u64(c);
		p->root_propagation_set = true;
		break;
	case PLAN_NO_PIVOT: p->no_pivot = true; break;
	case PLAN_MOUNT:
		op = new_op(p, OP_MOUNT, &p->nmounts, MAX_MOUNTS, c->tag);
		op->u.mount.flags = get_u64(c);
		op->u.mount.propagation = get_u64(c);
		op->u.mount.mnt_flags = get_u32(c);
		op->u.mount.source = get_str(c);
		op->u.mount.dest = get_str(c);
		op->u.mount.fstype = get_str(c);
		op->u.mount.data = get_str(c);
		if (op->u.mount.mnt_flags & JSHIM_MNT_RECURSIVE_RO)
			fail_exact(ENOTSUP, "mount %s: recursive read-only mounts are not supported yet",
			           op->u.mount.dest);
		break;
	case PLAN_MKDIR:
		op = new_op(p, OP_MKDIR, &p->nmkdirs, MAX_MKDIRS, c->tag);
		op->u.mkdir.mode = get_u32(c);
		op->u.mkdir.path = get_str(c);
		break;
	case PLAN_SYMLINK:
		op = new_op(p, OP_SYMLINK, &p->nsymlinks, MAX_SYMLINKS, c->tag);
		op->u.symlink.target = get_str(c);
		op->u.symlink.linkpath = get_str(c);
		break;
	case PLAN_DEVICE:
		op = new_op(p, OP_DEVICE, &p->ndevices, MAX_DEVICES, c->tag);
		op->u.device.type = get_u32(c);
		op->u.device.major = get_u32(c);
		op->u.device.minor = get_u32(c);
		op->u.device.mode = get_u32(c);
		op->u.device.uid = get_u32(c);
		op->u.device.gid = get_u32(c);
		op->u.device.dev_flags = get_u32(c);
		op->u.device.path = get_str(c);
		switch (op->u.device.type) {
		case 'c': case 'u': case 'b': case 'p': break;
		default:
			fail_exact(EINVAL, "device %s: unknown type %u", op->u.device.path, op->u.device.type);
		}
		break;
	case PLAN_MASKED_PATH:
		if (p->nmasked >= MAX_PATHS)
			too_many(c->tag, MAX_PATHS);
		p->masked[p->nmasked++] = get_str(c);
		break;
	case PLAN_READONLY_PATH:
		if (p->nreadonly >= MAX_PATHS)
			too_many(c->tag, MAX_PATHS);
		p->readonly[p->nreadonly++] = get_str(c);
		break;
	case PLAN_RLIMIT:
		if (p->nrlimits >= MAX_RLIMITS)
			too_many(c->tag, MAX_RLIMITS);
		p->rlimits[p->nrlimits].resource = get_u32(c);
		p->rlimits[p->nrlimits].soft = get_u64(c);
		p->rlimits[p->nrlimits].hard = get_u64(c);
		p->nrlimits++;
		break;
	case PLAN_USER:
		p->has_user = true;
		p->uid = get_u32(c);
		p->gid = get_u32(c);
		p->umask = get_u32(c);
		p->ngids = get_u32(c);
		if (p->ngids > MAX_GIDS)
			fail_exact(E2BIG, "plan record PLAN_USER: %u additional gids, at most %u are supported",
			           p->ngids, MAX_GIDS);
		for (uint32_t i = 0; i < p->ngids; i++)
			p->gids[i] = get_u32(c);
		break;
	case PLAN_CWD: p->cwd = get_str(c); break;
	case PLAN_ARGS: p->argc = get_strv(c, p->argv, MAX_ARGS); break;
	case PLAN_ENV: p->envc = get_strv(c, p->envp, MAX_ENV); break;
	case PLAN_EXEC_FIFO: p->exec_fifo = get_str(c); break;
	case PLAN_PRESERVE_FDS: p->preserve_fds = get_u32(c); break;
	case PLAN_NO_NEW_KEYRING: p->no_new_keyring = true; break;
	case PLAN_CONTAINER_ID: p->container_id = get_str(c); break;
	case PLAN_TIME_OFFSETS: case PLAN_SYSCTL: case PLAN_PERSONALITY: case PLAN_SCHEDULER:
	case PLAN_IO_PRIORITY:
		decode_nsextra(p, c);
		break;
	case PLAN_HOOK: case PLAN_HOOK_STATE: case PLAN_RUNTIME_HOOKS:
		decode_hooks(p, c);
		break;
	case PLAN_CONSOLE:
		decode_console(p, c);
		break;
	case PLAN_CAPS: case PLAN_NO_NEW_PRIVS: case PLAN_SECCOMP: case PLAN_SECCOMP_RULE:
		decode_security(p, c);
		break;
	default:
		fail_exact(EPROTO, "unexpected frame %s (tag %u) in the plan", tag_name(c->tag), c->tag);
	}
	done(c);
}

static bool joins(const struct plan *p, uint32_t type)
{
	for (size_t i = 0; i < p->njoin; i++)
		if (p->join[i].type == type)
			return true;
	return false;
}

void read_plan(struct plan *p)
{
	static bool seen[256];
	uint32_t used = 0, len;
	uint16_t tag;

	p->mode = MODE_CREATE;
	p->root_propagation = MS_SLAVE | MS_REC;
	p->cwd = "/";
	p->umask = 0xffffffffu;
	p->con.fd = -1;

	for (bool first = true;; first = false) {
		struct cursor c;
		if (read_frame(&tag, arena + used, MAX_PLAN_BYTES - used, &len) < 0)
			fail_exact(EPIPE, "sync socket closed before PLAN_END");
		c = (struct cursor){ .p = arena + used, .left = len, .tag = tag };
		used += len;
		if (first) {
			uint32_t version;
			if (tag != PLAN_HELLO)
				fail_exact(EPROTO, "expected PLAN_HELLO, got %s (tag %u)", tag_name(tag), tag);
			version = get_u32(&c);
			done(&c);
			if (version != JSHIM_SYNC_VERSION)
				fail_exact(EPROTO, "sync protocol version mismatch: engine speaks %u, jshim-init %u",
				           version, JSHIM_SYNC_VERSION);
			continue;
		}
		if (tag == PLAN_END) {
			done(&c);
			break;
		}
		if (tag < sizeof(seen) && !repeatable(tag)) {
			if (seen[tag])
				fail_exact(EPROTO, "plan record %s appears more than once", tag_name(tag));
			seen[tag] = true;
		}
		decode(p, &c);
	}

	/* What the rest of jshim-init relies on. */
	check_join(p);
	if (p->rootfs == NULL && (p->clone_flags & CLONE_NEWNS))
		fail_exact(EINVAL, "plan has no PLAN_ROOTFS");
	if (!(p->clone_flags & CLONE_NEWNS) &&
	    (p->nops || p->nmasked || p->nreadonly || p->rootfs_readonly))
		fail_exact(EINVAL, "mounts, devices, symlinks, masked and readonly paths need a new mount namespace");
	if ((p->hostname || p->domainname) && !(p->clone_flags & CLONE_NEWUTS) && !joins(p, CLONE_NEWUTS))
		/* or it would rename the host */
		fail_exact(EINVAL, "hostname and domainname need a new or joined uts namespace");
	if (p->argc == 0)
		fail_exact(EINVAL, "args must not be empty");
	for (size_t i = 0; i < p->nrlimits; i++)
		if (p->rlimits[i].resource >= RLIM_NLIMITS)
			fail_exact(EINVAL, "unknown rlimit resource %u", p->rlimits[i].resource);
	check_nsextra(p);
	check_security(p);
	check_hooks(p);
}
