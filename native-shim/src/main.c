/*
 * containerd-shim-jshim-v2: the front end containerd runs for runtime
 * io.containerd.jshim.v2 (shared/docs/design.md §5, shim-v2-protocol.md §1).
 *
 *   start   find the task's group daemon (a JVM serving containerd.task.v2/v3.Task
 *           over ttrpc) or launch it, reserve the task id in it, write the
 *           bundle's "address" file and print "unix://<socket>": only that, and
 *           nothing on stderr. A JVM costs ~50 ms before main() and far more
 *           until it serves, so this part is C and the JVM runs only in the
 *           daemon, once per group.
 *   delete  print a DeleteResponse (exit status 137, as runc's shim) after the
 *           task is cleaned up: through the daemon when it is up, else here
 *           (unmount rootfs) plus a short-lived JVM when the engine still holds
 *           state for the task (processes, cgroups). Idempotent.
 *   -v      version.   -info  a containerd.types.RuntimeInfo on stdout.
 *
 * Grouping ($JSHIM_SHIM_GROUP or [shim] group): auto (default) = the
 * io.containerd.jshim.v2.group annotation, else one daemon per containerd namespace
 * (pods included: a pod's tasks always share their daemon); namespace (the same);
 * pod (the annotation, else io.kubernetes.cri.sandbox-id, else the container: runc's
 * rule, a daemon per pod); container. The socket is <socket dir>/hex(sha256(<address>/<ns>/jshim/<key>)),
 * the socket dir /run/containerd/s (containerd 2.3+: BootstrapParams.socket_dir).
 * Per group, <state root>/.daemons/<hash>/ holds the lock that serialises
 * start against the daemon's idle exit, and the daemon's log.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"
#include "ttrpc.h"

#define DEFAULT_STATE_ROOT "/run/containerd/jshim"
#define DEFAULT_SOCKET_DIR "/run/containerd/s"
#define SOCKET_PATH_MAX 106 /* containerd's socketPathLimit */
#define MAX_STDIN (4u << 20)

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(SHIM_NAME ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	return s;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Reads a whole file (at most max bytes); NULL if it cannot be read. */
static char *read_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct buf b = {0};
	char tmp[8192];
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		buf_put(&b, tmp, (size_t)r);
		if (b.len > max)
			break;
	}
	close(fd);
	buf_put(&b, "", 1);
	if (len)
		*len = b.len - 1;
	return (char *)b.p;
}

