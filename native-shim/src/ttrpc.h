#ifndef JSHIM_TTRPC_H
#define JSHIM_TTRPC_H

#include <stddef.h>
#include <stdint.h>

#include "pb.h"

/* Connects to a unix socket path; returns the fd (close-on-exec) or -errno. */
int unix_connect(const char *path);

/*
 * One unary ttrpc call (ttrpc PROTOCOL.md; shim-v2-protocol.md §2): a Request
 * frame on stream 1, then the Response frame. Returns 0 when the server answered:
 * *code is the google.rpc.Status code (0 = OK), msg its message, resp the payload.
 * Returns -errno when no answer came (ENOENT/ECONNREFUSED: nobody listens;
 * EAGAIN: timed out; EPROTO: a malformed answer).
 */
int ttrpc_call(const char *socket_path, const char *service, const char *method, const uint8_t *req,
               size_t req_len, int timeout_ms, int *code, char *msg, size_t msg_cap, struct buf *resp);

#endif
