package io.jshim.shim.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The jshim config file (TOML, README "Configuration"), parsed with jackson-dataformat-toml and checked
 * key by key; every error names the file and the key. Which file: the task's runtimeoptions
 * {@code ConfigPath}, else {@code $JSHIM_CONFIG}, else {@link #DEFAULT_FILE} when it exists. The C front
 * end reads the {@code [shim]} keys it needs before a daemon exists ({@code native-shim/src/config.c});
 * the daemon reads the whole file with this class. An absent key is null here: the caller applies
 * environment overrides and defaults.
 *
 * <pre>
 * [shim]
 * group = "auto"            # auto | namespace | pod | container
 * idle_timeout = "60s"      # a namespace's daemon stays this long after its last task
 * state_root = "/run/containerd/jshim"
 * socket_dir = "/run/containerd/s"
 * log_level = "info"        # debug | info | warn | error
 *
 * [metrics]
 * socket = "/run/jshim/metrics.sock"   # Prometheus text over HTTP on this unix socket; absent = off
 * </pre>
 *
 * @param file          the file read, or null for none
 * @param group         {@code [shim] group}
 * @param idleTimeout   {@code [shim] idle_timeout}
 * @param stateRoot     {@code [shim] state_root}
 * @param socketDir     {@code [shim] socket_dir}
 * @param logLevel      {@code [shim] log_level}
 * @param metricsSocket {@code [metrics] socket}
 */
public record ShimConfig(Path file, String group, Duration idleTimeout, Path stateRoot, Path socketDir,
        Level logLevel, Path metricsSocket) {

    public static final Path DEFAULT_FILE = Path.of("/etc/jshim/config.toml");
    public static final ShimConfig NONE = new ShimConfig(null, null, null, null, null, null, null);

    private static final Map<String, Set<String>> KEYS = Map.of(
            "shim", Set.of("group", "idle_timeout", "state_root", "socket_dir", "log_level"),
            "metrics", Set.of("socket"));
    private static final List<String> GROUPS = List.of("auto", "namespace", "pod", "container");

    /** A config file that cannot be used: the message names the file and the key. */
    public static final class ConfigException extends Exception {
        public ConfigException(String message) {
            super(message);
        }
    }

    /** Reads and checks {@code file}. */
    public static ShimConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException("config file " + file + ": " + e.getMessage());
        }
        return parse(text, file);
    }

    /** The file the daemon uses when it was given none: {@link #DEFAULT_FILE} if it exists, else {@link #NONE}. */
    public static ShimConfig loadDefault() throws ConfigException {
        return Files.exists(DEFAULT_FILE) ? load(DEFAULT_FILE) : NONE;
    }

    static ShimConfig parse(String text, Path file) throws ConfigException {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(text);
        } catch (IOException e) {
            throw new ConfigException("config file " + file + ": not valid TOML: " + firstLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new ShimConfig(file, null, null, null, null, null, null);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> table = it.next();
            Set<String> known = KEYS.get(table.getKey());
            if (known == null) {
                throw new ConfigException("config file " + file + ": unknown table or key \"" + table.getKey()
                        + "\" (expected [shim] or [metrics])");
            }
            if (!table.getValue().isObject()) {
                throw new ConfigException("config file " + file + ": \"" + table.getKey() + "\" must be a table ["
                        + table.getKey() + "]");
            }
            for (Iterator<String> keys = table.getValue().fieldNames(); keys.hasNext();) {
                String k = keys.next();
                if (!known.contains(k)) {
                    throw new ConfigException("config file " + file + ": [" + table.getKey() + "] " + k
                            + ": unknown key (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            }
        }
        JsonNode shim = root.path("shim");
        Reader r = new Reader(file);
        String group = r.string(shim, "shim", "group");
        if (group != null && !GROUPS.contains(group)) {
            throw r.bad("shim", "group", '"' + group + '"', "expected \"auto\", \"namespace\", \"pod\" or \"container\"");
        }
        Duration idle = null;
        JsonNode idleNode = shim.get("idle_timeout");
        if (idleNode != null) {
            String v = idleNode.isNumber() ? idleNode.asText() : idleNode.isTextual() ? idleNode.textValue() : null;
            try {
                idle = v == null ? null : duration(v);
            } catch (IllegalArgumentException e) {
                idle = null;
            }
            if (idle == null) {
                throw r.bad("shim", "idle_timeout", idleNode.toString(),
                        "expected seconds (60, \"60s\", \"1.5s\") or milliseconds (\"500ms\")");
            }
        }
        Path stateRoot = r.path(shim, "shim", "state_root");
        Path socketDir = r.path(shim, "shim", "socket_dir");
        Level level = null;
        String lv = r.string(shim, "shim", "log_level");
        if (lv != null) {
            level = logLevel(lv);
            if (level == null) {
                throw r.bad("shim", "log_level", '"' + lv + '"', "expected \"debug\", \"info\", \"warn\" or \"error\"");
            }
        }
        Path metrics = r.path(root.path("metrics"), "metrics", "socket");
        return new ShimConfig(file, group, idle, stateRoot, socketDir, level, metrics);
    }

    /** "60", "60s", "1.5s", "500ms", "2m": as a Duration; IllegalArgumentException otherwise. */
    public static Duration duration(String text) {
        String v = text.strip();
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).strip()));
            }
            long unit = 1000;
            if (v.endsWith("m")) {
                unit = 60_000;
                v = v.substring(0, v.length() - 1).strip();
            } else if (v.endsWith("s")) {
                v = v.substring(0, v.length() - 1).strip();
            }
            double d = Double.parseDouble(v);
            if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(text);
            }
            return Duration.ofMillis(Math.round(d * unit));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** debug | info | warn | warning | error (any case); trace counts as debug; null otherwise. */
    public static Level logLevel(String s) {
        return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "trace", "debug" -> Level.DEBUG;
            case "info" -> Level.INFO;
            case "warn", "warning" -> Level.WARNING;
            case "error" -> Level.ERROR;
            default -> null;
        };
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private record Reader(Path file) {
        String string(JsonNode table, String tableName, String key) throws ConfigException {
            JsonNode n = table.get(key);
            if (n == null) {
                return null;
            }
            if (!n.isTextual()) {
                throw bad(tableName, key, n.toString(), "expected a string");
            }
            return n.textValue();
        }

        Path path(JsonNode table, String tableName, String key) throws ConfigException {
            String s = string(table, tableName, key);
            if (s == null) {
                return null;
            }
            if (!s.startsWith("/")) {
                throw bad(tableName, key, '"' + s + '"', "expected an absolute path");
            }
            return Path.of(s);
        }

        ConfigException bad(String table, String key, String value, String what) {
            return new ConfigException("config file " + file + ": [" + table + "] " + key + " = " + value + ": "
                    + what);
        }
    }
}