static int write_fully(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			if (mkdir(tmp, mode) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* containerd's WriteAddress: .address, then rename to address; no trailing newline
 * (1.6/1.7 use the bytes verbatim to reconnect after a restart). */
static void write_address(const char *address)
{
	int fd = open(".address", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_fully(fd, address, strlen(address)) < 0 || close(fd) < 0)
		die("write address file: %s", strerror(errno));
	if (rename(".address", "address") < 0)
		die("rename address file: %s", strerror(errno));
}

/* ---- Java ------------------------------------------------------------------ */

/* <prefix> such that this binary is <prefix>/bin/containerd-shim-jshim-v2. */
static char *install_prefix(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		die("readlink /proc/self/exe: %s", strerror(errno));
	self[n] = 0;
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = 0; /* <prefix>/bin */
	slash = strrchr(self, '/');
	if (slash && slash != self)
		*slash = 0;
	else
		strcpy(self, "/");
	return strdup(self);
}

/* A JDK 25+: the release file says so (no `java -version`, which costs ~50 ms). */
static bool java_ok(const char *home)
{
	char *java = xasprintf("%s/bin/java", home);
	bool exe = access(java, X_OK) == 0;
	free(java);
	if (!exe)
		return false;
	char *rel = xasprintf("%s/release", home);
	char *text = read_file(rel, 65536, NULL);
	free(rel);
	if (!text)
		return false;
	bool ok = false;
	char *v = strstr(text, "\nJAVA_VERSION=\"");
	if (!v && strncmp(text, "JAVA_VERSION=\"", 14) == 0)
		v = text - 1;
	if (v)
		ok = atoi(v + 15) >= 25;
	free(text);
	return ok;
}

static char *find_java_home(void)
{
	const char *cands[] = {getenv("JSHIM_JAVA_HOME"), getenv("JAVA_HOME")};
	for (size_t i = 0; i < 2; i++)
		if (cands[i] && *cands[i] && java_ok(cands[i]))
			return strdup(cands[i]);
	glob_t g;
	char *found = NULL;
	if (glob("/usr/lib/jvm/temurin-25*", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && !found; i++)
			if (java_ok(g.gl_pathv[i]))
				found = strdup(g.gl_pathv[i]);
		globfree(&g);
	}
	if (!found)
		die("Java 25 or newer not found: set JSHIM_JAVA_HOME to a JDK 25 (tried $JSHIM_JAVA_HOME, "
		    "$JAVA_HOME, /usr/lib/jvm/temurin-25*)");
	return found;
}

struct argv_builder {
	char **v;
	size_t n, cap;
};

static void arg(struct argv_builder *b, char *s)
{
	if (b->n + 2 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		b->v = realloc(b->v, b->cap * sizeof(char *));
		if (!b->v)
			die("out of memory");
	}
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
}

/* Splits $JSHIM_SHIM_JVM_OPTS on spaces into extra JVM options. */
/* All of stdin (what containerd writes there is small: options or BootstrapParams). */
static struct buf read_stdin(const char *action)
{
	struct buf in = {0};
	char tmp[8192];
	for (;;) {
		ssize_t r = read(0, tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		buf_put(&in, tmp, (size_t)r);
		if (in.len > MAX_STDIN)
			die("%s: stdin larger than %u bytes", action, MAX_STDIN);
	}
	return in;
}

static void extra_opts(struct argv_builder *b)
{
	const char *o = getenv("JSHIM_SHIM_JVM_OPTS");
	if (!o)
		return;
	char *copy = strdup(o), *save = NULL;
	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
		arg(b, strdup(t));
}

enum jvm_mode { JVM_DAEMON, JVM_DELETE, JVM_AOT_TRAINING };

/* java <lean flags> -cp <prefix>/lib/jshim/(all jars) io.jshim.shim.ShimMain (design.md §6).
 * The AOT cache (JEP 483/514) is made by `aot-training` with these same flags and class path,
 * which it must match to be used; a stale one is ignored silently. */
static void java_command(struct argv_builder *b, const char *prefix, enum jvm_mode mode)
{
	char *home = find_java_home();
	arg(b, xasprintf("%s/bin/java", home));
	arg(b, "-XX:+UseSerialGC");
	/* the same for every mode (the AOT cache is shared); a small initial heap and young generation
	 * keep an idle daemon's footprint down (measured: 83 MB -> 70 MB PSS with 30 tasks, same latency).
	 * -Xmn2m and an old generation that stays within 10-30% of its live data (6 MB after a full GC)
	 * rather than 40-70%: 68 -> 62.6 MB PSS with 20 tasks, first container and exec times unchanged. */
	arg(b, "-Xms8m");
	arg(b, "-Xmn2m");
	/* a ceiling, not a cost (the free ratios keep the heap tight): one daemon serves every pod of
	 * a namespace, measured ~10 MB live old generation with 60 tasks, and a node may run 110 pods
	 * of several containers; running out of heap would fail every pod at once */
	arg(b, "-Xmx512m");
	arg(b, "-XX:MinHeapFreeRatio=10");
	arg(b, "-XX:MaxHeapFreeRatio=30");
	arg(b, "-Xss512k");
	arg(b, "-XX:TieredStopAtLevel=1");
	arg(b, "-XX:MaxMetaspaceSize=96m");
	arg(b, "-XX:ReservedCodeCacheSize=24m");
	arg(b, "-XX:-UsePerfData");
	arg(b, "-XX:TrimNativeHeapInterval=2000");
	arg(b, "-XX:+IgnoreUnrecognizedVMOptions");
	/* Unified logging defaults to warnings on stdout, and delete's stdout is the
	 * DeleteResponse: errors only, on stderr (which is the daemon's log file). */
	arg(b, "-Xlog:disable");
	arg(b, "-Xlog:all=error:stderr");
	arg(b, "-XX:+DisplayVMOutputToStderr");
	char *aot = xasprintf("%s/lib/jshim/shim.aot", prefix);
	if (mode == JVM_AOT_TRAINING)
		arg(b, xasprintf("-XX:AOTCacheOutput=%s", aot));
	else if (access(aot, R_OK) == 0)
		arg(b, xasprintf("-XX:AOTCache=%s", aot));
	arg(b, "--enable-native-access=ALL-UNNAMED");
	arg(b, "--sun-misc-unsafe-memory-access=allow");
	arg(b, xasprintf("-Djshim.libexec=%s/libexec/jshim", prefix));
	char *native = xasprintf("%s/lib/jshim/native", prefix);
	if (access(native, R_OK) == 0)
		arg(b, xasprintf("-Djava.library.path=%s", native));
	arg(b, "-Dio.netty.tryReflectionSetAccessible=false");
	/* netty 4.2 loads JFR (80 classes) to emit buffer events nobody records; off, the AOT cache is
	 * 0.7 MB smaller and so is the daemon */
	arg(b, "-Dio.netty.jfr.enabled=false");
	extra_opts(b);
	arg(b, "-cp");
	arg(b, xasprintf("%s/lib/jshim/*", prefix));
	arg(b, mode == JVM_AOT_TRAINING ? "io.jshim.shim.daemon.ShimAotTraining" : "io.jshim.shim.ShimMain");
}

/* What the JVM must never see: these make it print "Picked up ..." on stderr,
 * which for start would corrupt the address containerd reads. */
static void scrub_java_env(void)
{
	unsetenv("JAVA_TOOL_OPTIONS");
	unsetenv("_JAVA_OPTIONS");
	unsetenv("JDK_JAVA_OPTIONS");
	unsetenv("CLASSPATH");
}

/* ---- the group lock --------------------------------------------------------- */

/* fcntl (POSIX) lock on the whole file: the kind Java's FileChannel.lock takes,
 * so the daemon's idle exit and our find-or-launch exclude each other. */
static int lock_group(const char *path, long timeout_ms)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
	long deadline = now_ms() + timeout_ms;
	while (fcntl(fd, F_SETLK, &fl) < 0) {
		if (errno != EACCES && errno != EAGAIN && errno != EINTR)
			die("lock %s: %s", path, strerror(errno));
		if (now_ms() > deadline)
			die("lock %s: timed out after %ld ms (another start or the daemon's exit holds it)", path,
			    timeout_ms);
		sleep_ms(2);
	}
	return fd;
}

/* ---- start ------------------------------------------------------------------- */

struct group {
	char hash[65];
	char *key;
	char *socket;
	char *dir; /* <state root>/.daemons/<hash> */
};

static int reserve(const char *socket, const char *id, int timeout_ms, char *msg, size_t msglen)
{
	struct buf req = {0}, resp = {0};
	pb_put_string(&req, 1, id);
	int code = 0;
	int rc = ttrpc_call(socket, ADMIN_SERVICE, ADMIN_RESERVE, req.p, req.len, timeout_ms, &code, msg, msglen,
	                    &resp);
	buf_free(&req);
	buf_free(&resp);
	if (rc < 0)
		return rc;
	return code == 0 ? 0 : -EREMOTEIO;
}

static void tail_log(const char *log)
{
	size_t n;
	char *text = read_file(log, 1u << 20, &n);
	if (!text || n == 0) {
		free(text);
		return;
	}
	size_t start = n, lines = 0;
	while (start > 0 && lines < 8) {
		start--;
		if (text[start] == '\n' && start != n - 1)
			lines++;
	}
	fprintf(stderr, "%s", text + start);
	free(text);
}

/* fork + setsid + exec the JVM daemon, stdout /dev/null, stderr the daemon log. */
static pid_t launch_daemon(const struct shim_args *a, const struct group *g, const char *state_root,
                           const char *ttrpc, const char *log, const char *config_file)
{
	char *prefix = install_prefix();
	struct argv_builder b = {0};
	java_command(&b, prefix, JVM_DAEMON);
	arg(&b, "-namespace");
	arg(&b, (char *)a->namespace);
	arg(&b, "-address");
	arg(&b, (char *)(a->address ? a->address : ""));
	arg(&b, "-ttrpc-address");
	arg(&b, (char *)ttrpc);
	arg(&b, "-publish-binary");
	arg(&b, (char *)(a->publish_binary ? a->publish_binary : ""));
	arg(&b, "-socket");
	arg(&b, g->socket);
	arg(&b, "-group");
	arg(&b, g->key);
	arg(&b, "-daemon-dir");
	arg(&b, g->dir);
	arg(&b, "-state-root");
	arg(&b, (char *)state_root);
	if (*config_file) {
		arg(&b, "-config");
		arg(&b, (char *)config_file);
	}
	if (a->debug)
		arg(&b, "-debug");
	arg(&b, "serve");

	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid > 0)
		return pid;
	/* child */
	setsid();
	if (chdir(g->dir) < 0)
		_exit(126);
	int null = open("/dev/null", O_RDWR);
	int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (null < 0 || lfd < 0)
		_exit(126);
	dup2(null, 0);
	dup2(null, 1);
	dup2(lfd, 2);
	closefrom(3);
	scrub_java_env();
	setenv("TTRPC_ADDRESS", ttrpc, 1);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(b.v[0], b.v);
	dprintf(2, SHIM_NAME ": exec %s: %s\n", b.v[0], strerror(errno));
	_exit(127);
}

/* oom_score_adj of containerd (our parent) + 1, as Go shims set it (best effort:
 * without CAP_SYS_RESOURCE a lower value than the current one is refused). */
static void adjust_oom_score(pid_t child)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)getppid());
	char *v = read_file(path, 64, NULL);
	if (!v)
		return;
	int score = atoi(v) + 1;
	free(v);
	if (score > 1000)
		score = 1000;
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)child);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dprintf(fd, "%d", score);
		close(fd);
	}
}

