#include "json.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pb.h"

struct scan {
	const char *p, *end;
	int depth;
};

#define MAX_DEPTH 64

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int hex4(const char *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void utf8(struct buf *b, uint32_t cp)
{
	uint8_t o[4];
	size_t n;
	if (cp < 0x80) {
		o[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		o[0] = (uint8_t)(0xc0 | (cp >> 6));
		o[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		o[0] = (uint8_t)(0xe0 | (cp >> 12));
		o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		o[0] = (uint8_t)(0xf0 | (cp >> 18));
		o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_put(b, o, n);
}

/* Parses a string at s->p (which must be '"'); decodes it into *out when out != NULL. */
static int string(struct scan *s, struct buf *out)
{
	if (s->p >= s->end || *s->p != '"')
		return -1;
	s->p++;
	while (s->p < s->end) {
		char c = *s->p++;
		if (c == '"')
			return 0;
		if ((unsigned char)c < 0x20)
			return -1;
		if (c != '\\') {
			if (out)
				buf_put(out, &c, 1);
			continue;
		}
		if (s->p >= s->end)
			return -1;
		char e = *s->p++;
		char lit;
		switch (e) {
		case '"': lit = '"'; break;
		case '\\': lit = '\\'; break;
		case '/': lit = '/'; break;
		case 'b': lit = '\b'; break;
		case 'f': lit = '\f'; break;
		case 'n': lit = '\n'; break;
		case 'r': lit = '\r'; break;
		case 't': lit = '\t'; break;
		case 'u': {
			uint32_t cp;
			if (s->end - s->p < 4 || hex4(s->p, &cp) < 0)
				return -1;
			s->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && s->end - s->p >= 6 && s->p[0] == '\\' && s->p[1] == 'u') {
				uint32_t lo;
				if (hex4(s->p + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					s->p += 6;
				}
			}
			if (out)
				utf8(out, cp);
			continue;
		}
		default:
			return -1;
		}
		if (out)
			buf_put(out, &lit, 1);
	}
	return -1;
}

static int value(struct scan *s);

/* Skips an object (close = '}') or array (close = ']') at s->p, validating it. */
static int members(struct scan *s, char close)
{
	if (++s->depth > MAX_DEPTH)
		return -1;
	s->p++; /* the opening bracket */
	ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	while (s->p < s->end) {
		if (close == '}') {
			ws(s);
			if (string(s, NULL) < 0)
				return -1;
			ws(s);
			if (s->p >= s->end || *s->p != ':')
				return -1;
			s->p++;
		}
		if (value(s) < 0)
			return -1;
		ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == ',') {
			s->p++;
			continue;
		}
		if (*s->p == close) {
			s->p++;
			s->depth--;
			return 0;
		}
		return -1;
	}
	return -1;
}

static int value(struct scan *s)
{
	ws(s);
	if (s->p >= s->end)
		return -1;
	char c = *s->p;
	if (c == '"')
		return string(s, NULL);
	if (c == '{')
		return members(s, '}');
	if (c == '[')
		return members(s, ']');
	/* number, true, false, null: a run of their characters */
	const char *start = s->p;
	while (s->p < s->end && strchr("0123456789+-.eEtruefalsn", *s->p))
		s->p++;
	return s->p > start ? 0 : -1;
}

/* At '{': finds member "key". want_object: it must be an object, and *found is set to a scanner
 * positioned at it (the return value is then just non-NULL); else it must be a string, returned
 * decoded and malloc'ed. NULL when absent, of another type, or malformed before it. */
static char *find_in_object(struct scan *s, const char *key, bool want_object, struct scan *found)
{
	if (s->p >= s->end || *s->p != '{')
		return NULL;
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == '}')
		return NULL;
	while (s->p < s->end) {
		ws(s);
		struct buf k = {0};
		if (string(s, &k) < 0) {
			buf_free(&k);
			return NULL;
		}
		bool match = k.len == strlen(key) && memcmp(k.p, key, k.len) == 0;
		buf_free(&k);
		ws(s);
		if (s->p >= s->end || *s->p != ':')
			return NULL;
		s->p++;
		ws(s);
		if (match) {
			if (want_object) {
				if (s->p < s->end && *s->p == '{') {
					*found = *s;
					return (char *)1;
				}
				return NULL;
			}
			if (s->p < s->end && *s->p == '"') {
				struct buf v = {0};
				if (string(s, &v) < 0) {
					buf_free(&v);
					return NULL;
				}
				buf_put(&v, "", 1);
				if (memchr(v.p, 0, v.len - 1)) {
					buf_free(&v);
					return NULL;
				}
				return (char *)v.p;
			}
			return NULL;
		}
		if (value(s) < 0)
			return NULL;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		return NULL;
	}
	return NULL;
}

char *json_annotation(const char *text, size_t len, const char *key)
{
	struct scan s = {text, text + len, 0};
	struct scan ann;
	ws(&s);
	if (!find_in_object(&s, "annotations", true, &ann))
		return NULL;
	return find_in_object(&ann, key, false, NULL);
}
