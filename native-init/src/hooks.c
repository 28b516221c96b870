/*
 * hooks.c - the hooks jshim-init runs itself (config.md "POSIX-platform Hooks"):
 *
 *   createContainer  in the container's namespaces, after the mounts and
 *                    before pivot_root, cwd = the rootfs, so that the path
 *                    resolves in the host's filesystem view (runtime.md
 *                    lifecycle step 4; runc's prepareRootfs does the same);
 *   startContainer   in the container, after `start` opened the exec FIFO and
 *                    before the user program runs; the path resolves in the
 *                    container (step 7).
 *
 * The engine runs prestart and createRuntime hooks in the runtime namespace
 * while this process waits between MSG_HOOKS and MSG_HOOKS_DONE (after the
 * mounts, as runc's procHooks sync), and poststart/poststop itself.
 *
 * Each hook gets the state JSON on stdin with the pid of the process running
 * it as the container sees it (getpid(): 1 in a new pid namespace, as runc
 * sends it), args[0] as argv[0], env (or, when the hook has none, the
 * process env of the plan: runc's init hands its own environment to exec.Cmd),
 * and a timeout after which it is killed. stdin, stdout and stderr are memfds:
 * writing the state never blocks on a hook that does not read, and a failing
 * hook's output is quoted in the error as runc quotes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jshim.h"

#define OUTPUT_QUOTE 1024 /* bytes of a failing hook's stdout and stderr quoted in its error */

static char *strs[MAX_HOOK_STRS];
static size_t nstrs;

static char **get_strv_pooled(struct cursor *c)
{
	uint32_t n = get_u32(c);
	char **v;

	if ((size_t)n + 1 > MAX_HOOK_STRS - nstrs)
		fail_exact(E2BIG, "plan record %s: more than %u argv and env entries in all hooks",
		           tag_name(c->tag), MAX_HOOK_STRS);
	v = &strs[nstrs];
	for (uint32_t i = 0; i < n; i++)
		strs[nstrs++] = get_str(c);
	strs[nstrs++] = NULL;
	return v;
}

static const char *phase_name(uint32_t phase)
{
	return phase == JSHIM_HOOK_CREATE_CONTAINER ? "createContainer"
	     : phase == JSHIM_HOOK_START_CONTAINER ? "startContainer" : "unknown";
}

static uint32_t get_phase(struct cursor *c)
{
	uint32_t phase = get_u32(c);
	if (phase != JSHIM_HOOK_CREATE_CONTAINER && phase != JSHIM_HOOK_START_CONTAINER)
		fail_exact(EINVAL, "plan record %s: unknown hook phase %u", tag_name(c->tag), phase);
	return phase;
}

void decode_hooks(struct plan *p, struct cursor *c)
{
	struct hook_plan *hk = &p->hk;
	struct hook_op *h;
	uint32_t phase, flags;

	switch (c->tag) {
	case PLAN_HOOK:
		if (hk->nhooks >= MAX_HOOKS)
			fail_exact(E2BIG, "plan has more than %u PLAN_HOOK records", MAX_HOOKS);
		h = &hk->hooks[hk->nhooks];
		h->phase = get_phase(c);
		h->timeout = get_u32(c);
		flags = get_u32(c);
		if (flags & ~JSHIM_HOOKF_ENV)
			fail_exact(EINVAL, "plan record PLAN_HOOK: unknown flags 0x%x",
			           flags & ~JSHIM_HOOKF_ENV);
		h->path = get_str(c);
		h->argv = get_strv_pooled(c);
		h->envp = get_strv_pooled(c);
		if (!(flags & JSHIM_HOOKF_ENV))
			h->envp = NULL;
		if (h->path[0] != '/')
			fail_exact(EINVAL, "hooks.%s: path \"%s\" must be absolute",
			           phase_name(h->phase), h->path);
		if (h->argv[0] == NULL)
			fail_exact(EINVAL, "hooks.%s: %s: argv must hold argv[0]",
			           phase_name(h->phase), h->path);
		hk->nhooks++;
		break;
	case PLAN_HOOK_STATE:
		phase = get_phase(c);
		if (hk->state_before[phase] != NULL)
			fail_exact(EPROTO, "plan record PLAN_HOOK_STATE for %s appears more than once",
			           phase_name(phase));
		hk->state_before[phase] = get_str(c);
		hk->state_after[phase] = get_str(c);
		break;
	case PLAN_RUNTIME_HOOKS:
		hk->runtime_hooks = true;
		break;
	default:
		fail_exact(EPROTO, "unexpected frame %s (tag %u) in the plan", tag_name(c->tag), c->tag);
	}
}

