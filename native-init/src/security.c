/*
 * security.c - what makes the container a security boundary:
 *
 *   - jshim-init runs from a sealed memfd copy of itself, so that a container
 *     process can never reach the host's jshim-init file through
 *     /proc/<pid>/exe (CVE-2019-5736; runc 1.1's cloned_binary.c does the same);
 *   - the capability sets of config.md "process.capabilities", applied in
 *     runc's order (libcontainer/init_linux.go finalizeNamespace): bounding
 *     set before the user switch, PR_SET_KEEPCAPS around it, capset(2) and
 *     the ambient set after it;
 *   - no_new_privs (prctl(2) PR_SET_NO_NEW_PRIVS);
 *   - the seccomp filter of config-linux.md "seccomp", compiled with
 *     libseccomp in the parent (before clone) and loaded with seccomp(2) in
 *     the child as late as the kernel allows; see security.h for when.
 *
 * Like runc (libcontainer/seccomp/patchbpf), the filter is exported as BPF
 * and loaded with the raw syscall rather than seccomp_load(): libseccomp
 * would set no_new_privs on its own, and would allocate in the child.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jshim.h"

extern char **environ;

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: memfd(2) may be executed even with vm.memfd_noexec=1 */
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

/* ---- decoding (called by plan.c) ----------------------------------------- */

/* A strv into the pool of names, NULL-terminated; fails when the pool is full. */
static char **get_names(struct cursor *c, struct security_plan *s, size_t *count)
{
	const size_t cap = sizeof(s->names) / sizeof(s->names[0]);
	uint32_t n = get_u32(c);
	char **v = s->names + s->nnames;

	if ((size_t)n + 1 > cap - s->nnames)
		fail_exact(E2BIG, "linux.seccomp: more than %d syscall names in all", MAX_SECCOMP_NAMES);
	for (uint32_t i = 0; i < n; i++)
		v[i] = get_str(c);
	v[n] = NULL;
	s->nnames += (size_t)n + 1;
	*count = n;
	return v;
}

static void check_action(uint32_t action, const char *what)
{
	if (action < JSHIM_SCMP_KILL || action > JSHIM_SCMP_NOTIFY)
		fail_exact(EINVAL, "plan record %s: unknown seccomp action %u", what, action);
}