/* ---- the config file ----------------------------------------------------------- */

/* Reads the jshim config file's [shim] keys (README "Configuration"): the task's ConfigPath
 * (runtime options), else $JSHIM_CONFIG, else /etc/jshim/config.toml if it exists. A file named
 * explicitly must exist. Returns the file read, or "" for none. A file that cannot be used ends
 * the process, unless !fatal (delete must clean up whatever the file says): then a warning on
 * stderr, and no settings from it. */
static const char *load_config(const char *from_options, struct shim_config *cfg, bool fatal)
{
	memset(cfg, 0, sizeof(*cfg));
	const char *path = from_options && *from_options ? from_options : getenv("JSHIM_CONFIG");
	bool named = path && *path;
	if (!named)
		path = DEFAULT_CONFIG_FILE;
	size_t n = 0;
	char *text = read_file(path, 1u << 20, &n);
	if (!text) {
		if (named || errno != ENOENT) {
			if (fatal)
				die("config file %s: %s", path, strerror(errno));
			fprintf(stderr, SHIM_NAME ": config file %s: %s (ignored)\n", path, strerror(errno));
		}
		return "";
	}
	char err[512];
	int rc = shim_config_parse(text, n, path, cfg, err, sizeof(err));
	free(text);
	if (rc < 0) {
		if (fatal)
			die("config file %s", err);
		fprintf(stderr, SHIM_NAME ": config file %s (ignored)\n", err);
		shim_config_free(cfg);
		return "";
	}
	return path;
}

