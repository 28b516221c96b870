/* Unit tests of the front end's pure parts: make test (no root needed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "pb.h"
#include "sha256.h"
#include "shim.h"

static int failures;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                   \
		}                                                                     \
	} while (0)

static void check_str(const char *got, const char *want, int line)
{
	if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0)) {
		fprintf(stderr, "%s:%d: FAILED: got \"%s\", want \"%s\"\n", __FILE__, line, got ? got : "(null)",
		        want ? want : "(null)");
		failures++;
	}
}
#define CHECK_STR(got, want) check_str(got, want, __LINE__)

static void check_bytes(const struct buf *b, const uint8_t *want, size_t n, int line)
{
	if (b->len != n || memcmp(b->p, want, n) != 0) {
		fprintf(stderr, "%s:%d: FAILED: bytes differ (got %zu:", __FILE__, line, b->len);
		for (size_t i = 0; i < b->len; i++)
			fprintf(stderr, " %02x", b->p[i]);
		fprintf(stderr, ")\n");
		failures++;
	}
}
#define CHECK_BYTES(b, ...)                                                       \
	do {                                                                      \
		const uint8_t w_[] = {__VA_ARGS__};                               \
		check_bytes(b, w_, sizeof(w_), __LINE__);                         \
	} while (0)

static void test_sha256(void)
{
	char hex[65];
	sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes: two tail blocks */
	sha256_hex(two, strlen(two), hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char big[1000];
	memset(big, 'a', sizeof(big));
	sha256_hex(big, sizeof(big), hex);
	CHECK_STR(hex, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

static void test_pb(void)
{
	struct buf b = {0};
	pb_put_uint(&b, 1, 300);
	pb_put_string(&b, 2, "hi");
	CHECK_BYTES(&b, 0x08, 0xac, 0x02, 0x12, 0x02, 'h', 'i');
	const uint8_t *cur = b.p, *end = b.p + b.len;
	struct pb_field f;
	CHECK(pb_next(&cur, end, &f) == 1 && f.num == 1 && f.varint == 300);
	CHECK(pb_next(&cur, end, &f) == 1 && f.num == 2 && f.len == 2);
	CHECK(pb_next(&cur, end, &f) == 0);
	CHECK(pb_valid(b.p, b.len));
	buf_free(&b);
	/* "unix://..." is not protobuf: 'u' = field 14 fixed32, then '/' has wire type 7 */
	CHECK(!pb_valid((const uint8_t *)"unix:///run/containerd/s/ab", 27));
	CHECK(!pb_valid((const uint8_t *)"\x0a\x05hi", 4)); /* truncated */
}

static void test_json(void)
{
	const char *cfg = "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\",\"-c\",\"x\\\"}\"],\"env\":[]},"
	                  "\"annotations\":{\"a\":\"1\",\"io.kubernetes.cri.sandbox-id\":\"pod\\u00e9x\","
	                  "\"n\":{\"x\":[1,2,{}]}}}";
	char *v = json_annotation(cfg, strlen(cfg), "io.kubernetes.cri.sandbox-id");
	CHECK_STR(v, "pod\xc3\xa9x");
	free(v);
	v = json_annotation(cfg, strlen(cfg), "a");
	CHECK_STR(v, "1");
	free(v);
	CHECK(json_annotation(cfg, strlen(cfg), "n") == NULL);       /* not a string */
	CHECK(json_annotation(cfg, strlen(cfg), "missing") == NULL);
	const char *none = "{\"process\":{\"annotations\":{\"a\":\"nested, not top level\"}}}";
	CHECK(json_annotation(none, strlen(none), "a") == NULL);
	CHECK(json_annotation("[1]", 3, "a") == NULL);
	CHECK(json_annotation("{\"annotations\":{\"a\":\"x", 21, "a") == NULL);
	const char *spaced = " {\n \"annotations\" : { \"k\" : \"v\" } }\n";
	v = json_annotation(spaced, strlen(spaced), "k");
	CHECK_STR(v, "v");
	free(v);
}

static void test_args(void)
{
	char err[256];
	{
		char *argv[] = {"shim", "-namespace", "ns1", "--address=/run/c.sock", "-publish-binary", "/bin/ctrd",
		                "-id", "c1", "-debug", "start", NULL};
		struct shim_args a = {0};
		CHECK(parse_args(10, argv, &a, err, sizeof(err)) == 0);
		CHECK_STR(a.namespace, "ns1");
		CHECK_STR(a.address, "/run/c.sock");
		CHECK_STR(a.publish_binary, "/bin/ctrd");
		CHECK_STR(a.id, "c1");
		CHECK(a.debug);
		CHECK_STR(a.action, "start");
	}
	{
		char *argv[] = {"shim", "--debug=false", "-bundle", "/b", "delete", NULL};
		struct shim_args a = {0};
		CHECK(parse_args(5, argv, &a, err, sizeof(err)) == 0);
		CHECK(!a.debug);
		CHECK_STR(a.bundle, "/b");
		CHECK_STR(a.action, "delete");
	}
	{
		char *argv[] = {"shim", "-v", NULL};
		struct shim_args a = {0};
		CHECK(parse_args(2, argv, &a, err, sizeof(err)) == 0 && a.version && a.action == NULL);
	}
	{
		char *argv[] = {"shim", "-bogus", "x", NULL};
		struct shim_args a = {0};
		CHECK(parse_args(3, argv, &a, err, sizeof(err)) == -1);
		CHECK(strstr(err, "-bogus") != NULL);
	}
	{
		char *argv[] = {"shim", "-id", NULL};
		struct shim_args a = {0};
		CHECK(parse_args(2, argv, &a, err, sizeof(err)) == -1);
	}
}

static void test_start_input(void)
{
	struct start_input si;
	CHECK(parse_start_input(NULL, 0, "c1", "ns", &si) == 0 && !si.bootstrap);
	/* legacy Any{type_url = "runtimeoptions.v1.Options", value = ...} */
	struct buf any = {0};
	pb_put_string(&any, 1, "runtimeoptions.v1.Options");
	pb_put_bytes(&any, 2, "\x12\x03/x", 4);
	CHECK(parse_start_input(any.p, any.len, "c1", "ns", &si) == 0 && !si.bootstrap);
	buf_free(&any);
	/* BootstrapParams: id, namespace, log level -4 (10-byte varint), ttrpc, grpc, socket_dir */
	struct buf bp = {0};
	pb_put_string(&bp, 1, "c1");
	pb_put_string(&bp, 2, "ns");
	pb_put_uint(&bp, 3, (uint64_t)(int64_t)-4);
	pb_put_string(&bp, 5, "/run/c.sock.ttrpc");
	pb_put_string(&bp, 6, "/run/c.sock");
	pb_put_string(&bp, 9, "/run/cs");
	CHECK(parse_start_input(bp.p, bp.len, "c1", "ns", &si) == 0 && si.bootstrap);
	CHECK_STR(si.ttrpc_address, "/run/c.sock.ttrpc");
	CHECK_STR(si.grpc_address, "/run/c.sock");
	CHECK_STR(si.socket_dir, "/run/cs");
	/* the same bytes for another id are not bootstrap params */
	CHECK(parse_start_input(bp.p, bp.len, "c2", "ns", &si) == 0 && !si.bootstrap && !si.socket_dir);
	buf_free(&bp);
}

static void test_start_options(void)
{
	struct start_input si;
	/* legacy: stdin is Any{runtimeoptions.v1.Options{type_url = 1, config_path = 2}} */
	struct buf opts = {0}, any = {0};
	pb_put_string(&opts, 1, "io.jshim.v1.Options");
	pb_put_string(&opts, 2, "/etc/jshim/a.toml");
	pb_put_string(&any, 1, "runtimeoptions.v1.Options");
	pb_put_bytes(&any, 2, opts.p, opts.len);
	CHECK(parse_start_input(any.p, any.len, "c1", "ns", &si) == 0 && !si.bootstrap);
	CHECK_STR(si.config_path, "/etc/jshim/a.toml");
	CHECK(si.shim_cgroup == NULL);
	/* 2.3+: the same Any as a BootstrapParams extension (field 8, Extension{value = 1}) */
	struct buf bp = {0}, ext = {0};
	pb_put_string(&bp, 1, "c1");
	pb_put_string(&bp, 2, "ns");
	pb_put_bytes(&ext, 1, any.p, any.len);
	pb_put_bytes(&bp, 8, ext.p, ext.len);
	CHECK(parse_start_input(bp.p, bp.len, "c1", "ns", &si) == 0 && si.bootstrap);
	CHECK_STR(si.config_path, "/etc/jshim/a.toml");
	buf_free(&opts);
	buf_free(&any);
	buf_free(&bp);
	buf_free(&ext);
	/* runc Options{no_pivot_root = 1, shim_cgroup = 3} under its 2.x type URL */
	pb_put_uint(&opts, 1, 1);
	pb_put_string(&opts, 3, "/shims");
	pb_put_string(&any, 1, "type.googleapis.com/containerd.runc.v1.Options");
	pb_put_bytes(&any, 2, opts.p, opts.len);
	CHECK(parse_start_input(any.p, any.len, "c1", "ns", &si) == 0);
	CHECK_STR(si.shim_cgroup, "/shims");
	CHECK(si.config_path == NULL);
	buf_free(&opts);
	buf_free(&any);
}

static void test_config(void)
{
	char err[512];
	struct shim_config c;
	const char *text = "# jshim\n"
	                   "[shim]\n"
	                   "group = \"namespace\"   # one daemon per namespace\n"
	                   "idle_timeout = \"30s\"\n"
	                   "state_root = '/run/j'\n"
	                   "  socket_dir=\"/run/s\"\r\n"
	                   "log_level = \"debug\"\n"
	                   "\n"
	                   "[metrics]\n"
	                   "socket = \"/run/m.sock\"\n"
	                   "group = \"ignored: not [shim]\"\n";
	CHECK(shim_config_parse(text, strlen(text), "/f.toml", &c, err, sizeof(err)) == 0);
	CHECK_STR(c.group, "namespace");
	CHECK_STR(c.state_root, "/run/j");
	CHECK_STR(c.socket_dir, "/run/s");
	shim_config_free(&c);
	CHECK(shim_config_parse("", 0, "/f.toml", &c, err, sizeof(err)) == 0 && c.group == NULL);
	const char *bad_group = "[shim]\ngroup = \"everything\"\n";
	CHECK(shim_config_parse(bad_group, strlen(bad_group), "/f.toml", &c, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/f.toml:2: [shim] group:") == err);
	const char *relative = "[shim]\nstate_root = \"run/j\"\n";
	CHECK(shim_config_parse(relative, strlen(relative), "/f.toml", &c, err, sizeof(err)) == -1);
	CHECK(strstr(err, "state_root") != NULL && strstr(err, "absolute") != NULL);
	const char *unterminated = "[shim]\ngroup = \"pod\n";
	CHECK(shim_config_parse(unterminated, strlen(unterminated), "/f.toml", &c, err, sizeof(err)) == -1);
	const char *no_eq = "[shim]\ngroup \"pod\"\n";
	CHECK(shim_config_parse(no_eq, strlen(no_eq), "/f.toml", &c, err, sizeof(err)) == -1);
	CHECK(strstr(err, "group") != NULL);
	const char *trailing = "[shim]\ngroup = \"pod\" x\n";
	CHECK(shim_config_parse(trailing, strlen(trailing), "/f.toml", &c, err, sizeof(err)) == -1);
	const char *array_table = "[[shim]]\ngroup = \"nope\"\n";
	CHECK(shim_config_parse(array_table, strlen(array_table), "/f.toml", &c, err, sizeof(err)) == 0);
}

static void test_group(void)
{
	const char *pod = "{\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"sb1\"}}";
	const char *grp = "{\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"sb1\","
	                  "\"io.containerd.jshim.v2.group\":\"g\"}}";
	const char *plain = "{\"annotations\":{}}";
	CHECK_STR(group_key(GROUP_AUTO, pod, strlen(pod), "c1"), "ns");
	CHECK_STR(group_key(GROUP_AUTO, plain, strlen(plain), "c1"), "ns");
	CHECK_STR(group_key(GROUP_AUTO, NULL, 0, "c1"), "ns");
	CHECK_STR(group_key(GROUP_AUTO, grp, strlen(grp), "c1"), "group-g");
	CHECK_STR(group_key(GROUP_NAMESPACE, pod, strlen(pod), "c1"), "ns");
	CHECK_STR(group_key(GROUP_POD, pod, strlen(pod), "c1"), "pod-sb1");
	CHECK_STR(group_key(GROUP_POD, plain, strlen(plain), "c1"), "ctr-c1");
	CHECK_STR(group_key(GROUP_CONTAINER, grp, strlen(grp), "c1"), "ctr-c1");
	enum group_mode m;
	CHECK(parse_group_mode(NULL, &m) == 0 && m == GROUP_AUTO);
	CHECK(parse_group_mode("pod", &m) == 0 && m == GROUP_POD);
	CHECK(parse_group_mode("nope", &m) == -1);
	char h1[65], h2[65], want[65];
	group_hash("/run/containerd/containerd.sock", "default", "ns", h1);
	sha256_hex("/run/containerd/containerd.sock/default/jshim/ns", 48, want);
	CHECK_STR(h1, want);
	group_hash("/other.sock", "default", "ns", h2);
	CHECK(strcmp(h1, h2) != 0);
}

static void test_encoding(void)
{
	/* shim-v2-protocol.md §1.6: exit 137, exited_at 1700000000 s + 5 ns, pid 0 omitted */
	struct buf b = {0};
	encode_delete_response(&b, 0, 137, 1700000000, 5);
	CHECK_BYTES(&b, 0x10, 0x89, 0x01, 0x1a, 0x08, 0x08, 0x80, 0xe2, 0xcf, 0xaa, 0x06, 0x10, 0x05);
	buf_free(&b);
	encode_delete_response(&b, 42, 137, 1700000000, 5);
	CHECK(b.len == 15 && b.p[0] == 0x08 && b.p[1] == 42);
	CHECK(b.p[b.len - 1] != '\n');
	buf_free(&b);
	encode_runtime_info(&b);
	CHECK(b.len > 24 && memcmp(b.p, "\x0a\x16io.containerd.jshim.v2", 24) == 0);
	CHECK(pb_valid(b.p, b.len));
	buf_free(&b);
	/* with options (field 3, the Any as given) and features (field 4, Any{type_url, JSON}) */
	const uint8_t opts[] = {0x0a, 0x01, 'x'};
	encode_runtime_info_full(&b, opts, sizeof(opts), "{}", 2);
	const uint8_t *cur = b.p, *end = b.p + b.len;
	struct pb_field f;
	int seen = 0;
	while (pb_next(&cur, end, &f) == 1) {
		if (f.num == 3)
			seen |= (f.len == 3 && memcmp(f.data, opts, 3) == 0) ? 1 : 0;
		if (f.num == 4) {
			const uint8_t *c2 = f.data, *e2 = f.data + f.len;
			struct pb_field g;
			while (pb_next(&c2, e2, &g) == 1) {
				if (g.num == 1 && g.len == strlen(FEATURES_TYPE_URL) &&
				    memcmp(g.data, FEATURES_TYPE_URL, g.len) == 0)
					seen |= 2;
				if (g.num == 2 && g.len == 2 && memcmp(g.data, "{}", 2) == 0)
					seen |= 4;
			}
		}
	}
	CHECK(seen == 7);
	buf_free(&b);
}

int main(void)
{
	test_sha256();
	test_pb();
	test_json();
	test_args();
	test_start_input();
	test_start_options();
	test_config();
	test_group();
	test_encoding();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	puts("native-shim unit tests: ok");
	return 0;
}