void decode_security(struct plan *p, struct cursor *c)
{
	struct security_plan *s = &p->sec;
	struct seccomp_rule *r;
	size_t count;

	switch (c->tag) {
	case PLAN_CAPS:
		s->has_caps = true;
		s->cap_bounding = get_u64(c);
		s->cap_effective = get_u64(c);
		s->cap_permitted = get_u64(c);
		s->cap_inheritable = get_u64(c);
		s->cap_ambient = get_u64(c);
		break;
	case PLAN_NO_NEW_PRIVS:
		s->no_new_privs = true;
		break;
	case PLAN_SECCOMP:
		s->has_seccomp = true;
		s->seccomp_default = get_u32(c);
		s->seccomp_default_errno = get_u32(c);
		s->seccomp_flags = get_u32(c);
		check_action(s->seccomp_default, "PLAN_SECCOMP");
		if (s->seccomp_default == JSHIM_SCMP_NOTIFY)
			fail_exact(EINVAL, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
		if (s->seccomp_flags & ~0xfu)
			fail_exact(EINVAL, "plan record PLAN_SECCOMP: unknown flags 0x%x", s->seccomp_flags & ~0xfu);
		count = get_u32(c);
		if (count > MAX_SECCOMP_ARCHES)
			fail_exact(E2BIG, "linux.seccomp.architectures: more than %d", MAX_SECCOMP_ARCHES);
		for (size_t i = 0; i < count; i++)
			s->arches[i] = get_str(c);
		s->narches = count;
		break;
	case PLAN_SECCOMP_RULE:
		if (s->nrules >= MAX_SECCOMP_RULES)
			fail_exact(E2BIG, "plan has more than %d PLAN_SECCOMP_RULE records", MAX_SECCOMP_RULES);
		r = &s->rules[s->nrules++];
		r->spec_index = get_u32(c);
		r->action = get_u32(c);
		r->errno_ret = get_u32(c);
		r->nargs = get_u32(c);
		check_action(r->action, "PLAN_SECCOMP_RULE");
		if (r->nargs > MAX_SECCOMP_ARGS)
			fail_exact(EINVAL, "linux.seccomp.syscalls[%u].args: %u conditions, at most %d",
			           r->spec_index, r->nargs, MAX_SECCOMP_ARGS);
		for (uint32_t i = 0; i < r->nargs; i++) {
			struct seccomp_arg *a = &r->args[i];
			a->index = get_u32(c);
			a->op = get_u32(c);
			a->value = get_u64(c);
			a->value_two = get_u64(c);
			if (a->index >= MAX_SECCOMP_ARGS || a->op < SCMP_CMP_NE || a->op > SCMP_CMP_MASKED_EQ)
				fail_exact(EINVAL, "linux.seccomp.syscalls[%u].args[%u]: index %u, op %u",
				           r->spec_index, i, a->index, a->op);
		}
		r->names = get_names(c, s, &r->nnames);
		if (r->action == JSHIM_SCMP_NOTIFY)
			s->seccomp_notify = true;
		break;
	}
}

void check_security(const struct plan *p)
{
	const struct security_plan *s = &p->sec;

	if (s->nrules > 0 && !s->has_seccomp)
		fail_exact(EINVAL, "plan has PLAN_SECCOMP_RULE without PLAN_SECCOMP");
	/* runc refuses it too: the listener fd goes to the engine with a write */
	for (size_t i = 0; i < s->nrules; i++)
		for (size_t k = 0; s->rules[i].action == JSHIM_SCMP_NOTIFY && k < s->rules[i].nnames; k++)
			if (strcmp(s->rules[i].names[k], "write") == 0 || strcmp(s->rules[i].names[k], "sendmsg") == 0)
				fail_exact(EINVAL, "linux.seccomp.syscalls[%u]: SCMP_ACT_NOTIFY cannot be used for "
				           "\"%s\": jshim-init needs it to hand the listener fd over",
				           s->rules[i].spec_index, s->rules[i].names[k]);
}

/* ---- CVE-2019-5736: run from a sealed copy ------------------------------ */

#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* The attack: a container process makes jshim-init (or anything running the
 * host's jshim-init binary: an entry point "#!/proc/self/exe", or a joining
 * `exec`) visible in the container, opens /proc/<pid>/exe and writes through
 * it once the binary is no longer running. Here /proc/<pid>/exe of every
 * jshim-init process is an anonymous memfd, sealed against writes: nothing
 * on the host can be reached or changed through it. */
