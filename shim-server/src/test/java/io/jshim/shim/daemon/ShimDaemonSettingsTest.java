package io.jshim.shim.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The daemon's settings from the config file and its environment. */
class ShimDaemonSettingsTest {

    @Test
    void idleTimeout_environmentThenConfigFileThenDefault() {
        assertEquals(Duration.ofSeconds(5), ShimDaemon.idleTimeout("5", Duration.ofSeconds(90), "ns"));
        assertEquals(Duration.ofSeconds(90), ShimDaemon.idleTimeout(null, Duration.ofSeconds(90), "ns"));
        assertEquals(Duration.ofSeconds(90), ShimDaemon.idleTimeout(" ", Duration.ofSeconds(90), "pod-x"));
        assertEquals(Duration.ofSeconds(60), ShimDaemon.idleTimeout(null, null, "ns"));
        assertEquals(Duration.ZERO, ShimDaemon.idleTimeout(null, null, "pod-x"));
        assertEquals(Duration.ZERO, ShimDaemon.idleTimeout(null, null, "ctr-x@/etc/j.toml"));
        assertEquals(Duration.ofMillis(500), ShimDaemon.idleTimeout("500ms", null, "ns"));
    }

    @Test
    void metricsSocket_fillsInTheGroupHashAndTheNamespace() {
        Path dir = Path.of("/run/containerd/jshim/.daemons/abc123");
        assertEquals(Path.of("/run/jshim/m-abc123.sock"),
                ShimDaemon.metricsSocket(Path.of("/run/jshim/m-{group}.sock"), dir, "k8s.io"));
        assertEquals(Path.of("/run/jshim/k8s.io/metrics.sock"),
                ShimDaemon.metricsSocket(Path.of("/run/jshim/{namespace}/metrics.sock"), dir, "k8s.io"));
        assertEquals(Path.of("/run/jshim/metrics.sock"),
                ShimDaemon.metricsSocket(Path.of("/run/jshim/metrics.sock"), dir, "k8s.io"));
    }
}
