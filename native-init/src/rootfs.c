/*
 * rootfs.c - the container's filesystem, in runc's prepareRootfs order.
 *
 * Everything under the rootfs is reached through openat2(RESOLVE_IN_ROOT) on
 * an O_PATH fd of the rootfs, and mounted onto "/proc/self/fd/N": a symlink
 * in the image (/dev -> /host/etc, say) is resolved as if the rootfs were
 * "/" and can never lead a mount, mknod or symlink out of it
 * (CVE-2021-30465, CVE-2019-19921 are about that class of escape).
 * Host-side paths (bind sources, the rootfs itself) come from the engine and
 * are used as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "jshim.h"

/* O_PATH fd of the rootfs, opened after it was bind-mounted onto itself. */
static int rootfd = -1;

/* Flags a bind mount's remount may carry; MS_BIND/MS_REC and propagation are not among them. */
#define REMOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | \
		       MS_MANDLOCK | MS_DIRSYNC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
		       MS_STRICTATIME | MS_LAZYTIME | MS_SILENT)
#define PROPAGATION_FLAGS (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

/* Opens path (absolute or not, it is taken relative to the rootfs) without
 * leaving the rootfs and without following /proc magic links. */
static int in_root(const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fail(ENOSYS, "openat2 (jshim-init needs Linux 5.6 or newer)");
	return fd;
}

/* "/proc/self/fd/N": what mount(2) is given as the target. */
static const char *fd_path(int fd)
{
	static char buf[32];
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
	return buf;
}

/* Returns the last component of path and copies what precedes it to parent
 * (of size PATH_MAX; "/" when nothing does). A path whose last component is
 * empty, "." or ".." names no file to create: an error. */
static const char *split(const char *path, char *parent, const char *what)
{
	const char *base = strrchr(path, '/');
	size_t plen;

	base = base ? base + 1 : path;
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		fail_exact(EINVAL, "%s %s: not a path to a file", what, path);
	plen = (size_t)(base - path);
	if (plen >= PATH_MAX)
		fail(ENAMETOOLONG, "%s %s", what, path);
	memcpy(parent, path, plen);
	parent[plen] = '\0';
	if (plen == 0)
		strcpy(parent, "/");
	return base;
}

/* mkdir -p inside the rootfs. Each missing component is made with mode
 * (umask is 0 during setup). */
static void mkdir_all(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	int fd = in_root(path, O_PATH | O_DIRECTORY, 0);

	if (fd >= 0) { /* already there: the common case */
		close(fd);
		return;
	}
	if (len >= PATH_MAX)
		fail(ENAMETOOLONG, "mkdir %s", path);
	memcpy(buf, path, len + 1);
	/* For each component: open its parent (in the root) and mkdirat it. */
	for (size_t end = 0; end <= len; end++) {
		int pfd;
		char saved, *base;

		if (end < len && path[end] != '/')
			continue;
		if (end == 0)
			continue;
		saved = buf[end];
		buf[end] = '\0';
		base = strrchr(buf, '/');
		if (base == NULL) {
			pfd = in_root(".", O_PATH | O_DIRECTORY, 0);
			base = buf;
		} else {
			*base = '\0';
			pfd = in_root(buf[0] ? buf : "/", O_PATH | O_DIRECTORY, 0);
			*base++ = '/';
		}
		if (pfd < 0)
			fail(errno, "mkdir %s", buf);
		if (base[0] && mkdirat(pfd, base, mode) < 0 && errno != EEXIST)
			fail(errno, "mkdir %s", buf);
		close(pfd);
		buf[end] = saved;
	}
}