void protect_self(char **argv)
{
	static char buf[65536];
	struct stat st;
	int exe, copy, seals;
	off_t done = 0;

	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		fail(errno, "open /proc/self/exe");
	seals = fcntl(exe, F_GET_SEALS); /* EINVAL: not a memfd */
	if (seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS) {
		close(exe);
		/* Not dumpable until the execve of the user's program (which
		 * makes it dumpable again): no container process may open
		 * /proc/<pid>/exe, fd/N, cwd, root or mem of jshim-init, whose fds
		 * reach the host (the sync socket, the exec FIFO). runc's
		 * nsexec does the same (CVE-2016-9962). */
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
			fail(errno, "prctl PR_SET_DUMPABLE");
		return;
	}
	copy = memfd_create("jshim-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (copy < 0 && errno == EINVAL) /* before Linux 6.3 */
		copy = memfd_create("jshim-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (copy < 0)
		fail(errno, "memfd_create for a sealed copy of jshim-init");
	if (fstat(exe, &st) < 0)
		fail(errno, "stat /proc/self/exe");
	while (done < st.st_size) {
		ssize_t n = read(exe, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fail(n < 0 ? errno : EIO, "copy /proc/self/exe into a memfd");
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(copy, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				fail(errno, "copy /proc/self/exe into a memfd");
			off += w;
		}
		done += n;
	}
	close(exe);
	if (fcntl(copy, F_ADD_SEALS, REQUIRED_SEALS) < 0)
		fail(errno, "seal the copy of jshim-init");
	fexecve(copy, argv, environ);
	fail(errno, "execute the sealed copy of jshim-init");
}

/* ---- capabilities --------------------------------------------------------- */

static void drop_bounding_set(uint64_t keep)
{
	for (unsigned int cap = 0; cap < 64; cap++) {
		if (keep & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL) /* beyond /proc/sys/kernel/cap_last_cap */
			break;
		fail(errno, "drop capability %u from the bounding set", cap);
	}
}

static void set_capabilities(const struct security_plan *s)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		data[i].effective = (uint32_t)(s->cap_effective >> (32 * i));
		data[i].permitted = (uint32_t)(s->cap_permitted >> (32 * i));
		data[i].inheritable = (uint32_t)(s->cap_inheritable >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		fail(errno, "capset (effective 0x%llx, permitted 0x%llx, inheritable 0x%llx)",
		     (unsigned long long)s->cap_effective, (unsigned long long)s->cap_permitted,
		     (unsigned long long)s->cap_inheritable);
}

/* Raising an ambient capability needs it in both the permitted and the
 * inheritable set (capabilities(7)). runc 1.1 loses that error (gocapability
 * returns only the last prctl's result), so runc's own default spec, whose
 * ambient set is not inheritable, ends with an empty ambient set: EPERM is
 * skipped here to match. */
static void set_ambient(uint64_t ambient)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		if (errno == EINVAL) /* before Linux 4.3: no ambient set */
			return;
		fail(errno, "clear the ambient capability set");
	}
	for (unsigned int cap = 0; cap < 64; cap++) {
		if (!(ambient & (1ULL << cap)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) == 0 || errno == EPERM)
			continue;
		if (errno == EINVAL) /* beyond cap_last_cap */
			break;
		fail(errno, "raise ambient capability %u", cap);
	}
}

/* ---- seccomp ------------------------------------------------------------- */

static struct sock_filter bpf[BPF_MAXINSNS];
static unsigned short bpf_len;

static uint32_t scmp_action(uint32_t action, uint32_t errno_ret)
{
	switch (action) {
	case JSHIM_SCMP_KILL: return SCMP_ACT_KILL; /* = KILL_THREAD, as in runc */
	case JSHIM_SCMP_KILL_THREAD: return SCMP_ACT_KILL_THREAD;
	case JSHIM_SCMP_KILL_PROCESS: return SCMP_ACT_KILL_PROCESS;
	case JSHIM_SCMP_TRAP: return SCMP_ACT_TRAP;
	case JSHIM_SCMP_ERRNO: return SCMP_ACT_ERRNO(errno_ret);
	case JSHIM_SCMP_TRACE: return SCMP_ACT_TRACE(errno_ret);
	case JSHIM_SCMP_ALLOW: return SCMP_ACT_ALLOW;
	case JSHIM_SCMP_LOG: return SCMP_ACT_LOG;
	case JSHIM_SCMP_NOTIFY: return SCMP_ACT_NOTIFY;
	}
	fail_exact(EINVAL, "seccomp: unknown action code %u", action);
}

static void add_rule(scmp_filter_ctx ctx, const struct seccomp_rule *r, const char *name, int nr)
{
	struct scmp_arg_cmp cmp[MAX_SECCOMP_ARGS];
	uint32_t act = scmp_action(r->action, r->errno_ret);
	bool repeated = false;
	int rc = 0;

	for (uint32_t i = 0; i < r->nargs; i++) {
		cmp[i] = (struct scmp_arg_cmp){ .arg = r->args[i].index, .op = (enum scmp_compare)r->args[i].op,
						.datum_a = r->args[i].value, .datum_b = r->args[i].value_two };
		for (uint32_t j = 0; j < i; j++)
			repeated |= r->args[j].index == r->args[i].index;
	}
	/* libseccomp takes one comparison per argument in a rule; runc then
	 * adds one rule per comparison (matchCall), and so do we. */
	if (repeated) {
		for (uint32_t i = 0; i < r->nargs && rc == 0; i++)
			rc = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[i]);
	} else {
		rc = seccomp_rule_add_array(ctx, act, nr, r->nargs, cmp);
	}
	if (rc < 0)
		fail_exact(-rc, "linux.seccomp.syscalls[%u]: adding the rule for syscall \"%s\" failed: %s",
		           r->spec_index, name, errstr(-rc));
}

/* ---- runc's -ENOSYS stub ----
 *
 * With a restrictive default action, a syscall newer than every syscall the
 * profile names (fchmodat2, say, under a profile written before it existed)
 * would fail with the default errno, EPERM, and libc would not fall back to
 * the older call it tries on ENOSYS. runc therefore puts a stub before
 * libseccomp's program (libcontainer/seccomp/patchbpf/enosys_linux.go): per
 * architecture of linux.seccomp.architectures, a syscall number above the
 * largest the profile names for it returns ENOSYS. Same rules here: only for
 * a default action other than ALLOW, LOG and TRACE; x86_64 and x32 share
 * AUDIT_ARCH_X86_64 and are told apart by the x32 bit (1 << 30). */

#define X32_BIT 0x40000000u
#define MAX_STUB 128