/* $ENV, else the config file's value, else the default. */
static const char *setting(const char *env, const char *from_file, const char *dflt)
{
	const char *v = getenv(env);
	if (v && *v)
		return v;
	return from_file && *from_file ? from_file : dflt;
}

/* runc's ShimCgroup option: the new daemon joins that cgroup, as the runc shim's Start moves its
 * shim (cgroup v2: <path> under /sys/fs/cgroup; v1 and hybrid: <path> in every v1 hierarchy). */
static void join_shim_cgroup(pid_t pid, const char *path)
{
	struct stat st;
	bool unified = stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0;
	int joined = 0;
	char *dirs[64];
	int ndirs = 0;
	if (unified) {
		dirs[ndirs++] = strdup("/sys/fs/cgroup");
	} else {
		DIR *d = opendir("/sys/fs/cgroup");
		struct dirent *e;
		while (d && (e = readdir(d)) && ndirs < 64) {
			if (e->d_name[0] == '.' || !strcmp(e->d_name, "unified"))
				continue;
			char *h = xasprintf("/sys/fs/cgroup/%s", e->d_name);
			char *procs = xasprintf("%s/cgroup.procs", h);
			if (lstat(h, &st) == 0 && S_ISDIR(st.st_mode) && access(procs, F_OK) == 0)
				dirs[ndirs++] = h;
			else
				free(h);
			free(procs);
		}
		if (d)
			closedir(d);
	}
	for (int i = 0; i < ndirs; i++) {
		char *procs = xasprintf("%s/%s/cgroup.procs", dirs[i], path);
		int fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT) {
				kill(pid, SIGKILL);
				die("ShimCgroup %s: open %s: %s", path, procs, strerror(errno));
			}
		} else {
			if (dprintf(fd, "%d", (int)pid) < 0) {
				int e = errno;
				kill(pid, SIGKILL);
				die("ShimCgroup %s: add the shim daemon to %s: %s", path, procs, strerror(e));
			}
			close(fd);
			joined++;
		}
		free(procs);
		free(dirs[i]);
	}
	if (!joined) {
		kill(pid, SIGKILL);
		die("ShimCgroup %s: no such cgroup (create it first, as with the runc shim)", path);
	}
}

