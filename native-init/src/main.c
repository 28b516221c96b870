/*
 * jshim-init - the only code of jshim that runs between clone() and execve().
 *
 * Started by the engine with posix_spawn as `jshim-init <container-id>`, with
 * JSHIM_SYNC_FD=<n> in its environment naming its end of a socketpair. It
 * reads the plan (sync_protocol.h), joins namespaces by path, clone()s the
 * container's init into new ones, reports its pid and exits; the child waits
 * for MSG_GO, builds the container, reports MSG_READY, waits on the exec FIFO
 * and execve()s the container's process.
 *
 * Exit status: 0 the parent did its part (MSG_PID sent);
 *              1 an error (MSG_ERROR sent, or written to stderr when the
 *                socket was unusable), or the socket closed before MSG_GO;
 *              127 execve() failed after MSG_READY (message on stderr).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <grp.h>

#include "jshim.h"

static struct plan plan;
/* O_PATH fd of the exec FIFO, opened before clone(): see open_exec_fifo(). */
static int exec_fifo_fd = -1;

/* Makes fds lo..hi close-on-exec (cloexec) or closes them. close_range(2)
 * needs Linux 5.9 (5.11 for CLOSE_RANGE_CLOEXEC); older kernels get the
 * same result from a walk over /proc/self/fd. */
static void close_fds(unsigned int lo, unsigned int hi, bool cloexec)
{
	DIR *dir;
	struct dirent *e;

	if (lo > hi)
		return;
	if (close_range(lo, hi, cloexec ? CLOSE_RANGE_CLOEXEC : 0) == 0)
		return;
	if (errno != ENOSYS && errno != EINVAL)
		fail(errno, "close_range %u..%u", lo, hi);
	dir = opendir("/proc/self/fd");
	if (dir == NULL)
		fail(errno, "open /proc/self/fd");
	while ((e = readdir(dir)) != NULL) {
		char *end;
		unsigned long fd = strtoul(e->d_name, &end, 10);
		if (*end != '\0' || e->d_name[0] == '.' || fd < lo || fd > hi || (int)fd == dirfd(dir))
			continue;
		if (cloexec)
			fcntl((int)fd, F_SETFD, FD_CLOEXEC);
		else
			close((int)fd);
	}
	closedir(dir);
}

static void keep_only_wanted_fds(void)
{
	unsigned int first_closed = 3 + plan.preserve_fds; /* bounded by sync_fd below */

	if ((uint64_t)plan.preserve_fds + 3 > (uint64_t)sync_fd)
		fail_exact(EINVAL, "sync fd %d is among the %u preserved fds (3..%llu): "
		           "the engine must place it above them",
		           sync_fd, plan.preserve_fds, 3ULL + plan.preserve_fds - 1);
	for (unsigned int fd = 3; fd < first_closed; fd++)
		if (fcntl((int)fd, F_SETFD, 0) < 0)
			fail(errno, "preserved fd %u", fd);
	/* CVE-2024-21626: no other host fd may reach the container. The sync fd
	 * and the console socket (PLAN_CONSOLE) stay open, close-on-exec. */
	if (plan.con.fd >= 0 && (unsigned int)plan.con.fd < first_closed)
		fail_exact(EINVAL, "console socket fd %d is among the %u preserved fds: "
		           "the engine must place it above them", plan.con.fd, plan.preserve_fds);
	{
		int lo = sync_fd, hi = plan.con.fd;
		if (hi >= 0 && hi < lo) {
			lo = hi;
			hi = sync_fd;
		}
		close_fds(first_closed, (unsigned int)lo - 1, false);
		if (hi < 0 || hi == lo) {
			close_fds((unsigned int)lo + 1, ~0U, false);
		} else {
			close_fds((unsigned int)lo + 1, (unsigned int)hi - 1, false);
			close_fds((unsigned int)hi + 1, ~0U, false);
		}
	}
}