struct stub_arch {
	uint32_t audit_arch;
	int64_t max, max_x32; /* -1: none */
};

static struct sock_filter stub[MAX_STUB];
static size_t stub_len;
static size_t jump_enosys[MAX_STUB], jump_filter[MAX_STUB];
static size_t njump_enosys, njump_filter;

static void emit(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (stub_len >= MAX_STUB)
		fail_exact(E2BIG, "seccomp: the -ENOSYS stub has too many architectures");
	stub[stub_len++] = (struct sock_filter){ .code = code, .jt = jt, .jf = jf, .k = k };
}

static void ja_enosys(void) { jump_enosys[njump_enosys++] = stub_len; emit(BPF_JMP | BPF_JA, 0, 0, 0); }
static void ja_filter(void) { jump_filter[njump_filter++] = stub_len; emit(BPF_JMP | BPF_JA, 0, 0, 0); }

/* jgt #max: ENOSYS, else on into the filter (3 instructions) */
static void check_max(uint32_t max)
{
	emit(BPF_JMP | BPF_JGT | BPF_K, 0, 1, max);
	ja_enosys();
	ja_filter();
}

static int64_t largest_syscall(const struct security_plan *s, uint32_t arch)
{
	int64_t max = -1;
	for (size_t i = 0; i < s->nrules; i++)
		for (size_t k = 0; k < s->rules[i].nnames; k++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, s->rules[i].names[k]);
			if (nr >= 0 && nr > max) /* negative: unknown, or a pseudo-syscall there */
				max = nr;
		}
	return max;
}

static void build_enosys_stub(const struct security_plan *s)
{
	struct stub_arch arches[MAX_SECCOMP_ARCHES];
	size_t narch = 0;

	stub_len = njump_enosys = njump_filter = 0;
	if (s->seccomp_default == JSHIM_SCMP_ALLOW || s->seccomp_default == JSHIM_SCMP_LOG ||
	    s->seccomp_default == JSHIM_SCMP_TRACE)
		return;
	for (size_t i = 0; i < s->narches; i++) {
		uint32_t token = seccomp_arch_resolve_name(s->arches[i]);
		uint32_t audit = token == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : token; /* tokens are AUDIT_ARCH_* but x32 */
		int64_t max = largest_syscall(s, token);
		size_t a;

		if (max < 0)
			continue;
		for (a = 0; a < narch && arches[a].audit_arch != audit; a++)
			;
		if (a == narch)
			arches[narch++] = (struct stub_arch){ .audit_arch = audit, .max = -1, .max_x32 = -1 };
		if (token == SCMP_ARCH_X32)
			arches[a].max_x32 = max;
		else
			arches[a].max = max;
	}
	if (narch == 0)
		return;
	emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, arch));
	for (size_t a = 0; a < narch; a++) {
		const struct stub_arch *x = &arches[a];
		bool x86 = x->audit_arch == SCMP_ARCH_X86_64;
		/* section length after the jeq: ld, [jset], 3 per checked maximum */
		uint8_t len = (uint8_t)(1 + (x86 ? 1 : 0) + 3 * ((x->max >= 0) + (x86 && x->max_x32 >= 0)));

		emit(BPF_JMP | BPF_JEQ | BPF_K, 0, len, x->audit_arch);
		emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, nr));
		if (x86 && x->max >= 0 && x->max_x32 >= 0) {
			emit(BPF_JMP | BPF_JSET | BPF_K, 3, 0, X32_BIT); /* x32: the second check */
			check_max((uint32_t)x->max);
			check_max((uint32_t)x->max_x32);
		} else if (x86 && x->max >= 0) {
			emit(BPF_JMP | BPF_JSET | BPF_K, 2, 0, X32_BIT); /* x32 syscalls: not ours to judge */
			check_max((uint32_t)x->max);
		} else if (x86) {
			emit(BPF_JMP | BPF_JSET | BPF_K, 0, 2, X32_BIT); /* x86_64 syscalls: likewise */
			check_max((uint32_t)x->max_x32);
		} else {
			check_max((uint32_t)x->max);
		}
	}
	ja_filter(); /* an architecture without a section */
	emit(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | ENOSYS);
	for (size_t i = 0; i < njump_enosys; i++)
		stub[jump_enosys[i]].k = (uint32_t)(stub_len - 1 - (jump_enosys[i] + 1));
	for (size_t i = 0; i < njump_filter; i++)
		stub[jump_filter[i]].k = (uint32_t)(stub_len - (jump_filter[i] + 1));
}

