/* The pure parts of the front end (no system calls): flags, stdin, grouping,
 * socket names, the protobuf answers. Unit-tested by tests/unit.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sha256.h"
#include "shim.h"

enum flag_kind { F_STRING, F_BOOL };

struct flag_def {
	const char *name;
	enum flag_kind kind;
	size_t offset;
};

#define S(name, field) {name, F_STRING, offsetof(struct shim_args, field)}
#define B(name, field) {name, F_BOOL, offsetof(struct shim_args, field)}

static const struct flag_def FLAGS[] = {
	S("namespace", namespace),
	S("address", address),
	S("publish-binary", publish_binary),
	S("id", id),
	S("bundle", bundle),
	/* Go shims' own flags: accepted so that a hand-run command line behaves; unused */
	{"socket", F_STRING, (size_t)-1},
	{"debug-socket", F_STRING, (size_t)-1},
	B("debug", debug),
	B("v", version),
	B("version", version),
	B("info", info),
};

int parse_args(int argc, char **argv, struct shim_args *a, char *err, size_t errlen)
{
	int i = 1;
	for (; i < argc; i++) {
		const char *arg = argv[i];
		if (arg[0] != '-' || arg[1] == 0)
			break; /* first non-flag: the action */
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		const char *name = arg + 1;
		if (*name == '-')
			name++;
		if (*name == 0 || *name == '-' || *name == '=') {
			snprintf(err, errlen, "bad flag syntax: %s", arg);
			return -1;
		}
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		const struct flag_def *def = NULL;
		for (size_t k = 0; k < sizeof(FLAGS) / sizeof(FLAGS[0]); k++) {
			if (strlen(FLAGS[k].name) == nlen && strncmp(FLAGS[k].name, name, nlen) == 0) {
				def = &FLAGS[k];
				break;
			}
		}
		if (!def) {
			snprintf(err, errlen, "flag provided but not defined: -%.*s", (int)nlen, name);
			return -1;
		}
		if (def->kind == F_BOOL) {
			bool v = true;
			if (eq) {
				const char *s = eq + 1;
				if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "t") || !strcmp(s, "T") ||
				    !strcmp(s, "TRUE") || !strcmp(s, "True"))
					v = true;
				else if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "f") || !strcmp(s, "F") ||
				         !strcmp(s, "FALSE") || !strcmp(s, "False"))
					v = false;
				else {
					snprintf(err, errlen, "invalid boolean value \"%s\" for -%.*s", s, (int)nlen, name);
					return -1;
				}
			}
			*(bool *)((char *)a + def->offset) = v;
			continue;
		}
		const char *value;
		if (eq) {
			value = eq + 1;
		} else {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "flag needs an argument: -%s", name);
				return -1;
			}
			value = argv[++i];
		}
		if (def->offset != (size_t)-1)
			*(const char **)((char *)a + def->offset) = value;
	}
	a->action = i < argc ? argv[i] : NULL;
	return 0;
}

static char *dup_field(const struct pb_field *f)
{
	return f->wire_type == PB_LEN ? pb_strdup(f) : NULL;
}

static bool type_is(const char *type_url, const char *name)
{
	const char *slash = strrchr(type_url, '/');
	return strcmp(slash ? slash + 1 : type_url, name) == 0;
}

/* The runtime-options Any: ConfigPath of runtimeoptions.v1.Options, ShimCgroup of runc's Options. */
static void parse_options_any(const uint8_t *p, size_t n, struct start_input *in)
{
	const uint8_t *cur = p, *end = p + n;
	struct pb_field f;
	char *type = NULL;
	const uint8_t *value = NULL;
	size_t value_len = 0;
	while (pb_next(&cur, end, &f) == 1) {
		if (f.num == 1 && f.wire_type == PB_LEN) {
			free(type);
			type = pb_strdup(&f);
		} else if (f.num == 2 && f.wire_type == PB_LEN) {
			value = f.data;
			value_len = f.len;
		}
	}
	if (!type)
		return;
	/* ConfigPath; runc's ShimCgroup; the same in runctypes CreateOptions (ctr, for a runtime not runc) */
	uint32_t want = type_is(type, "runtimeoptions.v1.Options")             ? 2
	                : type_is(type, "containerd.runc.v1.Options")           ? 3
	                : type_is(type, "containerd.linux.runc.CreateOptions") ? 9
	                                                                        : 0;
	char **slot = want == 2 ? &in->config_path : &in->shim_cgroup;
	free(type);
	if (!want || !value || !pb_valid(value, value_len))
		return;
	cur = value;
	end = value + value_len;
	while (pb_next(&cur, end, &f) == 1) {
		if (f.num == want && f.wire_type == PB_LEN) {
			free(*slot);
			*slot = pb_strdup(&f);
		}
	}
}