/* Opens the parent of path inside the rootfs, creating it (0755) if missing. */
static int open_parent(const char *path, const char **base, const char *what)
{
	char parent[PATH_MAX];
	int fd;

	*base = split(path, parent, what);
	mkdir_all(parent, 0755);
	fd = in_root(parent, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		fail(errno, "%s %s: open %s", what, path, parent);
	return fd;
}

/* Creates an empty regular file at path if nothing is there. */
static void touch(const char *path, const char *what)
{
	const char *base;
	int pfd, fd = in_root(path, O_PATH, 0);

	if (fd >= 0) {
		close(fd);
		return;
	}
	pfd = open_parent(path, &base, what);
	fd = openat(pfd, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		fail(errno, "%s %s: create mount point", what, path);
	close(fd);
	close(pfd);
}

/* Adds the flags a mount in a user namespace cannot drop (the kernel locks
 * nosuid, nodev, noexec, ro and atime flags of mounts it inherited: see
 * mount_namespaces(7)); runc retries its remounts the same way. */
static unsigned long locked_flags(const char *target, unsigned long flags)
{
	struct statvfs sv;
	unsigned long add;

	if (statvfs(target, &sv) < 0)
		return flags;
	add = sv.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC);
	if (!(flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)))
		add |= sv.f_flag & (ST_NOATIME | ST_NODIRATIME | ST_RELATIME);
	return flags | add; /* ST_* and MS_* share their values */
}

/* mount(NULL, target, NULL, MS_BIND|MS_REMOUNT|flags), retried once with the
 * locked flags on EPERM. Returns 0 or an errno value. */
static int remount(const char *target, unsigned long flags)
{
	unsigned long retry;

	if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags, NULL) == 0)
		return 0;
	if (errno != EPERM)
		return errno;
	retry = locked_flags(target, flags);
	if (retry == flags)
		return EPERM;
	return mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | retry, NULL) == 0 ? 0 : errno;
}

/* For messages: the engine sends binds with an empty fstype. */
static const char *fstype_name(const struct mount_op *m)
{
	return m->fstype[0] ? m->fstype : (m->flags & MS_BIND) ? "bind" : "none";
}

static void do_mount(const struct mount_op *m)
{
	const char *fstype = m->fstype[0] ? m->fstype : NULL;
	const char *data = m->data[0] ? m->data : NULL;
	bool bind = (m->flags & MS_BIND) != 0;
	unsigned long again;
	int fd, err;

	if (bind && (m->mnt_flags & JSHIM_MNT_BIND_FILE))
		touch(m->dest, "mount");
	else
		mkdir_all(m->dest, 0755);
	fd = in_root(m->dest, O_PATH, 0);
	if (fd < 0)
		fail(errno, "mount %s to %s: open mount point", m->source, m->dest);

	if (bind) {
		if (mount(m->source, fd_path(fd), fstype, MS_BIND | (m->flags & MS_REC), NULL) < 0)
			fail(errno, "mount %s to %s (type %s, flags 0x%llx)", m->source, m->dest,
			     fstype_name(m), (unsigned long long)(MS_BIND | (m->flags & MS_REC)));
	} else if (mount(m->source, fd_path(fd), fstype, m->flags, data) < 0) {
		fail(errno, "mount %s to %s (type %s, flags 0x%llx)", m->source, m->dest,
		     fstype_name(m), (unsigned long long)m->flags);
	}
	close(fd);

	again = bind ? (m->flags & REMOUNT_FLAGS) : 0;
	if (bind && (m->mnt_flags & JSHIM_MNT_REMOUNT_RO))
		again |= MS_RDONLY;
	if (again == 0 && m->propagation == 0)
		return;
	/* The old fd names the directory under the new mount: open it again to
	 * reach the mount itself (runc's reopenAfterMount). */
	fd = in_root(m->dest, O_PATH, 0);
	if (fd < 0)
		fail(errno, "mount %s to %s: reopen mount point", m->source, m->dest);
	if (again && (err = remount(fd_path(fd), again)) != 0)
		fail(err, "remount %s (flags 0x%llx)", m->dest,
		     (unsigned long long)(MS_BIND | MS_REMOUNT | again));
	if (m->propagation && mount(NULL, fd_path(fd), NULL, m->propagation, NULL) < 0)
		fail(errno, "set propagation of %s to 0x%llx", m->dest,
		     (unsigned long long)m->propagation);
	close(fd);
}