/* The compiled filter, read back from a memfd (libseccomp 2.5 exports to an fd
 * only), after the -ENOSYS stub. */
static void export_bpf(scmp_filter_ctx ctx)
{
	int fd = memfd_create("jshim-seccomp", MFD_CLOEXEC);
	off_t size;
	int rc;

	if (fd < 0)
		fail(errno, "seccomp: memfd_create");
	if ((rc = seccomp_export_bpf(ctx, fd)) < 0)
		fail_exact(-rc, "seccomp: compiling the filter failed: %s", errstr(-rc));
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		fail(errno, "seccomp: lseek");
	if (size == 0 || size % (off_t)sizeof(struct sock_filter) != 0)
		fail_exact(EINVAL, "seccomp: libseccomp produced a filter of %lld bytes", (long long)size);
	if (size + (off_t)(stub_len * sizeof(struct sock_filter)) > (off_t)sizeof(bpf))
		fail_exact(E2BIG, "seccomp: the filter has %lld BPF instructions, the kernel takes at most %d",
		           (long long)(size / (off_t)sizeof(struct sock_filter)) + (long long)stub_len, BPF_MAXINSNS);
	memcpy(bpf, stub, stub_len * sizeof(struct sock_filter));
	if (pread(fd, bpf + stub_len, (size_t)size, 0) != size)
		fail(errno ? errno : EIO, "seccomp: read back the filter");
	bpf_len = (unsigned short)(stub_len + (size_t)(size / (off_t)sizeof(struct sock_filter)));
	close(fd);
}

void security_prepare(const struct plan *p)
{
	const struct security_plan *s = &p->sec;
	scmp_filter_ctx ctx;
	size_t calls = 0;

	if (!s->has_seccomp)
		return;
	if (s->seccomp_notify && seccomp_api_get() < 5)
		fail_exact(ENOTSUP, "linux.seccomp: SCMP_ACT_NOTIFY needs libseccomp API level 5 "
		           "(libseccomp >= 2.5 and Linux >= 5.0); this host has level %u", seccomp_api_get());
	ctx = seccomp_init(scmp_action(s->seccomp_default, s->seccomp_default_errno));
	if (ctx == NULL)
		fail_exact(EINVAL, "linux.seccomp.defaultAction: libseccomp refused it");
	for (size_t i = 0; i < s->narches; i++) {
		uint32_t arch = seccomp_arch_resolve_name(s->arches[i]);
		int rc;
		if (arch == 0)
			fail_exact(EINVAL, "linux.seccomp.architectures: \"%s\" is not known to libseccomp",
			           s->arches[i]);
		rc = seccomp_arch_add(ctx, arch);
		if (rc < 0 && rc != -EEXIST) /* the native one is there already */
			fail_exact(-rc, "linux.seccomp.architectures: adding \"%s\" failed: %s",
			           s->arches[i], errstr(-rc));
	}
	for (size_t i = 0; i < s->nrules; i++)
		calls += s->rules[i].nnames;
	/* A binary tree of syscalls for long profiles, as runc does above 32
	 * calls; libseccomp <= 2.5.4 misbehaves with it and no rules. */
	if (calls > 32)
		(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t i = 0; i < s->nrules; i++) {
		const struct seccomp_rule *r = &s->rules[i];
		for (size_t k = 0; k < r->nnames; k++) {
			int nr = seccomp_syscall_resolve_name(r->names[k]);
			/* Unknown to libseccomp, or to every architecture of the
			 * filter: skipped, as runc does (the profile may name
			 * syscalls of newer kernels). */
			if (nr == __NR_SCMP_ERROR)
				continue;
			add_rule(ctx, r, r->names[k], nr);
		}
	}
	build_enosys_stub(s);
	export_bpf(ctx);
	seccomp_release(ctx);
}

static unsigned long kernel_flags(const struct security_plan *s)
{
	unsigned long f = 0;

	if (s->seccomp_flags & JSHIM_SECCOMP_FLAG_TSYNC)
		f |= SECCOMP_FILTER_FLAG_TSYNC;
	if (s->seccomp_flags & JSHIM_SECCOMP_FLAG_LOG)
		f |= SECCOMP_FILTER_FLAG_LOG;
	if (s->seccomp_flags & JSHIM_SECCOMP_FLAG_SPEC_ALLOW)
		f |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	if (s->seccomp_flags & JSHIM_SECCOMP_FLAG_WAIT_KILLABLE_RECV)
		f |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	if (s->seccomp_notify) {
		f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* TSYNC and NEW_LISTENER together need TSYNC_ESRCH (seccomp(2)). */
		if (f & SECCOMP_FILTER_FLAG_TSYNC)
			f |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	}
	return f;
}

