/*
 * sysprobe - tries one system call from inside a container and prints what
 * happened, so that two runtimes' containers can be compared line by line:
 *
 *     sysprobe NAME [ARG]   ->   "NAME: ok"  or  "NAME: EPERM"
 *     sysprobe nr N         ->   syscall number N with zero arguments
 *
 * Busybox has no keyctl, add_key, insmod of a real module or ptrace, hence
 * this. Built by the integration tests with `gcc -static` and copied into the
 * bundle's rootfs (SecurityIT, CveRegressionIT).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_PROCESS_KEYRING -2
#define KEY_SPEC_SESSION_KEYRING -3

static const char *errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case ENOSYS: return "ENOSYS";
	case EROFS: return "EROFS";
	case ENOSPC: return "ENOSPC";
	case EFAULT: return "EFAULT";
	case ENOEXEC: return "ENOEXEC";
	}
	return strerror(e);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	long arg = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	long rc;

	if (strcmp(what, "keyctl") == 0)
		rc = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	else if (strcmp(what, "add_key") == 0)
		rc = syscall(SYS_add_key, "user", "jshim-sysprobe", "x", 1, KEY_SPEC_PROCESS_KEYRING);
	else if (strcmp(what, "unshare_user") == 0)
		rc = unshare(CLONE_NEWUSER); /* unprivileged: only seccomp (or a policy) stops it */
	else if (strcmp(what, "unshare_mnt") == 0)
		rc = unshare(CLONE_NEWNS); /* needs CAP_SYS_ADMIN */
	else if (strcmp(what, "mount") == 0)
		rc = mount("t", "/tmp", "tmpfs", 0, NULL);
	else if (strcmp(what, "init_module") == 0)
		rc = syscall(SYS_init_module, NULL, 0, ""); /* needs CAP_SYS_MODULE before anything else */
	else if (strcmp(what, "ptrace") == 0)
		rc = ptrace(PTRACE_ATTACH, (pid_t)arg, NULL, NULL);
	else if (strcmp(what, "kill0") == 0)
		rc = kill((pid_t)arg, 0);
	else if (strcmp(what, "mkdir") == 0)
		rc = syscall(SYS_mkdir, argc > 2 ? argv[2] : "/tmp/sysprobe", 0755);
	else if (strcmp(what, "nr") == 0)
		rc = syscall(arg, 0, 0, 0, 0, 0, 0); /* a raw syscall number, e.g. one no kernel has */
	else if (strcmp(what, "rmdir") == 0)
		rc = syscall(SYS_rmdir, argc > 2 ? argv[2] : "/tmp/sysprobe");
	else if (strcmp(what, "getcpu") == 0)
		rc = syscall(SYS_getcpu, NULL, NULL, NULL); /* none of busybox's applets calls these three */
	else if (strcmp(what, "syncfs") == 0)
		rc = syscall(SYS_syncfs, 0);
	else if (strcmp(what, "sysinfo") == 0)
		rc = syscall(SYS_sysinfo, NULL);
	else {
		fprintf(stderr, "sysprobe: unknown probe \"%s\"\n", what);
		return 2;
	}
	if (rc < 0)
		printf("%s: %s\n", what, errname(errno));
	else
		printf("%s: ok\n", what);
	return 0;
}