static void do_device(const struct device_op *d)
{
	const char *base;
	struct stat st;
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	dev_t dev = d->type == 'p' ? 0 : makedev(d->major, d->minor);
	int pfd = open_parent(d->path, &base, "create device");

	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISFIFO(st.st_mode))
			fail_exact(EEXIST, "create device %s: a file that is not a device node is in the way",
			           d->path);
		/* config-linux.md "Devices": a file at path that does not match the
		 * requested device MUST be an error; a matching node is remade so
		 * that mode and owner are the ones asked for. */
		if ((st.st_mode & S_IFMT) != type || (type != S_IFIFO && st.st_rdev != dev))
			fail_exact(EEXIST, "create device %s: a different device node (%s %u:%u) is in the way",
			           d->path, S_ISBLK(st.st_mode) ? "b" : S_ISCHR(st.st_mode) ? "c" : "p",
			           major(st.st_rdev), minor(st.st_rdev));
		if (unlinkat(pfd, base, 0) < 0)
			fail(errno, "create device %s: remove the existing node", d->path);
	}
	if (mknodat(pfd, base, type | (d->mode & 07777), dev) == 0) {
		if (fchownat(pfd, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
			fail(errno, "chown device %s to %u:%u", d->path, d->uid, d->gid);
	} else if (errno == EPERM && (d->dev_flags & JSHIM_DEV_BIND_FALLBACK)) {
		/* Not allowed to mknod (a user namespace): bind the host's node. */
		int fd = openat(pfd, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
		if (fd < 0)
			fail(errno, "create device %s: create bind mount point", d->path);
		close(fd);
		fd = in_root(d->path, O_PATH, 0);
		if (fd < 0)
			fail(errno, "create device %s: open bind mount point", d->path);
		if (mount(d->path, fd_path(fd), NULL, MS_BIND, NULL) < 0)
			fail(errno, "mount %s to %s (type bind, flags 0x%x)", d->path, d->path, MS_BIND);
		close(fd);
	} else {
		fail(errno, "mknod %s (type %c, %u:%u, mode 0%o)", d->path, (char)d->type,
		     d->major, d->minor, d->mode & 07777);
	}
	close(pfd);
}

static void do_symlink(const char *target, const char *linkpath)
{
	const char *base;
	struct stat st;
	int pfd = open_parent(linkpath, &base, "symlink");

	if (symlinkat(target, pfd, base) < 0) {
		int err = errno;
		if (err != EEXIST || fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISLNK(st.st_mode))
			fail(err, "symlink %s %s", target, linkpath);
	}
	close(pfd);
}

/* Makes the mount that holds path private, walking up to find it: pivot_root
 * (EINVAL) and MS_MOVE refuse a shared parent mount, and a private one keeps
 * the rootfs bind mount from propagating to other namespaces (runc's
 * rootfsParentMountPrivate). */
static void parent_mount_private(const char *rootfs)
{
	char path[PATH_MAX];

	if (strlen(rootfs) >= sizeof(path))
		fail(ENAMETOOLONG, "rootfs %s", rootfs);
	strcpy(path, rootfs);
	for (;;) {
		char *slash;
		if (mount(NULL, path, NULL, MS_PRIVATE, NULL) == 0)
			return;
		if (errno != EINVAL || strcmp(path, "/") == 0)
			fail(errno, "make the parent mount of %s private (%s)", rootfs, path);
		slash = strrchr(path, '/');
		if (slash == path)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

void prepare_rootfs(const struct plan *p)
{
	/* Nothing mounted from now on propagates back to the host. */
	if (mount(NULL, "/", NULL, p->root_propagation, NULL) < 0)
		fail(errno, "set propagation of / to 0x%llx", (unsigned long long)p->root_propagation);
	parent_mount_private(p->rootfs);
	/* pivot_root needs the new root to be a mount point. */
	if (mount(p->rootfs, p->rootfs, "bind", MS_BIND | MS_REC, NULL) < 0)
		fail(errno, "mount %s to %s (type bind, flags 0x%x)", p->rootfs, p->rootfs,
		     MS_BIND | MS_REC);
	rootfd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		fail(errno, "open %s", p->rootfs);

	for (size_t i = 0; i < p->nops; i++) {
		const struct op *op = &p->ops[i];
		switch (op->kind) {
		case OP_MOUNT: do_mount(&op->u.mount); break;
		case OP_MKDIR: mkdir_all(op->u.mkdir.path, op->u.mkdir.mode & 07777); break;
		case OP_SYMLINK: do_symlink(op->u.symlink.target, op->u.symlink.linkpath); break;
		case OP_DEVICE: do_device(&op->u.device); break;
		}
	}
}

/* pivot_root(".", ".") stacks the old root on top of the new one at "/";
 * unmounting "." then leaves only the new root, with no directory needed to
 * park the old one in (pivot_root(2), "NOTES"; runc does the same). */
static void pivot(const char *rootfs)
{
	int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);

	if (oldroot < 0)
		fail(errno, "open /");
	if (fchdir(rootfd) < 0)
		fail(errno, "chdir %s", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail(errno, "pivot_root %s", rootfs);
	if (fchdir(oldroot) < 0)
		fail(errno, "chdir to the old root");
	close(oldroot); /* a host directory: never let it near the container */
	/* Slave, so that the unmount below does not reach the host's mounts. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		fail(errno, "make the old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		fail(errno, "unmount the old root");
	if (chdir("/") < 0)
		fail(errno, "chdir /");
}

static void move_root(const char *rootfs)
{
	if (fchdir(rootfd) < 0)
		fail(errno, "chdir %s", rootfs);
	if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		fail(errno, "mount %s to / (flags 0x%x)", rootfs, MS_MOVE);
	if (chroot(".") < 0)
		fail(errno, "chroot %s", rootfs);
	if (chdir("/") < 0)
		fail(errno, "chdir /");
}

/* From here on paths are the container's: the old root is gone. */
static void mask_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return;
		fail(errno, "mask %s: stat", path);
	}
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) < 0)
			fail(errno, "mount tmpfs to %s (type tmpfs, flags 0x%x)", path, MS_RDONLY);
	} else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
		fail(errno, "mount /dev/null to %s (type bind, flags 0x%x)", path, MS_BIND);
	}
}