/* startContainer hooks, once `start` has opened the FIFO (w: its write end).
 * The result travels back on the FIFO: "0" from the caller when they pass,
 * else "E<message>" here, in one write below PIPE_BUF (so `start` reads it
 * whole), and the container's init exits: start fails, the container stops
 * (runtime.md: "generate an error, stop the container"). */
static void start_container_hooks(int w)
{
	char msg[4000];

	if (run_hooks(&plan, JSHIM_HOOK_START_CONTAINER, msg + 1, sizeof(msg) - 1) == 0)
		return;
	msg[0] = 'E';
	if (write(w, msg, strlen(msg)) < 0)
		dprintf(STDERR_FILENO, "jshim-init: %s\n", msg + 1);
	_exit(1);
}

/* The exec FIFO is opened (O_PATH) here, as the host's root and in the
 * host's mount namespace, and inherited by the container's init: as the
 * mapped root of a user namespace it could not search the 0700 state root,
 * and after joining a mount namespace the host path would not resolve. runc
 * hands its init an O_PATH fd the same way (_LIBCONTAINER_FIFOFD). */
static void open_exec_fifo(void)
{
	if (plan.exec_fifo == NULL)
		return;
	exec_fifo_fd = open(plan.exec_fifo, O_PATH | O_CLOEXEC);
	if (exec_fifo_fd < 0)
		fail(errno, "open exec fifo %s", plan.exec_fifo);
}

/* Opens every path first, then joins: after joining a mount namespace the
 * remaining paths would be looked up in the container's filesystem. */
static void join_namespaces(void)
{
	int fds[MAX_NS_JOIN];

	for (size_t i = 0; i < plan.njoin; i++) {
		fds[i] = open(plan.join[i].path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			fail(errno, "open %s (%s namespace)", plan.join[i].path, ns_name(plan.join[i].type));
	}
	for (size_t i = 0; i < plan.njoin; i++) {
		if (setns(fds[i], (int)plan.join[i].type) < 0)
			fail(errno, "setns %s (%s namespace)", plan.join[i].path, ns_name(plan.join[i].type));
		close(fds[i]);
	}
}

/* Key permission bits, from keyutils.h (not in the kernel's uapi headers). */
#define KEY_USR_SEARCH 0x00080000u
#define KEY_OTH_SEARCH 0x00000008u

static bool in_new_user_ns(void)
{
	if (plan.clone_flags & CLONE_NEWUSER)
		return true;
	for (size_t i = 0; i < plan.njoin; i++)
		if (plan.join[i].type == CLONE_NEWUSER)
			return true;
	return false;
}

/* A fresh session keyring, so that the container does not share the host's
 * (runc: "Do not inherit the parent's session keyring"). As runc does, ENOSYS
 * (no keyring support) is ignored and any other error is fatal; the keyring is
 * then made searchable by its possessor's uid, or by "other" in a user
 * namespace where that uid is not the same. */
static void join_session_keyring(const char *id)
{
	char name[1024], desc[1024], *p;
	long key;
	unsigned long perm;

	snprintf(name, sizeof(name), "_ses.%s", id);
	key = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name);
	if (key < 0) {
		if (errno == ENOSYS)
			return;
		fail(errno, "join session keyring %s", name);
	}
	/* "type;uid;gid;perm;description" */
	if (syscall(SYS_keyctl, KEYCTL_DESCRIBE, key, desc, sizeof(desc) - 1) < 0)
		fail(errno, "describe session keyring %s", name);
	desc[sizeof(desc) - 1] = '\0';
	p = desc;
	for (int i = 0; i < 3 && p != NULL; i++)
		if ((p = strchr(p, ';')) != NULL)
			p++;
	if (p == NULL)
		fail_exact(EINVAL, "describe session keyring %s: unexpected answer %s", name, desc);
	perm = strtoul(p, NULL, 16) | (in_new_user_ns() ? KEY_OTH_SEARCH : KEY_USR_SEARCH);
	if (syscall(SYS_keyctl, KEYCTL_SETPERM, key, perm) < 0)
		fail(errno, "set permissions of session keyring %s", name);
}

