/*
 * security.h - capabilities, no_new_privs, seccomp and the sealed self-copy
 * of jshim-init (security.c). Included by jshim.h; struct security_plan is
 * the `sec` member of struct plan, filled by plan.c from PLAN_CAPS,
 * PLAN_NO_NEW_PRIVS, PLAN_SECCOMP and PLAN_SECCOMP_RULE.
 */
#ifndef JSHIM_SECURITY_H
#define JSHIM_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_SECCOMP_RULES 4096  /* PLAN_SECCOMP_RULE records */
#define MAX_SECCOMP_NAMES 16384 /* syscall names over all rules */
#define MAX_SECCOMP_ARCHES 32
#define MAX_SECCOMP_ARGS 6      /* a syscall has at most 6 arguments */

struct seccomp_arg {
	uint32_t index; /* 0..5 */
	uint32_t op;    /* enum scmp_compare: SCMP_CMP_NE (1) .. SCMP_CMP_MASKED_EQ (7) */
	uint64_t value, value_two;
};

struct seccomp_rule {
	uint32_t spec_index; /* index in linux.seccomp.syscalls, for messages */
	uint32_t action;     /* JSHIM_SCMP_* */
	uint32_t errno_ret;  /* for JSHIM_SCMP_ERRNO and JSHIM_SCMP_TRACE */
	uint32_t nargs;
	struct seccomp_arg args[MAX_SECCOMP_ARGS];
	char **names;        /* NULL-terminated, points into security_plan.names */
	size_t nnames;
};

struct security_plan {
	bool has_caps; /* PLAN_CAPS sent; absent: capabilities are left as they are */
	uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
	bool no_new_privs;
	bool has_seccomp;
	bool seccomp_notify; /* some rule uses JSHIM_SCMP_NOTIFY */
	uint32_t seccomp_default, seccomp_default_errno, seccomp_flags; /* JSHIM_SECCOMP_FLAG_* */
	char *arches[MAX_SECCOMP_ARCHES + 1]; /* libseccomp arch names ("x86_64") */
	size_t narches;
	struct seccomp_rule rules[MAX_SECCOMP_RULES];
	size_t nrules;
	char *names[MAX_SECCOMP_NAMES + MAX_SECCOMP_RULES]; /* the rules' names, each list NULL-terminated */
	size_t nnames;
};

struct plan;
struct cursor;

/* plan.c hands PLAN_CAPS .. PLAN_SECCOMP_RULE to decode_security(), and
 * calls check_security() after PLAN_END. */
void decode_security(struct plan *p, struct cursor *c);
void check_security(const struct plan *p);

/* In main(), before anything else: make sure this process runs from a
 * sealed memfd copy of jshim-init, not from the host file (CVE-2019-5736),
 * and is not dumpable (CVE-2016-9962). Returns when it runs from the copy;
 * otherwise execs the copy (or fails). */
void protect_self(char **argv);

/* Parent, before clone(): compiles the seccomp rules to BPF with libseccomp,
 * so that errors in them are reported before anything exists and nothing is
 * allocated in the child. */
void security_prepare(const struct plan *p);

/* Child, in this order (runc's finalizeNamespace):
 *   security_before_user   seccomp when !no_new_privs (loading then needs
 *                          CAP_SYS_ADMIN, which the user switch drops),
 *                          bounding set, PR_SET_KEEPCAPS
 *   <setgroups/setresgid/setresuid, cwd>
 *   security_after_user    clear KEEPCAPS, capset, ambient set, no_new_privs
 *   <resolve args[0]>
 *   security_before_ready  seccomp with SCMP_ACT_NOTIFY (its fd goes to the
 *                          engine over the sync socket, which closes at READY)
 *   <MSG_READY, exec FIFO, close fds>
 *   security_before_exec   any other seccomp filter: the last thing before execve
 */
void security_before_user(const struct plan *p);
void security_after_user(const struct plan *p);
void security_before_ready(const struct plan *p);
void security_before_exec(const struct plan *p);

#endif