static void readonly_path(const char *path)
{
	struct statvfs sv;
	unsigned long keep;

	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return;
		fail(errno, "mount %s to %s (type bind, flags 0x%x)", path, path, MS_BIND | MS_REC);
	}
	if (statvfs(path, &sv) < 0)
		fail(errno, "statvfs %s", path);
	keep = sv.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC);
	if (mount(path, path, NULL, keep | MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL) < 0)
		fail(errno, "remount %s read-only", path);
}

void enter_rootfs(const struct plan *p)
{
	if (p->no_pivot)
		move_root(p->rootfs);
	else
		pivot(p->rootfs);
	close(rootfd);
	rootfd = -1;
	/* Only now, in the container's root: doing it on the rootfs before the
	 * pivot could make a host mount shared (runc does the same). */
	if (p->root_propagation_set && mount(NULL, "/", NULL, p->root_propagation, NULL) < 0)
		fail(errno, "set propagation of / to 0x%llx", (unsigned long long)p->root_propagation);
}

void finalize_rootfs(const struct plan *p)
{
	int err;

	apply_sysctls(p); /* runc's order: before readonly and masked paths (nsextra.c) */

	for (size_t i = 0; i < p->nmasked; i++)
		mask_path(p->masked[i]);
	for (size_t i = 0; i < p->nreadonly; i++)
		readonly_path(p->readonly[i]);
	if (p->rootfs_readonly && (err = remount("/", MS_RDONLY)) != 0)
		fail(err, "remount / read-only");
}
