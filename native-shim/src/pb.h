#ifndef JSHIM_PB_H
#define JSHIM_PB_H

/* The little protobuf the front end speaks: containerd's BootstrapParams and
 * runtime-options Any on stdin, ttrpc Request/Response frames, DeleteResponse
 * and RuntimeInfo on stdout. Wire format: https://protobuf.dev/programming-guides/encoding/ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

/* A growable output buffer; on allocation failure the process exits (the
 * front end has nothing sensible to do without memory). */
struct buf {
	uint8_t *p;
	size_t len, cap;
};

void buf_put(struct buf *b, const void *data, size_t n);
void buf_free(struct buf *b);

void pb_put_varint(struct buf *b, uint64_t v);
void pb_put_tag(struct buf *b, uint32_t field, int wire_type);
void pb_put_uint(struct buf *b, uint32_t field, uint64_t v);
void pb_put_bytes(struct buf *b, uint32_t field, const void *data, size_t n);
void pb_put_string(struct buf *b, uint32_t field, const char *s);

struct pb_field {
	uint32_t num;
	int wire_type;
	uint64_t varint;      /* PB_VARINT, PB_I64, PB_I32 */
	const uint8_t *data;  /* PB_LEN */
	size_t len;           /* PB_LEN */
};

/* Reads the next field at *cur (advancing it). Returns 1 for a field, 0 at
 * end, -1 for malformed input (bad varint, truncated, wire types 3/4/6/7). */
int pb_next(const uint8_t **cur, const uint8_t *end, struct pb_field *f);

/* True when the whole of [p, p+n) parses as a sequence of fields. */
bool pb_valid(const uint8_t *p, size_t n);

/* A malloc'ed NUL-terminated copy of a PB_LEN field (NULL if it holds a NUL). */
char *pb_strdup(const struct pb_field *f);

#endif
