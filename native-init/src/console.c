/*
 * console.c - process.terminal (runc docs/terminals.md, "new terminal"): the
 * pty is made inside the container, from the container's own devpts instance
 * (after the mounts and pivot_root), so that the container never holds a host
 * pty. Its master goes to whoever listens on the console socket (the engine
 * connected it and handed it down as PLAN_CONSOLE's fd) with SCM_RIGHTS,
 * carrying the name "/dev/ptmx" as runc's utils.SendFd does; the slave becomes
 * the controlling terminal and fds 0, 1 and 2 of the container's process, and
 * for a new container also /dev/console (runtime-linux.md "Default Devices":
 * /dev/console is set up when terminal is true).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "jshim.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

void decode_console(struct plan *p, struct cursor *c)
{
	uint32_t fd = get_u32(c);

	p->con.rows = get_u32(c);
	p->con.cols = get_u32(c);
	p->con.flags = get_u32(c);
	if (p->con.flags & ~JSHIM_CONSOLE_AWAIT_PEER)
		fail_exact(EINVAL, "plan record PLAN_CONSOLE: unknown flags 0x%x", p->con.flags);
	if (fd < 3 || fd > INT_MAX || fcntl((int)fd, F_GETFD) < 0)
		fail_exact(EBADF, "plan record PLAN_CONSOLE: console socket fd %u is not open", fd);
	if (p->con.rows > 0xffff || p->con.cols > 0xffff)
		fail_exact(EINVAL, "process.consoleSize %ux%u is out of range", p->con.rows, p->con.cols);
	p->con.fd = (int)fd;
}

static void send_master(int sock, int master)
{
	static const char name[] = "/dev/ptmx";
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { .iov_base = (void *)name, .iov_len = sizeof(name) - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	ssize_t n;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	do
		n = sendmsg(sock, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		fail(errno, "send the pty master over the console socket");
}

/* /dev/console: an empty file with the slave bound onto it (runc's mountConsole). */
static void mount_console(const char *slave_path)
{
	int fd = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);

	if (fd < 0)
		fail(errno, "create /dev/console");
	close(fd);
	if (mount(slave_path, "/dev/console", NULL, MS_BIND, NULL) < 0)
		fail(errno, "mount %s to /dev/console (type bind, flags 0x%x)", slave_path, MS_BIND);
}

void setup_console(const struct plan *p, bool with_dev_console)
{
	char path[32];
	unsigned int n;
	int master, slave, unlock = 0;

	if (p->con.fd < 0)
		return;
	/* The container's /dev/ptmx: a symlink to pts/ptmx of its own devpts
	 * (newinstance), or a device node that picks the devpts of /dev/pts. */
	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		fail(errno, "open /dev/ptmx in the container (process.terminal needs /dev/pts mounted)");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		fail(errno, "unlockpt");
	if (ioctl(master, TIOCGPTN, &n) < 0)
		fail(errno, "ptsname");
	snprintf(path, sizeof(path), "/dev/pts/%u", n);
	/* TIOCGPTPEER (4.13) opens the slave of this very master, with no path
	 * lookup that a planted /dev/pts symlink could redirect. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 && (errno == EINVAL || errno == ENOTTY))
		slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		fail(errno, "open %s", path);
	if (p->con.rows != 0 && p->con.cols != 0) { /* runc: both, or the size is left alone */
		struct winsize ws = { .ws_row = (unsigned short)p->con.rows,
				      .ws_col = (unsigned short)p->con.cols };
		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			fail(errno, "set console size %ux%u", p->con.rows, p->con.cols);
	}
	if (with_dev_console)
		mount_console(path);
	send_master(p->con.fd, master);
	close(master);
	if (p->con.flags & JSHIM_CONSOLE_AWAIT_PEER) {
		char go;
		ssize_t n;
		do
			n = read(p->con.fd, &go, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			fail_exact(n < 0 ? errno : EPIPE,
			           "the terminal relay went away before the terminal was ready");
	}
	close(p->con.fd);
	/* The user the process runs as owns its terminal (runc's
	 * fixStdioPermissions): the uid only, the group stays the one devpts
	 * gave (its gid= option, tty). EINVAL/EPERM: the uid is not mapped in
	 * a user namespace; leave the owner alone then, as runc does. */
	if (p->has_user) {
		struct stat st;
		if (fstat(slave, &st) < 0)
			fail(errno, "stat %s", path);
		if (st.st_uid != p->uid && fchown(slave, p->uid, (gid_t)-1) < 0 &&
		    errno != EINVAL && errno != EPERM)
			fail(errno, "chown %s to uid %u", path, p->uid);
	}
	for (int fd = 0; fd < 3; fd++)
		if (dup3(slave, fd, 0) < 0)
			fail(errno, "dup %s onto fd %d", path, fd);
	if (slave > 2)
		close(slave);
	/* This process is a session leader with no terminal yet (setsid after
	 * MSG_GO): the slave becomes its controlling terminal. */
	if (ioctl(0, TIOCSCTTY, 0) < 0)
		fail(errno, "make %s the controlling terminal (TIOCSCTTY)", path);
}
