package io.jshim.shim.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jshim config file: every key of README's example, and errors that name the file and the key. */
class ShimConfigTest {

    @TempDir
    Path dir;

    static final String EXAMPLE = """
            # /etc/jshim/config.toml
            [shim]
            group = "namespace"
            idle_timeout = "90s"
            state_root = "/run/containerd/jshim"
            socket_dir = "/run/containerd/s"
            log_level = "debug"

            [metrics]
            socket = "/run/jshim/metrics-{group}.sock"
            """;

    private ShimConfig.ConfigException error(String text) throws Exception {
        Path f = dir.resolve("bad.toml");
        Files.writeString(f, text);
        return assertThrows(ShimConfig.ConfigException.class, () -> ShimConfig.load(f));
    }

    @Test
    void readsEveryKey() throws Exception {
        Path f = dir.resolve("config.toml");
        Files.writeString(f, EXAMPLE);
        ShimConfig c = ShimConfig.load(f);
        assertEquals(f, c.file());
        assertEquals("namespace", c.group());
        assertEquals(Duration.ofSeconds(90), c.idleTimeout());
        assertEquals(Path.of("/run/containerd/jshim"), c.stateRoot());
        assertEquals(Path.of("/run/containerd/s"), c.socketDir());
        assertEquals(Level.DEBUG, c.logLevel());
        assertEquals(Path.of("/run/jshim/metrics-{group}.sock"), c.metricsSocket());
    }

    @Test
    void absentKeysAreNull_andAnEmptyFileIsFine() throws Exception {
        Path f = dir.resolve("empty.toml");
        Files.writeString(f, "# nothing\n");
        ShimConfig c = ShimConfig.load(f);
        assertNull(c.group());
        assertNull(c.idleTimeout());
        assertNull(c.metricsSocket());
        Files.writeString(f, "[shim]\nidle_timeout = 5\n");
        assertEquals(Duration.ofSeconds(5), ShimConfig.load(f).idleTimeout());
        Files.writeString(f, "[shim]\nidle_timeout = \"250ms\"\nlog_level = \"WARN\"\n");
        assertEquals(Duration.ofMillis(250), ShimConfig.load(f).idleTimeout());
        assertEquals(Level.WARNING, ShimConfig.load(f).logLevel());
    }

    @Test
    void errorsNameTheFileAndTheKey() throws Exception {
        String file = dir.resolve("bad.toml").toString();
        ShimConfig.ConfigException e = error("[shim]\ngroup = \"everything\"\n");
        assertTrue(e.getMessage().startsWith("config file " + file + ": [shim] group = \"everything\": expected"),
                e.getMessage());
        e = error("[shim]\nidle_timeout = \"soon\"\n");
        assertTrue(e.getMessage().contains("[shim] idle_timeout = \"soon\"") && e.getMessage().contains(file),
                e.getMessage());
        e = error("[shim]\nlog_level = \"loud\"\n");
        assertTrue(e.getMessage().contains("[shim] log_level = \"loud\""), e.getMessage());
        e = error("[shim]\nstate_root = \"relative/dir\"\n");
        assertTrue(e.getMessage().contains("[shim] state_root") && e.getMessage().contains("absolute"), e.getMessage());
        e = error("[metrics]\nsocket = 9\n");
        assertTrue(e.getMessage().contains("[metrics] socket = 9: expected a string"), e.getMessage());
        e = error("[shim]\nidle = 3\n");
        assertTrue(e.getMessage().contains("[shim] idle: unknown key"), e.getMessage());
        e = error("[runtime]\nx = 1\n");
        assertTrue(e.getMessage().contains("\"runtime\""), e.getMessage());
        e = error("[shim\ngroup = \"pod\"\n");
        assertTrue(e.getMessage().startsWith("config file " + file + ": not valid TOML"), e.getMessage());
        e = assertThrows(ShimConfig.ConfigException.class, () -> ShimConfig.load(dir.resolve("missing.toml")));
        assertTrue(e.getMessage().contains("missing.toml: no such file"), e.getMessage());
    }

    @Test
    void durations() {
        assertEquals(Duration.ofSeconds(60), ShimConfig.duration("60"));
        assertEquals(Duration.ofMillis(1500), ShimConfig.duration("1.5s"));
        assertEquals(Duration.ofMinutes(2), ShimConfig.duration("2m"));
        assertEquals(Duration.ofMillis(500), ShimConfig.duration("500ms"));
        assertThrows(IllegalArgumentException.class, () -> ShimConfig.duration("-1"));
        assertThrows(IllegalArgumentException.class, () -> ShimConfig.duration("x"));
    }
}