/* Returns the listener fd with SCMP_ACT_NOTIFY, else -1. */
static int load_filter(const struct security_plan *s)
{
	struct sock_fprog prog = { .len = bpf_len, .filter = bpf };
	unsigned long flags = kernel_flags(s);
	long rc;

	/* Without flags the old prctl(2) interface does, as in runc. */
	if (flags == 0)
		rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
	else
		rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (rc < 0)
		fail(errno, "load the seccomp filter (%u instructions, flags 0x%lx)%s", bpf_len, flags,
		     errno == EACCES ? " without no_new_privs or CAP_SYS_ADMIN" : "");
	return (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) ? (int)rc : -1;
}

/* MSG_SECCOMP_FD with the listener fd (SCM_RIGHTS), then wait for the
 * engine's MSG_SECCOMP_DONE: it has handed the fd to the agent at
 * listenerPath (runc: syncParentSeccomp / procSeccompDone). */
static void hand_over_listener(int fd)
{
	unsigned char hdr[6] = { MSG_SECCOMP_FD & 0xff, MSG_SECCOMP_FD >> 8, 0, 0, 0, 0 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = hdr, .iov_len = sizeof(hdr) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	unsigned char reply[64];
	uint16_t tag;
	uint32_t len;
	ssize_t n;

	memset(ctl.buf, 0, sizeof(ctl.buf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		n = sendmsg(sync_fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(hdr)) /* 6 bytes on a stream socket: all or nothing in practice */
		fail(n < 0 ? errno : EPROTO, "send the seccomp listener fd to the engine");
	if (read_frame(&tag, reply, sizeof(reply), &len) < 0)
		_exit(1); /* the engine gave up; it reports why */
	if (tag != MSG_SECCOMP_DONE || len != 0)
		fail_exact(EPROTO, "expected MSG_SECCOMP_DONE, got %s (tag %u)", tag_name(tag), tag);
	close(fd);
}

static void install(const struct security_plan *s)
{
	int fd = load_filter(s);
	if (fd >= 0)
		hand_over_listener(fd);
}

/* ---- the child's steps (see security.h) ---------------------------------- */

void security_before_user(const struct plan *p)
{
	const struct security_plan *s = &p->sec;

	/* seccomp(2) needs no_new_privs or CAP_SYS_ADMIN: without the first,
	 * load while we still have the second (runc does the same). */
	if (s->has_seccomp && !s->no_new_privs)
		install(s);
	if (!s->has_caps)
		return;
	drop_bounding_set(s->cap_bounding); /* needs CAP_SETPCAP: before the user switch */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) /* or setresuid to non-root clears the permitted set */
		fail(errno, "prctl PR_SET_KEEPCAPS");
}

void security_after_user(const struct plan *p)
{
	const struct security_plan *s = &p->sec;

	if (s->has_caps) {
		if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
			fail(errno, "prctl PR_CLEAR_KEEPCAPS");
		set_capabilities(s);
		set_ambient(s->cap_ambient);
	}
	if (s->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(errno, "prctl PR_SET_NO_NEW_PRIVS");
}

/* With SCMP_ACT_NOTIFY the listener fd must reach the engine while the sync
 * socket is open, so the filter goes in here, before MSG_READY; the syscalls
 * of the remaining steps (sendmsg, read, open/write of the exec FIFO, close,
 * execve) then pass through it, as they do in runc. */
void security_before_ready(const struct plan *p)
{
	const struct security_plan *s = &p->sec;

	if (s->has_seccomp && s->no_new_privs && s->seccomp_notify)
		install(s);
}

/* Everything else loads here: after the exec FIFO handshake and the closing
 * of fds, right before execve(2). The filter then cannot block the handshake
 * (so `start` never hangs on a profile that denies open or write), and the
 * only syscall it sees from jshim-init is the execve. runc loads a little
 * earlier (before it opens the FIFO); a failure here goes to stderr and
 * exits 1, since `start` has already returned. */
void security_before_exec(const struct plan *p)
{
	const struct security_plan *s = &p->sec;

	if (s->has_seccomp && s->no_new_privs && !s->seccomp_notify)
		(void)load_filter(s);
}
