#include "ttrpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MSG_REQUEST 1
#define MSG_RESPONSE 2
#define MAX_FRAME (4u << 20)

int unix_connect(const char *path)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		}
		if (r == 0)
			return -ECONNRESET;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int ttrpc_call(const char *socket_path, const char *service, const char *method, const uint8_t *req,
               size_t req_len, int timeout_ms, int *code, char *msg, size_t msg_cap, struct buf *resp)
{
	int fd = unix_connect(socket_path);
	if (fd < 0)
		return fd;
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

	struct buf body = {0};
	pb_put_string(&body, 1, service);
	pb_put_string(&body, 2, method);
	pb_put_bytes(&body, 3, req, req_len);
	pb_put_uint(&body, 4, (uint64_t)timeout_ms * 1000000ull);
	uint8_t hdr[10];
	be32(hdr, (uint32_t)body.len);
	be32(hdr + 4, 1);
	hdr[8] = MSG_REQUEST;
	hdr[9] = 0;
	int rc = write_all(fd, hdr, sizeof(hdr));
	if (rc == 0)
		rc = write_all(fd, body.p, body.len);
	buf_free(&body);
	uint8_t *data = NULL;
	for (; rc == 0;) {
		rc = read_all(fd, hdr, sizeof(hdr));
		if (rc < 0)
			break;
		uint32_t len = get_be32(hdr);
		if (len > MAX_FRAME) {
			rc = -EPROTO;
			break;
		}
		data = malloc(len ? len : 1);
		if (!data) {
			rc = -ENOMEM;
			break;
		}
		rc = read_all(fd, data, len);
		if (rc < 0)
			break;
		if (get_be32(hdr + 4) != 1 || hdr[8] != MSG_RESPONSE) {
			free(data);
			data = NULL;
			continue; /* not ours: ignore, as Go's client ignores unknown frames */
		}
		*code = 0;
		if (msg_cap)
			msg[0] = 0;
		const uint8_t *cur = data, *end = data + len;
		struct pb_field f;
		int n;
		while ((n = pb_next(&cur, end, &f)) == 1) {
			if (f.num == 1 && f.wire_type == PB_LEN) {
				const uint8_t *sc = f.data, *se = f.data + f.len;
				struct pb_field g;
				while (pb_next(&sc, se, &g) == 1) {
					if (g.num == 1 && g.wire_type == PB_VARINT)
						*code = (int)g.varint;
					else if (g.num == 2 && g.wire_type == PB_LEN && msg_cap) {
						size_t m = g.len < msg_cap - 1 ? g.len : msg_cap - 1;
						memcpy(msg, g.data, m);
						msg[m] = 0;
					}
				}
			} else if (f.num == 2 && f.wire_type == PB_LEN) {
				buf_put(resp, f.data, f.len);
			}
		}
		if (n < 0)
			rc = -EPROTO;
		break;
	}
	free(data);
	close(fd);
	return rc;
}