void check_hooks(const struct plan *p)
{
	for (size_t i = 0; i < p->hk.nhooks; i++)
		if (p->hk.state_before[p->hk.hooks[i].phase] == NULL)
			fail_exact(EINVAL, "plan has %s hooks but no PLAN_HOOK_STATE for them",
			           phase_name(p->hk.hooks[i].phase));
}

void await_runtime_hooks(const struct plan *p)
{
	unsigned char buf[16];
	uint16_t tag;
	uint32_t len;
	int err;

	if (!p->hk.runtime_hooks)
		return;
	if ((err = write_frame(MSG_HOOKS, NULL, 0)) != 0)
		fail(err, "send MSG_HOOKS");
	if (read_frame(&tag, buf, sizeof(buf), &len) < 0)
		_exit(1); /* a prestart or createRuntime hook failed: the engine reports it */
	if (tag != MSG_HOOKS_DONE || len != 0)
		fail_exact(EPROTO, "expected MSG_HOOKS_DONE, got %s (tag %u)", tag_name(tag), tag);
}

static int write_all(int fd, const char *s)
{
	size_t len = strlen(s);
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Appends ", stdout: ..." / ", stderr: ..." with what the hook wrote, if anything. */
static void quote_output(char *msg, size_t cap, const char *name, int fd)
{
	char buf[OUTPUT_QUOTE + 1];
	ssize_t n = pread(fd, buf, OUTPUT_QUOTE, 0);
	size_t used = strlen(msg);

	if (n <= 0)
		return;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if (n > 0 && used < cap)
		snprintf(msg + used, cap - used, ", %s: %s", name, buf);
}

/* The hook's side of the fork: stdio, then execve. An execve error goes back
 * through `report` (close-on-exec: EOF there means the exec worked). */
static void hook_child(const struct plan *p, const struct hook_op *h, const int io[3], int report)
    __attribute__((noreturn));
static void hook_child(const struct plan *p, const struct hook_op *h, const int io[3], int report)
{
	int err;

	umask(022); /* the container's setup runs with umask 0 */
	for (int i = 0; i < 3; i++)
		if (dup2(io[i], i) < 0)
			goto failed;
	/* The preserved fds are the only ones not close-on-exec; they are the
	 * container process's, not the hook's. */
	if (p->preserve_fds > 0 && close_range(3, 2 + p->preserve_fds, 0) < 0)
		goto failed;
	execve(h->path, h->argv, h->envp != NULL ? h->envp : p->envp);
failed:
	err = errno;
	if (write(report, &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

/* Waits for pid up to timeout seconds (0: for ever). Returns 0 with *status
 * set, or -1 when the time ran out (pid still running, not reaped). */
static int wait_child(pid_t pid, uint32_t timeout, int *status)
{
	struct timespec start, now;
	int pidfd;

	if (timeout > 0) {
		clock_gettime(CLOCK_MONOTONIC, &start);
		/* Readable when the process exits (Linux 5.3; jshim-init needs 5.6). */
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		for (;;) {
			long left;
			pid_t r = waitpid(pid, status, WNOHANG);
			if (r == pid)
				break;
			if (r < 0 && errno != EINTR)
				fail(errno, "waitpid hook %d", (int)pid);
			clock_gettime(CLOCK_MONOTONIC, &now);
			left = (long)timeout * 1000L - ((now.tv_sec - start.tv_sec) * 1000L +
						       (now.tv_nsec - start.tv_nsec) / 1000000L);
			if (left <= 0) {
				if (pidfd >= 0)
					close(pidfd);
				return -1;
			}
			if (pidfd >= 0) {
				struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
				if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
					fail(errno, "poll pidfd of hook %d", (int)pid);
			} else {
				struct timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
				nanosleep(&ts, NULL);
			}
		}
		if (pidfd >= 0)
			close(pidfd);
		return 0;
	}
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			fail(errno, "waitpid hook %d", (int)pid);
	return 0;
}

static int run_one(const struct plan *p, const struct hook_op *h, size_t index, char *msg, size_t cap)
{
	char label[64], pid[16];
	int io[3] = {-1, -1, -1}, report[2] = {-1, -1}, status = 0, rc = -1, err;
	ssize_t n;
	pid_t child;

	snprintf(label, sizeof(label), "hooks.%s[%zu]", phase_name(h->phase), index);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	io[0] = memfd_create("jshim-hook-state", MFD_CLOEXEC);
	io[1] = memfd_create("jshim-hook-stdout", MFD_CLOEXEC);
	io[2] = memfd_create("jshim-hook-stderr", MFD_CLOEXEC);
	if (io[0] < 0 || io[1] < 0 || io[2] < 0) {
		snprintf(msg, cap, "%s: %s: memfd_create: %s", label, h->path, errstr(errno));
		goto out;
	}
	if (write_all(io[0], p->hk.state_before[h->phase]) < 0 || write_all(io[0], pid) < 0 ||
	    write_all(io[0], p->hk.state_after[h->phase]) < 0 || lseek(io[0], 0, SEEK_SET) < 0) {
		snprintf(msg, cap, "%s: %s: write state: %s", label, h->path, errstr(errno));
		goto out;
	}
	if (pipe2(report, O_CLOEXEC) < 0) {
		snprintf(msg, cap, "%s: %s: pipe2: %s", label, h->path, errstr(errno));
		goto out;
	}
	/* A plain fork. clone() directly, as main.c does: this process was itself
	 * made by a raw clone, so glibc's cached thread state is not ours. */
	child = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, NULL, NULL, NULL, 0);
	if (child < 0) {
		snprintf(msg, cap, "%s: %s: fork: %s", label, h->path, errstr(errno));
		goto out;
	}
	if (child == 0)
		hook_child(p, h, io, report[1]);
	close(report[1]);
	report[1] = -1;
	do
		n = read(report[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(err)) {
		wait_child(child, 0, &status);
		snprintf(msg, cap, "%s: %s: %s", label, h->path, errstr(err));
		goto out;
	}
	if (wait_child(child, h->timeout, &status) < 0) {
		kill(child, SIGKILL);
		wait_child(child, 0, &status);
		snprintf(msg, cap, "%s: %s: ran past its timeout of %us and was killed", label, h->path,
			 h->timeout);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		rc = 0;
		goto out;
	} else if (WIFEXITED(status)) {
		snprintf(msg, cap, "%s: %s: exit status %d", label, h->path, WEXITSTATUS(status));
	} else {
		snprintf(msg, cap, "%s: %s: killed by signal %d", label, h->path, WTERMSIG(status));
	}
	quote_output(msg, cap, "stdout", io[1]);
	quote_output(msg, cap, "stderr", io[2]);
out:
	for (int i = 0; i < 3; i++)
		if (io[i] >= 0)
			close(io[i]);
	for (int i = 0; i < 2; i++)
		if (report[i] >= 0)
			close(report[i]);
	return rc;
}

int run_hooks(const struct plan *p, uint32_t phase, char *msg, size_t cap)
{
	size_t index = 0;

	for (size_t i = 0; i < p->hk.nhooks; i++) {
		if (p->hk.hooks[i].phase != phase)
			continue;
		if (run_one(p, &p->hk.hooks[i], index, msg, cap) < 0)
			return -1;
		index++;
	}
	return 0;
}