static int do_start(struct shim_args *a)
{
	if (!a->namespace || !*a->namespace)
		die("start: -namespace is required");
	if (!a->id || !*a->id)
		die("start: -id is required");
	/* stdin: legacy Any (or nothing), or BootstrapParams from containerd 2.3+ */
	struct buf in = read_stdin("start");
	struct start_input si;
	parse_start_input(in.p, in.len, a->id, a->namespace, &si);
	buf_free(&in);

	const char *address = a->address ? a->address : env_or("GRPC_ADDRESS", "");
	if (si.grpc_address && *si.grpc_address && !*address)
		address = si.grpc_address;
	const char *ttrpc = si.ttrpc_address && *si.ttrpc_address ? si.ttrpc_address : getenv("TTRPC_ADDRESS");
	if (!ttrpc || !*ttrpc)
		ttrpc = xasprintf("%s.ttrpc", address);
	struct shim_config cfg;
	const char *config_file = load_config(si.config_path, &cfg, true);
	const char *socket_dir = si.socket_dir && *si.socket_dir
	                                 ? si.socket_dir
	                                 : setting("JSHIM_SHIM_SOCKET_DIR", cfg.socket_dir, DEFAULT_SOCKET_DIR);
	const char *state_root = setting("JSHIM_SHIM_STATE_ROOT", cfg.state_root, DEFAULT_STATE_ROOT);
	enum group_mode mode;
	const char *group_setting = setting("JSHIM_SHIM_GROUP", cfg.group, "auto");
	if (parse_group_mode(group_setting, &mode) < 0)
		die("JSHIM_SHIM_GROUP=%s: expected auto, namespace, pod or container", group_setting);

	size_t clen = 0;
	char *config = read_file("config.json", 16u << 20, &clen);
	struct group g;
	g.key = group_key(mode, config, clen, a->id);
	free(config);
	if (si.config_path && *si.config_path) {
		/* tasks of a runtime handler with its own config file get their own daemon */
		char *k = xasprintf("%s@%s", g.key, si.config_path);
		free(g.key);
		g.key = k;
	}
	group_hash(address, a->namespace, g.key, g.hash);
	g.socket = xasprintf("%s/%s", socket_dir, g.hash);
	if (strlen(g.socket) > SOCKET_PATH_MAX)
		die("socket path %s is longer than %d bytes", g.socket, SOCKET_PATH_MAX);
	g.dir = xasprintf("%s/.daemons/%s", state_root, g.hash);
	if (mkdir_p(socket_dir, 0700) < 0)
		die("mkdir %s: %s", socket_dir, strerror(errno));
	if (mkdir_p(g.dir, 0700) < 0)
		die("mkdir %s: %s", g.dir, strerror(errno));

	long timeout = atol(env_or("JSHIM_SHIM_START_TIMEOUT_MS", "20000"));
	char *lock_path = xasprintf("%s/lock", g.dir);
	int lock = lock_group(lock_path, timeout);
	char msg[512] = "";
	int rc = reserve(g.socket, a->id, 5000, msg, sizeof(msg));
	if (rc == -ENOENT || rc == -ECONNREFUSED) {
		/* nobody listens: a stale socket of a dead daemon, or none yet */
		unlink(g.socket);
		char *log = xasprintf("%s/daemon.log", g.dir);
		pid_t child = launch_daemon(a, &g, state_root, ttrpc, log, config_file);
		adjust_oom_score(child);
		if (si.shim_cgroup && *si.shim_cgroup)
			join_shim_cgroup(child, si.shim_cgroup);
		long deadline = now_ms() + timeout;
		long pause = 1;
		for (;;) {
			rc = reserve(g.socket, a->id, 5000, msg, sizeof(msg));
			if (rc != -ENOENT && rc != -ECONNREFUSED)
				break;
			int status;
			if (waitpid(child, &status, WNOHANG) == child) {
				fprintf(stderr, SHIM_NAME ": the jshim daemon exited (%s %d) before it listened on %s; "
				                "the end of %s:\n",
				        WIFEXITED(status) ? "status" : "signal",
				        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), g.socket, log);
				tail_log(log);
				exit(1);
			}
			if (now_ms() > deadline) {
				kill(child, SIGKILL);
				fprintf(stderr, SHIM_NAME ": the jshim daemon did not listen on %s within %ld ms; "
				                "the end of %s:\n", g.socket, timeout, log);
				tail_log(log);
				exit(1);
			}
			sleep_ms(pause);
			if (pause < 16)
				pause *= 2;
		}
	}
	if (rc < 0)
		die("reserve %s in the jshim daemon at %s: %s", a->id, g.socket,
		    rc == -EREMOTEIO ? msg : strerror(-rc));
	close(lock);

	char *addr = xasprintf("unix://%s", g.socket);
	write_address(addr);
	if (write_fully(1, addr, strlen(addr)) < 0)
		die("write address: %s", strerror(errno));
	return 0;
}

