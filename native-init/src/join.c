/*
 * join.c - exec ("join" mode): a new process in a running container. The
 * engine names every namespace the container has (/proc/<init>/ns/<type>, user
 * first) in PLAN_NS_JOIN; main.c setns()es into them and clone()s, so that the
 * pid namespace applies to the child; the engine puts the child in the
 * container's cgroups between MSG_PID and MSG_GO; the child then takes the
 * same path as a container's init minus everything that builds the container
 * (no new namespaces, rootfs, mounts, hostname, hooks or exec FIFO), and execs
 * right after MSG_READY.
 */
#include <errno.h>
#include <sys/prctl.h>

#include "jshim.h"

void check_join(const struct plan *p)
{
	if (p->mode != MODE_JOIN)
		return;
	if (p->clone_flags != 0)
		fail_exact(EINVAL, "join mode: PLAN_NS_CLONE 0x%x: exec joins the container's namespaces, "
		           "it makes none", p->clone_flags);
	if (p->rootfs != NULL || p->nops || p->nmasked || p->nreadonly || p->rootfs_readonly)
		fail_exact(EINVAL, "join mode: the plan must not set up a root filesystem");
	if (p->hostname != NULL || p->domainname != NULL)
		fail_exact(EINVAL, "join mode: the plan must not set a hostname or domainname");
	if (p->exec_fifo != NULL)
		fail_exact(EINVAL, "join mode: an exec'd process has no exec FIFO");
	if (p->hk.nhooks != 0 || p->hk.runtime_hooks)
		fail_exact(EINVAL, "join mode: hooks run for the container, not for exec'd processes");
	if (p->njoin == 0)
		fail_exact(EINVAL, "join mode: no namespace to join");
}

/* CVE-2019-5736: a process already in the namespaces we join could open
 * /proc/<our pid>/exe (ptrace access is checked against a dumpable target)
 * and reach this binary while it is still us. Non-dumpable, /proc/<pid>/ is
 * root-owned and ptrace-protected; execve(2) of the user's program makes it
 * dumpable again. runc's nsexec does the same whenever it joins namespaces. */
void guard_before_join(const struct plan *p)
{
	if (p->njoin == 0)
		return;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail(errno, "prctl(PR_SET_DUMPABLE, 0)");
}
