/*
 * wire.c - frames on the sync socket (see sync_protocol.h) and fail().
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jshim.h"

int sync_fd = -1;

#define HEADER_LEN 6 /* u16 tag, u32 length */

/* strerror() with its first letter lower-cased, as Go prints errno values. */
const char *errstr(int err)
{
	static char buf[128];
	snprintf(buf, sizeof(buf), "%s", strerror(err));
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

const char *tag_name(uint16_t tag)
{
	switch (tag) {
#define T(x) case x: return #x;
	T(PLAN_HELLO) T(PLAN_END) T(PLAN_MODE) T(PLAN_NS_CLONE) T(PLAN_NS_JOIN)
	T(PLAN_HOSTNAME) T(PLAN_DOMAINNAME) T(PLAN_ROOTFS) T(PLAN_ROOTFS_READONLY)
	T(PLAN_ROOTFS_PROPAGATION) T(PLAN_NO_PIVOT) T(PLAN_MOUNT) T(PLAN_MKDIR)
	T(PLAN_SYMLINK) T(PLAN_DEVICE) T(PLAN_MASKED_PATH) T(PLAN_READONLY_PATH)
	T(PLAN_RLIMIT) T(PLAN_USER) T(PLAN_CWD) T(PLAN_ARGS) T(PLAN_ENV)
	T(PLAN_EXEC_FIFO) T(PLAN_PRESERVE_FDS) T(PLAN_NO_NEW_KEYRING)
	T(PLAN_CONTAINER_ID) T(MSG_PID) T(MSG_GO) T(MSG_READY) T(MSG_ERROR)
	T(PLAN_TIME_OFFSETS) T(PLAN_SYSCTL) T(PLAN_PERSONALITY) T(PLAN_SCHEDULER)
	T(PLAN_IO_PRIORITY)
	T(PLAN_CAPS) T(PLAN_NO_NEW_PRIVS) T(PLAN_SECCOMP) T(PLAN_SECCOMP_RULE)
	T(MSG_SECCOMP_FD) T(MSG_SECCOMP_DONE)
	T(PLAN_HOOK) T(PLAN_HOOK_STATE) T(PLAN_RUNTIME_HOOKS) T(PLAN_CONSOLE)
	T(MSG_HOOKS) T(MSG_HOOKS_DONE)
#undef T
	}
	return "unknown";
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* One sendmsg() per frame, so that the peer never sees half a frame from a
 * process that died between two writes. MSG_NOSIGNAL: a closed peer gives
 * EPIPE, not SIGPIPE. */
int write_frame(uint16_t tag, const void *payload, uint32_t len)
{
	unsigned char hdr[HEADER_LEN];
	struct iovec iov[2] = {
		{ .iov_base = hdr, .iov_len = HEADER_LEN },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	size_t want = HEADER_LEN + (size_t)len;

	put_le(hdr, tag, 2);
	put_le(hdr + 2, len, 4);
	while (want > 0) {
		ssize_t n = sendmsg(sync_fd, &msg, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		want -= (size_t)n;
		while (n > 0 && msg.msg_iovlen > 0) { /* advance past what was sent */
			size_t step = (size_t)n < msg.msg_iov->iov_len ? (size_t)n : msg.msg_iov->iov_len;
			msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + step;
			msg.msg_iov->iov_len -= step;
			n -= (ssize_t)step;
			if (msg.msg_iov->iov_len == 0) {
				msg.msg_iov++;
				msg.msg_iovlen--;
			}
		}
	}
	return 0;
}

/* Returns the number of bytes read: less than len only at end of stream. */
static size_t read_full(void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(sync_fd, (char *)buf + got, len - got);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(errno, "read sync socket");
		}
		got += (size_t)n;
	}
	return got;
}

int read_frame(uint16_t *tag, void *buf, uint32_t cap, uint32_t *len)
{
	unsigned char hdr[HEADER_LEN];
	size_t got = read_full(hdr, HEADER_LEN);

	if (got == 0)
		return -1;
	if (got < HEADER_LEN)
		fail_exact(EPROTO, "read sync socket: stream ended inside a frame header");
	*tag = (uint16_t)(hdr[0] | hdr[1] << 8);
	*len = (uint32_t)hdr[2] | (uint32_t)hdr[3] << 8 | (uint32_t)hdr[4] << 16 | (uint32_t)hdr[5] << 24;
	if (*len > JSHIM_MAX_FRAME)
		fail_exact(EMSGSIZE, "frame %s (%u): length %u exceeds the limit of %u bytes",
		           tag_name(*tag), *tag, *len, JSHIM_MAX_FRAME);
	if (*len > cap)
		fail_exact(EMSGSIZE, "frame %s (%u): length %u exceeds the %u bytes left for the plan",
		           tag_name(*tag), *tag, *len, cap);
	if (read_full(buf, *len) < *len)
		fail_exact(EPROTO, "read sync socket: stream ended inside frame %s", tag_name(*tag));
	return 0;
}

static void vfail(int err, bool with_errstr, const char *fmt, va_list ap) __attribute__((noreturn));
static void vfail(int err, bool with_errstr, const char *fmt, va_list ap)
{
	/* payload: i32 errno, then the message and its NUL */
	static unsigned char payload[4 + 4096];
	char *msg = (char *)payload + 4;
	size_t cap = sizeof(payload) - 4;
	int n = vsnprintf(msg, cap, fmt, ap);
	size_t len;

	if (n < 0)
		n = 0;
	len = (size_t)n < cap ? (size_t)n : cap - 1;
	if (with_errstr && err != 0)
		snprintf(msg + len, cap - len, ": %s", errstr(err));
	len = strlen(msg);
	put_le(payload, (uint32_t)err, 4);
	if (sync_fd < 0 || write_frame(MSG_ERROR, payload, (uint32_t)(4 + len + 1)) != 0)
		dprintf(STDERR_FILENO, "jshim-init: %s\n", msg);
	_exit(1);
}

/* Sends MSG_ERROR "<message>: <strerror(err)>" (just "<message>" when err is
 * 0) and exits 1. stderr gets the message only when the socket is unusable:
 * stderr may already be the container's. */
void fail(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(err, true, fmt, ap);
}

/* Like fail(), but the message is sent exactly as formatted. */
void fail_exact(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(err, false, fmt, ap);
}