/* ---- delete ------------------------------------------------------------------ */

/* umount2(MNT_DETACH) until nothing is mounted there (containerd's UnmountAll). */
static void unmount_all(const char *target)
{
	for (int i = 0; i < 64; i++) {
		if (umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
			return; /* EINVAL: not a mount point; ENOENT: gone */
	}
}

static void print_delete_response(uint32_t pid, uint32_t status)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct buf b = {0};
	encode_delete_response(&b, pid, status, ts.tv_sec, (int32_t)ts.tv_nsec);
	if (write_fully(1, b.p, b.len) < 0)
		die("write: %s", strerror(errno));
	buf_free(&b);
}

static int do_delete(struct shim_args *a)
{
	if (!a->namespace || !*a->namespace)
		die("delete: -namespace is required");
	if (!a->id || !*a->id)
		die("delete: -id is required");
	char cwd[PATH_MAX];
	const char *bundle = a->bundle;
	if (!bundle || !*bundle) {
		if (!getcwd(cwd, sizeof(cwd)))
			die("getcwd: %s", strerror(errno));
		bundle = cwd;
	}
	/* 1. the daemon named in the bundle's address file, if it is up */
	char *addr_path = xasprintf("%s/address", bundle);
	char *addr = read_file(addr_path, 4096, NULL);
	if (addr && strncmp(addr, "unix://", 7) == 0) {
		struct buf req = {0}, resp = {0};
		pb_put_string(&req, 1, a->id);
		pb_put_string(&req, 2, bundle);
		int code = 0;
		char msg[512] = "";
		int rc = ttrpc_call(addr + 7, ADMIN_SERVICE, ADMIN_CLEANUP, req.p, req.len, 4000, &code, msg,
		                    sizeof(msg), &resp);
		if (rc == 0 && code == 0) {
			if (write_fully(1, resp.p, resp.len) < 0)
				die("write: %s", strerror(errno));
			return 0;
		}
		if (rc == 0)
			fprintf(stderr, "jshim daemon could not clean up %s (code %d: %s); cleaning up here\n", a->id,
			        code, msg);
		buf_free(&resp);
		buf_free(&req);
	}
	/* 2. no daemon: unmount here; leave processes and cgroups to a short-lived JVM
	 *    only when the engine still holds state for the task */
	char *rootfs = xasprintf("%s/rootfs", bundle);
	unmount_all(rootfs);
	char *root_file = xasprintf("%s/%s", bundle, BUNDLE_ROOT_FILE);
	char *root = read_file(root_file, PATH_MAX, NULL);
	struct shim_config cfg;
	load_config(NULL, &cfg, false);
	const char *state_root = setting("JSHIM_SHIM_STATE_ROOT", cfg.state_root, DEFAULT_STATE_ROOT);
	if (!root || !*root)
		root = xasprintf("%s/%s", state_root, a->namespace);
	char *state_dir = xasprintf("%s/%s", root, a->id);
	struct stat st;
	if (lstat(state_dir, &st) == 0) {
		char *prefix = install_prefix();
		struct argv_builder b = {0};
		java_command(&b, prefix, JVM_DELETE);
		arg(&b, "-namespace");
		arg(&b, (char *)a->namespace);
		arg(&b, "-id");
		arg(&b, (char *)a->id);
		arg(&b, "-bundle");
		arg(&b, (char *)bundle);
		arg(&b, "-engine-root");
		arg(&b, root);
		arg(&b, "-state-root");
		arg(&b, (char *)state_root);
		arg(&b, "delete");
		scrub_java_env();
		fflush(stdout);
		/* exec, not fork: containerd SIGKILLs its direct child at the deadline */
		execv(b.v[0], b.v);
		die("exec %s: %s", b.v[0], strerror(errno));
	}
	char *pid_path = xasprintf("%s/%s", bundle, BUNDLE_PID_FILE);
	char *pid_text = read_file(pid_path, 64, NULL);
	uint32_t pid = pid_text ? (uint32_t)strtoul(pid_text, NULL, 10) : 0;
	print_delete_response(pid, 128 + SIGKILL);
	return 0;
}