int parse_start_input(const uint8_t *p, size_t n, const char *id, const char *ns, struct start_input *out)
{
	memset(out, 0, sizeof(*out));
	if (n == 0 || !pb_valid(p, n))
		return 0; /* empty, or not protobuf at all: legacy (no usable options) */
	const uint8_t *cur = p, *end = p + n;
	struct pb_field f;
	char *f1 = NULL, *f2 = NULL;
	struct start_input in = {0};
	while (pb_next(&cur, end, &f) == 1) {
		char **slot = NULL;
		switch (f.num) {
		case 1: slot = &f1; break;
		case 2: slot = &f2; break;
		case 5: slot = &in.ttrpc_address; break;
		case 6: slot = &in.grpc_address; break;
		case 9: slot = &in.socket_dir; break;
		case 8:
			/* Extension{google.protobuf.Any value = 1} */
			if (f.wire_type == PB_LEN) {
				const uint8_t *ec = f.data, *ee = f.data + f.len;
				struct pb_field x;
				while (pb_next(&ec, ee, &x) == 1)
					if (x.num == 1 && x.wire_type == PB_LEN)
						parse_options_any(x.data, x.len, &in);
			}
			break;
		default: break;
		}
		if (slot) {
			free(*slot);
			*slot = dup_field(&f);
		}
	}
	bool bootstrap = f1 && f2 && id && ns && strcmp(f1, id) == 0 && strcmp(f2, ns) == 0;
	free(f1);
	free(f2);
	if (!bootstrap) {
		free(in.ttrpc_address);
		free(in.grpc_address);
		free(in.socket_dir);
		free(in.config_path);
		free(in.shim_cgroup);
		parse_options_any(p, n, out); /* legacy: stdin is the options Any */
		return 0;
	}
	in.bootstrap = true;
	*out = in;
	return 0;
}

int parse_group_mode(const char *s, enum group_mode *out)
{
	if (!s || !*s || !strcmp(s, "auto"))
		*out = GROUP_AUTO;
	else if (!strcmp(s, "namespace"))
		*out = GROUP_NAMESPACE;
	else if (!strcmp(s, "pod"))
		*out = GROUP_POD;
	else if (!strcmp(s, "container"))
		*out = GROUP_CONTAINER;
	else
		return -1;
	return 0;
}

static char *concat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);
	if (!s) {
		fputs(SHIM_NAME ": out of memory\n", stderr);
		exit(1);
	}
	memcpy(s, a, la);
	memcpy(s + la, b, lb + 1);
	return s;
}

char *group_key(enum group_mode mode, const char *config, size_t config_len, const char *id)
{
	if (mode == GROUP_CONTAINER)
		return concat("ctr-", id);
	char *v = config ? json_annotation(config, config_len, "io.containerd.jshim.v2.group") : NULL;
	if (v && *v) {
		char *k = concat("group-", v);
		free(v);
		return k;
	}
	free(v);
	/*
	 * Pods are grouped apart only when asked ("pod", runc's rule): a JVM daemon per pod costs
	 * ~50 MB and a cold start on every RunPodSandbox (bench/bench.sh measured 5x runc's pod start
	 * and 12x its shim memory), while one daemon per namespace starts pods at 0.3x runc's time.
	 */
	if (mode == GROUP_POD) {
		v = config ? json_annotation(config, config_len, "io.kubernetes.cri.sandbox-id") : NULL;
		if (v && *v) {
			char *k = concat("pod-", v);
			free(v);
			return k;
		}
		free(v);
	}
	if (mode == GROUP_POD)
		return concat("ctr-", id);
	return concat("ns", "");
}

void group_hash(const char *address, const char *ns, const char *key, char hex[65])
{
	struct buf b = {0};
	buf_put(&b, address, strlen(address));
	buf_put(&b, "/", 1);
	buf_put(&b, ns, strlen(ns));
	buf_put(&b, "/jshim/", 7);
	buf_put(&b, key, strlen(key));
	sha256_hex(b.p, b.len, hex);
	buf_free(&b);
}

void encode_delete_response(struct buf *b, uint32_t pid, uint32_t exit_status, int64_t sec, int32_t nsec)
{
	if (pid)
		pb_put_uint(b, 1, pid);
	if (exit_status)
		pb_put_uint(b, 2, exit_status);
	struct buf ts = {0};
	if (sec)
		pb_put_uint(&ts, 1, (uint64_t)sec);
	if (nsec)
		pb_put_uint(&ts, 2, (uint64_t)(uint32_t)nsec);
	pb_put_bytes(b, 3, ts.p, ts.len);
	buf_free(&ts);
}

void encode_runtime_info(struct buf *b)
{
	encode_runtime_info_full(b, NULL, 0, NULL, 0);
}

void encode_runtime_info_full(struct buf *b, const uint8_t *options_any, size_t options_len,
                              const char *features_json, size_t features_len)
{
	pb_put_string(b, 1, RUNTIME_NAME);
	struct buf v = {0};
	pb_put_string(&v, 1, JSHIM_VERSION);
	pb_put_bytes(b, 2, v.p, v.len);
	buf_free(&v);
	if (options_any && options_len)
		pb_put_bytes(b, 3, options_any, options_len);
	if (features_json) {
		struct buf any = {0};
		pb_put_string(&any, 1, FEATURES_TYPE_URL);
		pb_put_bytes(&any, 2, features_json, features_len);
		pb_put_bytes(b, 4, any.p, any.len);
		buf_free(&any);
	}
}
