/* The front end's reading of the jshim config file: only the [shim] keys that must be
 * known before a daemon exists (group, state_root, socket_dir). The daemon
 * (io.jshim.shim.config.ShimConfig) reads and validates the whole file with a real TOML
 * parser; this is a line-based subset: [table] headers, key = "basic string" |
 * 'literal string' | bare word/number, # comments. Other tables are skipped unread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static int fail(char *err, size_t errlen, const char *file, int line, const char *msg, const char *key)
{
	if (key)
		snprintf(err, errlen, "%s:%d: [shim] %s: %s", file, line, key, msg);
	else
		snprintf(err, errlen, "%s:%d: %s", file, line, msg);
	return -1;
}

/* A basic ("...", with \" \\ \n \t escapes) or literal ('...') string, or a bare token up to
 * whitespace or '#'. *out is malloc'ed; returns the position after the value or NULL. */
static const char *parse_value(const char *p, const char *end, char **out)
{
	char *v = malloc((size_t)(end - p) + 1);
	if (!v)
		return NULL;
	size_t n = 0;
	if (p < end && (*p == '"' || *p == '\'')) {
		char q = *p++;
		for (;;) {
			if (p >= end) {
				free(v);
				return NULL; /* unterminated */
			}
			char c = *p++;
			if (c == q)
				break;
			if (q == '"' && c == '\\') {
				if (p >= end) {
					free(v);
					return NULL;
				}
				c = *p++;
				switch (c) {
				case 'n': c = '\n'; break;
				case 't': c = '\t'; break;
				case '"': case '\\': break;
				default:
					free(v);
					return NULL;
				}
			}
			v[n++] = c;
		}
	} else {
		while (p < end && *p != ' ' && *p != '\t' && *p != '#')
			v[n++] = *p++;
		if (n == 0) {
			free(v);
			return NULL;
		}
	}
	v[n] = 0;
	*out = v;
	return p;
}

int shim_config_parse(const char *text, size_t len, const char *file, struct shim_config *out, char *err,
                      size_t errlen)
{
	memset(out, 0, sizeof(*out));
	const char *p = text, *end = text + len;
	bool in_shim = false;
	int line = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		line++;
		const char *s = skip_ws(p, eol);
		const char *e = eol;
		if (e > s && e[-1] == '\r')
			e--;
		p = eol < end ? eol + 1 : end;
		if (s == e || *s == '#')
			continue;
		if (*s == '[') {
			const char *close = memchr(s, ']', (size_t)(e - s));
			if (!close)
				return fail(err, errlen, file, line, "unterminated table header", NULL);
			const char *name = skip_ws(s + 1, close);
			const char *name_end = close;
			while (name_end > name && (name_end[-1] == ' ' || name_end[-1] == '\t'))
				name_end--;
			in_shim = *(s + 1) != '[' && name_end - name == 4 && memcmp(name, "shim", 4) == 0;
			continue;
		}
		if (!in_shim)
			continue;
		const char *k = s;
		while (s < e && *s != '=' && *s != ' ' && *s != '\t')
			s++;
		size_t klen = (size_t)(s - k);
		char key[64];
		if (klen == 0 || klen >= sizeof(key))
			return fail(err, errlen, file, line, "expected key = value", NULL);
		memcpy(key, k, klen);
		key[klen] = 0;
		s = skip_ws(s, e);
		if (s >= e || *s != '=')
			return fail(err, errlen, file, line, "expected '=' after the key", key);
		s = skip_ws(s + 1, e);
		char *value = NULL;
		const char *after = parse_value(s, e, &value);
		if (!after)
			return fail(err, errlen, file, line, "expected a value (\"string\", 'string', number or boolean)",
			            key);
		after = skip_ws(after, e);
		if (after < e && *after != '#') {
			free(value);
			return fail(err, errlen, file, line, "unexpected text after the value", key);
		}
		char **slot = NULL;
		if (!strcmp(key, "group"))
			slot = &out->group;
		else if (!strcmp(key, "state_root"))
			slot = &out->state_root;
		else if (!strcmp(key, "socket_dir"))
			slot = &out->socket_dir;
		if (!slot) {
			free(value); /* a key for the daemon (it validates the whole file) */
			continue;
		}
		if (slot == &out->group) {
			enum group_mode m;
			if (parse_group_mode(value, &m) < 0) {
				free(value);
				return fail(err, errlen, file, line, "expected \"auto\", \"namespace\", \"pod\" or \"container\"",
				            key);
			}
		} else if (value[0] != '/') {
			free(value);
			return fail(err, errlen, file, line, "expected an absolute path", key);
		}
		free(*slot);
		*slot = value;
	}
	return 0;
}

void shim_config_free(struct shim_config *c)
{
	free(c->group);
	free(c->state_root);
	free(c->socket_dir);
	memset(c, 0, sizeof(*c));
}
