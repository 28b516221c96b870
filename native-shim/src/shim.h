#ifndef JSHIM_SHIM_H
#define JSHIM_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pb.h"

#ifndef JSHIM_VERSION
#define JSHIM_VERSION "unknown"
#endif

#define SHIM_NAME "containerd-shim-jshim-v2"
#define RUNTIME_NAME "io.containerd.jshim.v2"

/* The daemon's private ttrpc service (io.jshim.shim.daemon.AdminService mirrors it). */
#define ADMIN_SERVICE "jshim.shim.v1.Admin"
/* ReserveRequest{string id = 1;} -> Empty: keeps an idle daemon from exiting
 * until containerd's Create for that id arrives (or the reservation expires). */
#define ADMIN_RESERVE "Reserve"
/* CleanupRequest{string id = 1; string bundle = 2;} -> containerd.task.v2.DeleteResponse */
#define ADMIN_CLEANUP "Cleanup"

/* Files the daemon writes into each bundle for the delete action. */
#define BUNDLE_ROOT_FILE "jshim-root" /* the engine state root used for the task */
#define BUNDLE_PID_FILE "init.pid"   /* init's host pid, no newline (runc shim does the same) */

/* containerd's command line (Go flag syntax) and environment. */
struct shim_args {
	const char *namespace;
	const char *address;        /* containerd's gRPC socket path (-address, $GRPC_ADDRESS) */
	const char *ttrpc_address;  /* $TTRPC_ADDRESS, or BootstrapParams field 5 */
	const char *publish_binary;
	const char *id;
	const char *bundle;
	const char *socket_dir;     /* BootstrapParams field 9 (containerd 2.3+) */
	bool debug;
	bool version;
	bool info;
	const char *action;
};

/* Parses argv as Go's flag package does: -x v, --x v, -x=v, --x=v; bool flags
 * take no value unless written -x=true|false; the first non-flag ends the flags
 * and is the action. Returns 0, or -1 with a message in err. */
int parse_args(int argc, char **argv, struct shim_args *a, char *err, size_t errlen);

/*
 * What containerd wrote on start's stdin: a legacy google.protobuf.Any
 * (runtime options, 1.6 to 2.2) or a containerd.runtime.bootstrap.v1.BootstrapParams
 * (2.3+), told apart as Go shims on containerd's main branch do: BootstrapParams
 * whose instance_id and namespace equal -id and -namespace (shim-v2-protocol.md §1.2).
 */
struct start_input {
	bool bootstrap;
	char *ttrpc_address;   /* field 5 */
	char *grpc_address;    /* field 6 */
	char *socket_dir;      /* field 9 */
	/* from the runtime-options Any (legacy stdin, or a BootstrapParams extension, field 8) */
	char *config_path;     /* runtimeoptions.v1.Options.config_path (2) */
	char *shim_cgroup;     /* containerd.runc.v1.Options.shim_cgroup (3) */
};

int parse_start_input(const uint8_t *p, size_t n, const char *id, const char *ns, struct start_input *out);

/* The group a task's daemon serves and the socket it listens on. */
enum group_mode { GROUP_AUTO, GROUP_NAMESPACE, GROUP_POD, GROUP_CONTAINER };

int parse_group_mode(const char *s, enum group_mode *out);

/* The group key for a task: "ns", "pod-<sandbox id>", "ctr-<id>" or
 * "group-<annotation>". config may be NULL (no config.json). malloc'ed. */
char *group_key(enum group_mode mode, const char *config, size_t config_len, const char *id);

/* hex(sha256(address "/" ns "/jshim/" key)), as runc's shim names sockets. */
void group_hash(const char *address, const char *ns, const char *key, char hex[65]);

/* DeleteResponse{pid = 1, exit_status = 2, exited_at = 3 Timestamp}. */
void encode_delete_response(struct buf *b, uint32_t pid, uint32_t exit_status, int64_t sec, int32_t nsec);

/* RuntimeInfo{name = 1, version = 2 RuntimeVersion{version = 1}, options = 3 (the runtime-options
 * Any read on stdin, echoed as runc's shim does; omitted when empty), features = 4 (an Any of the
 * runtime-spec features JSON; omitted when features_json is NULL)}. */
void encode_runtime_info(struct buf *b);
void encode_runtime_info_full(struct buf *b, const uint8_t *options_any, size_t options_len,
                              const char *features_json, size_t features_len);

#define FEATURES_TYPE_URL "types.containerd.io/opencontainers/runtime-spec/1/features/Features"

/*
 * The jshim config file (TOML; README "Configuration"): the front end reads only the [shim]
 * keys it needs before any daemon exists. Which file: the task's runtimeoptions ConfigPath,
 * else $JSHIM_CONFIG, else /etc/jshim/config.toml when it exists.
 */
#define DEFAULT_CONFIG_FILE "/etc/jshim/config.toml"

struct shim_config {
	char *group;      /* [shim] group */
	char *state_root; /* [shim] state_root */
	char *socket_dir; /* [shim] socket_dir */
};

/* Parses text (the file's bytes; file names it in errors). Returns 0, or -1 with
 * "<file>:<line>: [shim] <key>: <what>" in err. */
int shim_config_parse(const char *text, size_t len, const char *file, struct shim_config *out, char *err,
                      size_t errlen);
void shim_config_free(struct shim_config *c);

#endif
