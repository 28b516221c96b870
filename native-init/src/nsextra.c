/*
 * nsextra.c - what a container gets besides its rootfs and credentials: the
 * time namespace and its clock offsets, sysctls, and the process attributes
 * scheduler, I/O priority and personality (PLAN_* 50..59, sync_protocol.h).
 *
 * The engine has already checked every value against the spec (which
 * sysctls the container may set, which policies and classes exist); what is
 * checked here is only what keeps this code safe on a malformed plan: paths
 * that stay below /proc/sys, nanoseconds in range, known classes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jshim.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* Linux 5.6 */
#endif

#define NSEC_PER_SEC 1000000000LL

/* include/uapi/linux/ioprio.h */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

/* include/uapi/linux/sched/types.h, SCHED_ATTR_SIZE_VER0 (48 bytes): glibc
 * has no sched_setattr() wrapper before 2.41. */
struct jshim_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static const char *policy_name(uint32_t policy)
{
	switch (policy) {
	case SCHED_OTHER: return "SCHED_OTHER";
	case SCHED_FIFO: return "SCHED_FIFO";
	case SCHED_RR: return "SCHED_RR";
	case SCHED_BATCH: return "SCHED_BATCH";
	case SCHED_IDLE: return "SCHED_IDLE";
	case 6: return "SCHED_DEADLINE";
	}
	return "SCHED_?";
}

static const char *ioprio_class_name(uint32_t class)
{
	static const char *const names[] = {"IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
					    "IOPRIO_CLASS_IDLE"};
	return class < 4 ? names[class] : "IOPRIO_CLASS_?";
}

/* A sysctl path must name a file below /proc/sys: relative, and no empty,
 * "." or ".." component (openat2's RESOLVE_BENEATH would refuse an escape
 * too; this gives the clearer message, before anything is made). */