static const char *rlimit_name(uint32_t r)
{
	static const char *const names[] = {
		[RLIMIT_CPU] = "RLIMIT_CPU", [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
		[RLIMIT_DATA] = "RLIMIT_DATA", [RLIMIT_STACK] = "RLIMIT_STACK",
		[RLIMIT_CORE] = "RLIMIT_CORE", [RLIMIT_RSS] = "RLIMIT_RSS",
		[RLIMIT_NPROC] = "RLIMIT_NPROC", [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
		[RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK", [RLIMIT_AS] = "RLIMIT_AS",
		[RLIMIT_LOCKS] = "RLIMIT_LOCKS", [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
		[RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
		[RLIMIT_RTPRIO] = "RLIMIT_RTPRIO", [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
	};
	return r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r] : "RLIMIT_?";
}

static void set_rlimits(void)
{
	for (size_t i = 0; i < plan.nrlimits; i++) {
		const struct rlimit_op *r = &plan.rlimits[i];
		struct rlimit lim = { .rlim_cur = r->soft, .rlim_max = r->hard };
		if (prlimit(0, (__rlimit_resource_t)r->resource, &lim, NULL) < 0)
			fail(errno, "setrlimit %s (soft %llu, hard %llu)", rlimit_name(r->resource),
			     (unsigned long long)r->soft, (unsigned long long)r->hard);
	}
}

/* "deny" in /proc/self/setgroups (a user namespace whose gid map was written
 * without CAP_SETGID) makes setgroups fail: runc then skips it, and so do we. */
static bool setgroups_denied(void)
{
	char buf[16] = "";
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	return strncmp(buf, "deny", 4) == 0;
}

static void set_user(void)
{
	if (!setgroups_denied() && setgroups(plan.ngids, plan.ngids ? plan.gids : NULL) < 0)
		fail(errno, "setgroups (%u groups)", plan.ngids);
	if (setresgid(plan.gid, plan.gid, plan.gid) < 0)
		fail(errno, "setresgid %u", plan.gid);
	if (setresuid(plan.uid, plan.uid, plan.uid) < 0)
		fail(errno, "setresuid %u", plan.uid);
}

/* PATH as the container's environment has it (the last PATH= wins, as in
 * runc, which setenv()s the entries in order); NULL when there is none. */
static const char *container_path(void)
{
	const char *path = NULL;
	for (size_t i = 0; i < plan.envc; i++)
		if (strncmp(plan.envp[i], "PATH=", 5) == 0)
			path = plan.envp[i] + 5;
	return path;
}

/* Go's findExecutable: 0, or an errno; *stat_failed tells a stat() error
 * (printed as "stat NAME: ...") from the rest. */
static int find_executable(const char *file, bool *stat_failed)
{
	struct stat st;

	*stat_failed = false;
	if (stat(file, &st) < 0) {
		*stat_failed = true;
		return errno;
	}
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if (faccessat(AT_FDCWD, file, X_OK, AT_EACCESS) == 0)
		return 0;
	if (errno != ENOSYS && errno != EPERM)
		return errno;
	return (st.st_mode & 0111) ? 0 : EACCES;
}

/* Resolves args[0] as Go's exec.LookPath does in runc, with the container's
 * PATH, and fails with Go's wording. A match relative to the cwd (an empty
 * or "." PATH entry) is accepted, as with GODEBUG=execerrdot=0. */
static const char *look_path(const char *name)
{
	static char buf[PATH_MAX];
	const char *path, *dir;
	bool stat_failed;
	int err;

	if (strchr(name, '/') != NULL) {
		err = find_executable(name, &stat_failed);
		if (err == 0)
			return name;
		if (stat_failed)
			fail_exact(err, "exec: \"%s\": stat %s: %s", name, name, errstr(err));
		fail_exact(err, "exec: \"%s\": %s", name, errstr(err));
	}
	/* Go's filepath.SplitList: no entries at all for an empty PATH; an
	 * empty entry stands for the cwd. */
	path = container_path();
	for (dir = (path && *path) ? path : NULL; dir != NULL;) {
		const char *colon = strchr(dir, ':');
		size_t dlen = colon ? (size_t)(colon - dir) : strlen(dir);
		int n = dlen ? snprintf(buf, sizeof(buf), "%.*s/%s", (int)dlen, dir, name)
			     : snprintf(buf, sizeof(buf), "%s", name);

		if (n > 0 && (size_t)n < sizeof(buf) && find_executable(buf, &stat_failed) == 0)
			return buf;
		dir = colon ? colon + 1 : NULL;
	}
	fail_exact(ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

static void chdir_and_check(bool already)
{
	char buf[PATH_MAX];

	if (!already && chdir(plan.cwd) < 0)
		fail(errno, "chdir to cwd (\"%s\") set in config.json failed", plan.cwd);
	/* CVE-2024-21626: a cwd that is not under the container's root (a
	 * leaked host fd, say) shows up as ENOENT or "(unreachable)/...". */
	errno = 0;
	if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')
		fail(errno ? errno : ENOENT, "cwd %s is outside the container", plan.cwd);
}

static void exit_on_signal(int sig)
{
	_exit(128 + sig);
}

/* As pid 1 of a new pid namespace this process ignores every signal it has
 * no handler for (pid_namespaces(7)), so `kill <id>` (SIGTERM) on a created
 * container would do nothing, while runc's Go init dies of it. Catch the
 * signals whose default action terminates and exit; execve(2) resets caught
 * signals to their defaults, so the user process starts clean. */
static void die_on_terminating_signals(void)
{
	static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGABRT, SIGUSR1, SIGUSR2, SIGPIPE,
				   SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM,
				   SIGPROF, SIGIO, SIGPWR, SIGSYS};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = exit_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			fail(errno, "sigaction %d", sigs[i]);
}

/* The container's init: from MSG_GO to execve(). Does not return. */
static void container_init(void) __attribute__((noreturn));
static void container_init(void)
{
	unsigned char buf[64];
	uint16_t tag;
	uint32_t len;
	mode_t old_umask;
	int fifo = -1;
	bool in_cwd;
	const char *exe;

	die_on_terminating_signals();
	if (read_frame(&tag, buf, sizeof(buf), &len) < 0)
		_exit(1); /* the engine gave up on us: nothing to report */
	if (tag != MSG_GO || len != 0)
		fail_exact(EPROTO, "expected MSG_GO, got %s (tag %u)", tag_name(tag), tag);
	/* A session of its own, as runc's nsexec gives every container process:
	 * the caller's terminal signals do not reach it, and it can take a
	 * controlling terminal of its own (setup_console). */
	if (setsid() < 0)
		fail(errno, "setsid");

	/* After GO: only now does the process sit in its cgroups, so the new
	 * cgroup namespace is rooted at them (runc does the same). */
	if ((plan.clone_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		fail(errno, "unshare cgroup namespace");

	/* clone(CLONE_NEWUSER) or setns leaves us with the host's uid 0, which
	 * the new namespace does not map (files we made would fail with
	 * EOVERFLOW): become the namespace's own root, now that the engine has
	 * written the maps. runc's nsexec does the same. */
	if (in_new_user_ns()) {
		if (setresgid(0, 0, 0) < 0)
			fail(errno, "setresgid 0 in the user namespace (is the gid map written?)");
		if (!setgroups_denied() && setgroups(0, NULL) < 0)
			fail(errno, "setgroups in the user namespace");
		if (setresuid(0, 0, 0) < 0)
			fail(errno, "setresuid 0 in the user namespace (is the uid map written?)");
	}

	old_umask = umask(0); /* modes of mkdir and mknod are meant exactly */
	if (plan.clone_flags & CLONE_NEWNS)
		prepare_rootfs(&plan);
	/* Hooks, in runc's order: prestart and createRuntime (the engine runs
	 * them while we wait), then createContainer here, cwd = the rootfs,
	 * before pivot_root (hooks.c). */
	await_runtime_hooks(&plan);
	if (plan.hk.nhooks > 0) {
		char msg[4000];
		if (plan.rootfs != NULL && chdir(plan.rootfs) < 0)
			fail(errno, "chdir %s", plan.rootfs);
		if (run_hooks(&plan, JSHIM_HOOK_CREATE_CONTAINER, msg, sizeof(msg)) < 0)
			fail_exact(ECANCELED, "%s", msg);
	}
	if (plan.exec_fifo != NULL) {
		/* O_PATH: a handle that does not open the FIFO (which would block)
		 * and survives the pivot; reopened through /proc/self/fd below. */
		struct stat st;
		fifo = exec_fifo_fd;
		if (fstat(fifo, &st) < 0 || !S_ISFIFO(st.st_mode))
			fail_exact(ENOTSUP, "exec fifo %s is not a fifo", plan.exec_fifo);
	}
	if (plan.clone_flags & CLONE_NEWNS)
		enter_rootfs(&plan);
	/* After pivot_root, before anything is made read-only (runc's order);
	 * /dev/console only for a new container, not for exec. */
	setup_console(&plan, (plan.clone_flags & CLONE_NEWNS) != 0);
	if (plan.clone_flags & CLONE_NEWNS)
		finalize_rootfs(&plan);

	if (plan.hostname && sethostname(plan.hostname, strlen(plan.hostname)) < 0)
		fail(errno, "sethostname %s", plan.hostname);
	if (plan.domainname && setdomainname(plan.domainname, strlen(plan.domainname)) < 0)
		fail(errno, "setdomainname %s", plan.domainname);
	if (!plan.no_new_keyring)
		join_session_keyring(plan.container_id);
	apply_process_attrs(&plan); /* scheduler, ioprio, personality: needs root's capabilities */
	set_rlimits(); /* before dropping root: raising a hard limit needs CAP_SYS_RESOURCE */
	/* cwd first as root, as runc does, so a cwd only root can enter works;
	 * tried again as the user if that failed. */
	in_cwd = chdir(plan.cwd) == 0;
	security_before_user(&plan); /* [seccomp without no_new_privs], bounding set, keepcaps */
	if (plan.has_user)
		set_user();
	umask(plan.umask == 0xffffffffu ? old_umask : (mode_t)(plan.umask & 0777));
	chdir_and_check(in_cwd);
	security_after_user(&plan); /* capset, ambient, no_new_privs */
	exe = look_path(plan.argv[0]);
	security_before_ready(&plan); /* seccomp with SCMP_ACT_NOTIFY: the fd goes to the engine */

	if (fifo >= 0) {
		/* A missing /proc would otherwise only show after MSG_READY. */
		struct stat st;
		char fdpath[32];
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fifo);
		if (stat(fdpath, &st) < 0)
			fail(errno, "exec fifo: stat %s (is /proc mounted in the container?)", fdpath);
	}
	if ((errno = write_frame(MSG_READY, NULL, 0)) != 0)
		fail(errno, "send MSG_READY");
	/* The engine is done with us: from here on errors go to stderr. */
	close(sync_fd);
	sync_fd = -1;

	if (fifo >= 0) {
		char fdpath[32];
		int w;
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fifo);
		/* Blocks until `start` opens the FIFO for reading (fifo(7)). */
		do
			w = open(fdpath, O_WRONLY | O_CLOEXEC);
		while (w < 0 && errno == EINTR);
		if (w < 0)
			fail(errno, "open exec fifo %s", fdpath);
		start_container_hooks(w);
		if (write(w, "0", 1) != 1)
			fail(errno, "write exec fifo");
		/* w stays open: it is close-on-exec, so `start` sees the FIFO's end
		 * exactly when execve() has succeeded, and runs poststart hooks
		 * only then (runtime.md: after the user program has started). */
		close(fifo);
	}
	/* Belt and braces for CVE-2024-21626: whatever is above the preserved
	 * fds now, it does not cross execve. */
	close_fds(3 + plan.preserve_fds, ~0U, true);
	security_before_exec(&plan); /* seccomp last, right before execve */
	execve(exe, plan.argv, plan.envp);
	dprintf(STDERR_FILENO, "jshim-init: exec %s: %s\n", exe, errstr(errno));
	_exit(127);
}

static void print_version(void)
{
	const struct scmp_version *v = seccomp_version();
	/* seccomp_api_get() asks the kernel which filter features it has; it is
	 * called here so that the libseccomp link is real and checked at once. */
	(void)seccomp_api_get();
	printf("jshim-init %s libseccomp %u.%u.%u\n", JSHIM_VERSION, v->major, v->minor, v->micro);
}

/* The engine's JVM may leave signals blocked or ignored; blocked signals and
 * ignored dispositions survive execve(2), so start from a clean slate. */
static void reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL); /* EINVAL for the two glibc keeps for itself: fine */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int main(int argc, char **argv)
{
	const char *env;
	char *end;
	long fd;
	unsigned char pid_le[4];
	long pid;
	int err;

	if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)) {
		print_version();
		return 0;
	}
	env = getenv(JSHIM_SYNC_FD_ENV);
	if (env == NULL) {
		dprintf(STDERR_FILENO, "jshim-init: %s is not set: jshim-init is started by jrunc "
			"and the jshim shim, not by hand (try --version)\n", JSHIM_SYNC_FD_ENV);
		return 1;
	}
	errno = 0;
	fd = strtol(env, &end, 10);
	if (errno != 0 || end == env || *end != '\0' || fd < 3 || fd > INT_MAX ||
	    fcntl((int)fd, F_GETFD) < 0) {
		dprintf(STDERR_FILENO, "jshim-init: %s=%s is not an open fd above 2\n",
			JSHIM_SYNC_FD_ENV, env);
		return 1;
	}
	sync_fd = (int)fd;
	protect_self(argv); /* CVE-2019-5736: never run as the host's file; not dumpable */
	reset_signals();
	/* Until the plan says which fds to keep, none may cross an execve. The
	 * sync fd is among them: it stays open but never reaches the container. */
	close_fds(3, ~0U, true);

	read_plan(&plan);
	keep_only_wanted_fds();
	security_prepare(&plan); /* compile seccomp now: errors before anything exists */
	if (plan.container_id == NULL)
		plan.container_id = argc >= 2 ? argv[1] : "";
	open_exec_fifo();
	guard_before_join(&plan); /* non-dumpable from here to execve (join.c) */
	join_namespaces();
	setup_time_namespace(&plan); /* the clone() below is born in it */

	/* A fork() that also makes the new namespaces (the child is pid 1 of a
	 * new pid namespace when asked). Calling clone directly bypasses glibc's
	 * fork handlers, which is safe here: this process has a single thread
	 * and holds no lock. CLONE_NEWCGROUP waits until after MSG_GO. */
	pid = syscall(SYS_clone, (unsigned long)(plan.clone_flags & ~(uint32_t)CLONE_NEWCGROUP) | SIGCHLD,
		      NULL, NULL, NULL, 0);
	if (pid < 0)
		fail(errno, "clone (flags 0x%x)", plan.clone_flags & ~(uint32_t)CLONE_NEWCGROUP);
	if (pid == 0)
		container_init();

	for (int i = 0; i < 4; i++)
		pid_le[i] = (unsigned char)((unsigned long)pid >> (8 * i));
	if ((err = write_frame(MSG_PID, pid_le, sizeof(pid_le))) != 0) {
		kill((pid_t)pid, SIGKILL);
		fail(err, "send MSG_PID");
	}
	/* Not waiting: the child is reparented to the engine's subreaper. */
	_exit(0);
}
