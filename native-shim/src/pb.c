#include "pb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_put(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			fputs("containerd-shim-jshim-v2: out of memory\n", stderr);
			exit(1);
		}
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void pb_put_varint(struct buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		uint8_t byte = v & 0x7f;
		v >>= 7;
		tmp[n++] = byte | (v ? 0x80 : 0);
	} while (v);
	buf_put(b, tmp, n);
}

void pb_put_tag(struct buf *b, uint32_t field, int wire_type)
{
	pb_put_varint(b, ((uint64_t)field << 3) | (uint64_t)wire_type);
}

void pb_put_uint(struct buf *b, uint32_t field, uint64_t v)
{
	pb_put_tag(b, field, PB_VARINT);
	pb_put_varint(b, v);
}

void pb_put_bytes(struct buf *b, uint32_t field, const void *data, size_t n)
{
	pb_put_tag(b, field, PB_LEN);
	pb_put_varint(b, n);
	buf_put(b, data, n);
}

void pb_put_string(struct buf *b, uint32_t field, const char *s)
{
	pb_put_bytes(b, field, s, strlen(s));
}

static int get_varint(const uint8_t **cur, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (*cur >= end)
			return -1;
		uint8_t byte = *(*cur)++;
		if (shift == 63 && byte > 1)
			return -1;
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

int pb_next(const uint8_t **cur, const uint8_t *end, struct pb_field *f)
{
	if (*cur >= end)
		return 0;
	uint64_t key;
	if (get_varint(cur, end, &key) < 0)
		return -1;
	if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff)
		return -1;
	memset(f, 0, sizeof(*f));
	f->num = (uint32_t)(key >> 3);
	f->wire_type = (int)(key & 7);
	switch (f->wire_type) {
	case PB_VARINT:
		return get_varint(cur, end, &f->varint) < 0 ? -1 : 1;
	case PB_I64:
		if (end - *cur < 8)
			return -1;
		memcpy(&f->varint, *cur, 8);
		*cur += 8;
		return 1;
	case PB_I32: {
		uint32_t v;
		if (end - *cur < 4)
			return -1;
		memcpy(&v, *cur, 4);
		f->varint = v;
		*cur += 4;
		return 1;
	}
	case PB_LEN: {
		uint64_t n;
		if (get_varint(cur, end, &n) < 0 || n > (uint64_t)(end - *cur))
			return -1;
		f->data = *cur;
		f->len = (size_t)n;
		*cur += n;
		return 1;
	}
	default:
		return -1;
	}
}

bool pb_valid(const uint8_t *p, size_t n)
{
	const uint8_t *cur = p, *end = p + n;
	struct pb_field f;
	int rc;
	while ((rc = pb_next(&cur, end, &f)) == 1)
		;
	return rc == 0;
}

char *pb_strdup(const struct pb_field *f)
{
	if (f->wire_type != PB_LEN || memchr(f->data, 0, f->len))
		return NULL;
	char *s = malloc(f->len + 1);
	if (!s) {
		fputs("containerd-shim-jshim-v2: out of memory\n", stderr);
		exit(1);
	}
	memcpy(s, f->data, f->len);
	s[f->len] = 0;
	return s;
}