/* ---- aot-training ------------------------------------------------------------ */

/* Remakes <prefix>/lib/jshim/shim.aot with a training run (no root needed); run by the build and by
 * deploy/install.sh, since the cache is tied to the JDK and to the jars' paths. */
static int do_aot_training(void)
{
	char *prefix = install_prefix();
	char *aot = xasprintf("%s/lib/jshim/shim.aot", prefix);
	unlink(aot);
	struct argv_builder b = {0};
	java_command(&b, prefix, JVM_AOT_TRAINING);
	scrub_java_env();
	execv(b.v[0], b.v);
	die("exec %s: %s", b.v[0], strerror(errno));
}

/* ---- -info --------------------------------------------------------------------- */

/* stdout of `<prefix>/bin/jrunc features` (the runtime-spec features JSON), or NULL when it
 * fails or takes longer than 20 s; its stderr is dropped (-info's stderr must stay clean). */
static char *runtime_features(size_t *len)
{
	char *prefix = install_prefix();
	char *jrunc = xasprintf("%s/bin/jrunc", prefix);
	if (access(jrunc, X_OK) < 0)
		return NULL;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return NULL;
	pid_t pid = fork();
	if (pid < 0)
		return NULL;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(null, 2);
		scrub_java_env();
		execl(jrunc, jrunc, "features", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	struct buf out = {0};
	char tmp[8192];
	long deadline = now_ms() + 20000;
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t r = read(pfd[0], tmp, sizeof(tmp));
		if (r > 0) {
			buf_put(&out, tmp, (size_t)r);
			continue;
		}
		if (r == 0)
			break;
		if (errno != EAGAIN && errno != EINTR)
			break;
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			break;
		}
		sleep_ms(5);
	}
	close(pfd[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	size_t n = out.len;
	while (n && (out.p[n - 1] == '\n' || out.p[n - 1] == ' '))
		n--;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || n == 0 || out.p[0] != '{') {
		buf_free(&out);
		return NULL;
	}
	*len = n;
	return (char *)out.p;
}

/* -info: RuntimeInfo on stdout (shim-v2-protocol.md §1.7), as the runc shim answers: its name and
 * version, the runtime options read on stdin (echoed), and the runtime's features (jrunc features). */
static int do_info(void)
{
	struct buf in = read_stdin("-info");
	bool options = in.len > 0 && pb_valid(in.p, in.len);
	size_t flen = 0;
	char *features = runtime_features(&flen);
	struct buf b = {0};
	encode_runtime_info_full(&b, options ? in.p : NULL, options ? in.len : 0, features, flen);
	if (write_fully(1, b.p, b.len) < 0)
		return 1;
	return 0;
}

/* ---- main -------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct shim_args a = {0};
	char err[256];
	if (parse_args(argc, argv, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\nUsage: %s [flags] start|delete\n", err, SHIM_NAME);
		return 2;
	}
	if (!a.namespace || !*a.namespace)
		a.namespace = getenv("NAMESPACE");
	if (a.version) {
		printf("%s:\n  Version:  %s\n  Runtime:  %s (Java 25 daemon, C front end)\n", SHIM_NAME, JSHIM_VERSION,
		       RUNTIME_NAME);
		return 0;
	}
	if (a.info)
		return do_info();
	if (!a.action)
		die("no action given: expected start or delete (the jshim daemon is a JVM the start action launches)");
	if (strcmp(a.action, "start") == 0)
		return do_start(&a);
	if (strcmp(a.action, "delete") == 0)
		return do_delete(&a);
	if (strcmp(a.action, "aot-training") == 0)
		return do_aot_training();
	die("unknown action %s: expected start or delete", a.action);
}