static void check_sysctl_path(const char *path)
{
	const char *s = path;

	if (*path == '\0' || *path == '/')
		fail_exact(EINVAL, "plan record PLAN_SYSCTL: \"%s\" is not a relative path below /proc/sys", path);
	while (*s) {
		const char *slash = strchr(s, '/');
		size_t n = slash ? (size_t)(slash - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			fail_exact(EINVAL, "plan record PLAN_SYSCTL: \"%s\" has an empty, \".\" or \"..\" component",
				   path);
		s += n;
		if (*s == '/')
			s++;
	}
	if (path[strlen(path) - 1] == '/')
		fail_exact(EINVAL, "plan record PLAN_SYSCTL: \"%s\" ends in a slash", path);
}

static void get_offset(struct cursor *c, int64_t out[2], const char *clock)
{
	out[0] = (int64_t)get_u64(c);
	out[1] = (int64_t)get_u64(c);
	if (out[1] < 0 || out[1] >= NSEC_PER_SEC)
		fail_exact(EINVAL, "plan record PLAN_TIME_OFFSETS: %s nanoseconds %lld not in 0..999999999",
			   clock, (long long)out[1]);
}

void decode_nsextra(struct plan *p, struct cursor *c)
{
	struct ns_extra *x = &p->x;

	switch (c->tag) {
	case PLAN_TIME_OFFSETS:
		x->new_time_ns = true;
		get_offset(c, x->monotonic, "monotonic");
		get_offset(c, x->boottime, "boottime");
		break;
	case PLAN_SYSCTL:
		if (x->nsysctls >= MAX_SYSCTLS)
			fail_exact(E2BIG, "plan has more than %d PLAN_SYSCTL records", MAX_SYSCTLS);
		x->sysctls[x->nsysctls].path = get_str(c);
		x->sysctls[x->nsysctls].value = get_str(c);
		check_sysctl_path(x->sysctls[x->nsysctls].path);
		x->nsysctls++;
		break;
	case PLAN_PERSONALITY:
		x->has_personality = true;
		x->personality = get_u32(c);
		if (x->personality == 0xffffffffu) /* personality(2)'s "query only" */
			fail_exact(EINVAL, "plan record PLAN_PERSONALITY: 0xffffffff is not a persona");
		break;
	case PLAN_SCHEDULER:
		x->has_sched = true;
		x->sched_policy = get_u32(c);
		x->sched_nice = (int32_t)get_u32(c);
		x->sched_priority = get_u32(c);
		x->sched_flags = get_u64(c);
		x->sched_runtime = get_u64(c);
		x->sched_deadline = get_u64(c);
		x->sched_period = get_u64(c);
		break;
	case PLAN_IO_PRIORITY:
		x->has_ioprio = true;
		x->ioprio_class = get_u32(c);
		x->ioprio_level = get_u32(c);
		if (x->ioprio_class < 1 || x->ioprio_class > 3 || x->ioprio_level > 7)
			fail_exact(EINVAL, "plan record PLAN_IO_PRIORITY: class %u priority %u (class 1..3, priority 0..7)",
				   x->ioprio_class, x->ioprio_level);
		break;
	default:
		fail_exact(EPROTO, "decode_nsextra: unexpected %s", tag_name(c->tag));
	}
}

void check_nsextra(const struct plan *p)
{
	/* They are written to the container's own /proc after the pivot;
	 * without a mount namespace there is no such /proc and no pivot. */
	if (p->x.nsysctls > 0 && !(p->clone_flags & CLONE_NEWNS))
		fail_exact(EINVAL, "sysctls need a new mount namespace");
}

/*
 * time_namespaces(7): unshare(CLONE_NEWTIME) puts the caller's future
 * children, not the caller, in a new time namespace, and its offsets can be
 * written (to /proc/self/timens_offsets, which names time_for_children) only
 * until a process has entered it. So this runs in the jshim-init parent
 * before clone(): the container's init is the first member. CLONE_NEWTIME
 * cannot ride in clone()'s flags (0x80 lies in its CSIGNAL byte).
 */
void setup_time_namespace(const struct plan *p)
{
	const struct ns_extra *x = &p->x;
	char buf[160];
	int fd, n;
	ssize_t w;

	if (!x->new_time_ns)
		return;
	if (unshare(CLONE_NEWTIME) < 0) {
		if (errno == EINVAL)
			fail(errno, "unshare time namespace (this kernel has no time namespaces: "
			     "CONFIG_TIME_NS, Linux 5.6+)");
		fail(errno, "unshare time namespace");
	}
	n = snprintf(buf, sizeof(buf), "monotonic %lld %lld\nboottime %lld %lld\n",
		     (long long)x->monotonic[0], (long long)x->monotonic[1],
		     (long long)x->boottime[0], (long long)x->boottime[1]);
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fail(errno, "open /proc/self/timens_offsets");
	/* The kernel parses one write as a whole: both lines go in one call. */
	w = write(fd, buf, (size_t)n);
	if (w < 0)
		fail(errno, "write /proc/self/timens_offsets (monotonic %lld.%09lld s, boottime %lld.%09lld s)",
		     (long long)x->monotonic[0], (long long)x->monotonic[1],
		     (long long)x->boottime[0], (long long)x->boottime[1]);
	if (w != n)
		fail_exact(EIO, "write /proc/self/timens_offsets: short write (%zd of %d bytes)", w, n);
	close(fd);
}

/*
 * runc's writeSystemProperty, in its place in the order (standard_init_linux.go:
 * after the rootfs is final and the hostname set, before readonly and masked
 * paths, which usually include /proc/sys). /proc is the container's own here,
 * so net.* lands in its network namespace and kernel.shm* in its ipc one.
 * Each file is opened beneath /proc/sys without following any link.
 */
void apply_sysctls(const struct plan *p)
{
	const struct ns_extra *x = &p->x;
	struct statfs sfs;
	int dir;

	if (x->nsysctls == 0)
		return;
	dir = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		fail(errno, "open /proc/sys (is /proc mounted in the container?)");
	if (fstatfs(dir, &sfs) < 0)
		fail(errno, "statfs /proc/sys");
	if (sfs.f_type != PROC_SUPER_MAGIC)
		fail_exact(EINVAL, "/proc/sys in the container is not on procfs (type 0x%lx): not writing sysctls",
			   (unsigned long)sfs.f_type);
	for (size_t i = 0; i < x->nsysctls; i++) {
		const struct sysctl_op *s = &x->sysctls[i];
		struct open_how how = {
			.flags = O_WRONLY | O_CLOEXEC,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
		};
		size_t len = strlen(s->value);
		ssize_t w;
		int fd = (int)syscall(SYS_openat2, dir, s->path, &how, sizeof(how));

		if (fd < 0)
			fail(errno, "open /proc/sys/%s", s->path);
		w = write(fd, s->value, len);
		if (w < 0)
			fail(errno, "write /proc/sys/%s (\"%s\")", s->path, s->value);
		if ((size_t)w != len)
			fail_exact(EIO, "write /proc/sys/%s (\"%s\"): short write (%zd of %zu bytes)",
				   s->path, s->value, w, len);
		close(fd);
	}
	close(dir);
}

/*
 * process.scheduler, process.ioPriority and linux.personality. Run while the
 * process is still root with every capability (a real-time policy, a
 * negative nice and the RT I/O class need CAP_SYS_NICE or CAP_SYS_ADMIN);
 * every child of the container's process inherits them across fork and
 * execve. The personality is harmless to set early: PER_LINUX32 only changes
 * what uname(2) reports.
 */
void apply_process_attrs(const struct plan *p)
{
	const struct ns_extra *x = &p->x;

	if (x->has_sched) {
		struct jshim_sched_attr attr = {
			.size = sizeof(attr),
			.sched_policy = x->sched_policy,
			.sched_flags = x->sched_flags,
			.sched_nice = x->sched_nice,
			.sched_priority = x->sched_priority,
			.sched_runtime = x->sched_runtime,
			.sched_deadline = x->sched_deadline,
			.sched_period = x->sched_period,
		};
		if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0) {
			int err = errno;
			bool rt = x->sched_policy == SCHED_FIFO || x->sched_policy == SCHED_RR;
			fail(err, "sched_setattr (policy %s, nice %d, priority %u, flags 0x%llx, runtime %llu, "
			     "deadline %llu, period %llu)%s", policy_name(x->sched_policy), x->sched_nice,
			     x->sched_priority, (unsigned long long)x->sched_flags,
			     (unsigned long long)x->sched_runtime, (unsigned long long)x->sched_deadline,
			     (unsigned long long)x->sched_period,
			     rt && err == EPERM ? " (a real-time policy also needs real-time time in the container's "
			     "cgroup: linux.resources.cpu.realtimeRuntime)" : "");
		}
	}
	if (x->has_ioprio &&
	    syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
		    (x->ioprio_class << IOPRIO_CLASS_SHIFT) | x->ioprio_level) < 0)
		fail(errno, "ioprio_set (class %s, priority %u)", ioprio_class_name(x->ioprio_class),
		     x->ioprio_level);
	if (x->has_personality && personality(x->personality) < 0)
		fail(errno, "personality 0x%x", x->personality);
}
