package io.jshim.it.shim;

import static io.jshim.it.shim.ShimFixture.RUNTIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jshim.it.support.ItEnv;
import io.jshim.testing.ContainerdDaemon.CtrResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pod sandbox image of deploy/pause/build-image.sh, made from {@code dist/libexec/jshim/jshim-pause}
 * (native-init/pause/pause.c), under a private containerd 1.6.20 and 2.x: a plain
 * {@code ctr -n k8s.io images import FILE} lists it as exactly the image ref the script was given (the
 * default, {@code localhost/jshim/pause:3.10}, and a custom one), and {@code ctr run --runtime
 * io.containerd.jshim.v2} runs /pause as 65535:65535, which exits 0 on SIGTERM and on SIGINT.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PauseImageIT {

    static final String DEFAULT_REF = "localhost/jshim/pause:3.10";

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "containerd {0}")
    @ValueSource(strings = {"1", "2"})
    void pauseImage_importsUnderItsRef_andRunsOnJshim_exitingZeroOnSigtermAndSigint(String version)
            throws Exception {
        try (ShimFixture f = ShimFixture.start(version)) {
            Path pause = ItEnv.repoRoot().resolve("dist/libexec/jshim/jshim-pause");
            assertTrue(Files.isExecutable(pause), "no " + pause + ": build first (mvn install)");

            Path archive = f.work.resolve("pause.tar");
            buildImage(pause, archive);
            Path custom = f.work.resolve("pause-custom.tar");
            buildImage(pause, custom, "example.test:5000/sandbox/pause:v1");

            // the namespace CRI uses; a plain import, no --base-name / --index-name
            CtrResult r = f.containerd.ctr(ShimFixture.CTR_TIMEOUT, "-n", "k8s.io", "images", "import",
                    archive.toString());
            assertEquals(0, r.exitStatus(), r.output());
            r = f.containerd.ctr(ShimFixture.CTR_TIMEOUT, "-n", "k8s.io", "images", "import", custom.toString());
            assertEquals(0, r.exitStatus(), r.output());
            r = f.containerd.ctr(ShimFixture.CTR_TIMEOUT, "-n", "k8s.io", "images", "ls", "-q");
            assertEquals(List.of("example.test:5000/sandbox/pause:v1", DEFAULT_REF),
                    r.output().lines().map(String::strip).filter(l -> !l.isEmpty()).sorted().toList(), r.output());

            assertOnlyPauseInTheImage(archive, f.work.resolve("unpacked"));

            // run it in the fixture's namespace, whose shim state the fixture checks for leaks
            r = f.ctr("images", "import", archive.toString());
            assertEquals(0, r.exitStatus(), r.output());
            runAndStop(f, f.id("pause-term"), "SIGTERM", "Terminated");
            runAndStop(f, f.id("pause-int"), "SIGINT", "Interrupt");
        }
    }

    private static void runAndStop(ShimFixture f, String id, String signal, String signalName) throws Exception {
        Process run = f.ctrProcess("run", "--rm", "--runtime", RUNTIME, DEFAULT_REF, id);
        try {
            f.awaitTask(id, "RUNNING");
            String pid = f.tasks().get(id)[0];
            String status = Files.readString(Path.of("/proc", pid, "status"));
            assertTrue(status.contains("\nUid:\t65535\t65535\t65535\t65535\n"), "not USER 65535: " + status);
            assertTrue(status.contains("\nGid:\t65535\t65535\t65535\t65535\n"), "not group 65535: " + status);
            assertEquals("/pause", Files.readString(Path.of("/proc", pid, "cmdline")).replace("\0", ""));

            CtrResult kill = f.ctr("task", "kill", "-s", signal, id);
            assertEquals(0, kill.exitStatus(), kill.output());
            assertTrue(run.waitFor(30, TimeUnit.SECONDS), "ctr run did not return after " + signal);
            String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, run.exitValue(), "exit status after " + signal + ":\n" + out + f.daemonLogs());
            assertTrue(out.contains("Shutting down, got signal: " + signalName), out);
            f.awaitTask(id, null);
        } finally {
            if (run.isAlive()) {
                f.ctr("task", "kill", "-s", "SIGKILL", id);
                run.waitFor(10, TimeUnit.SECONDS);
                run.destroyForcibly();
            }
        }
    }

    /** The image has one layer with one file, /pause, the program the entrypoint names. */
    private static void assertOnlyPauseInTheImage(Path archive, Path dir) throws Exception {
        Files.createDirectories(dir);
        Process untar = new ProcessBuilder("tar", "-C", dir.toString(), "-xf", archive.toString())
                .redirectErrorStream(true).start();
        String untarOut = new String(untar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(untar.waitFor(30, TimeUnit.SECONDS) && untar.exitValue() == 0, untarOut);
        JsonNode index = JSON.readTree(dir.resolve("index.json").toFile());
        assertEquals(1, index.path("manifests").size(), index.toString());
        JsonNode desc = index.path("manifests").get(0);
        assertEquals(DEFAULT_REF, desc.path("annotations").path("io.containerd.image.name").asText(), index.toString());
        JsonNode manifest = JSON.readTree(blob(dir, desc.path("digest").asText()).toFile());
        JsonNode config = JSON.readTree(blob(dir, manifest.path("config").path("digest").asText()).toFile());
        assertEquals("65535:65535", config.path("config").path("User").asText(), config.toString());
        assertEquals("[\"/pause\"]", config.path("config").path("Entrypoint").toString(), config.toString());
        assertEquals("linux", config.path("os").asText());
        assertEquals(1, manifest.path("layers").size(), manifest.toString());
        Path layer = blob(dir, manifest.path("layers").get(0).path("digest").asText());
        Process tar = new ProcessBuilder("tar", "-tzf", layer.toString()).redirectErrorStream(true).start();
        String entries = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tar.waitFor(30, TimeUnit.SECONDS) && tar.exitValue() == 0, entries);
        assertEquals(List.of("pause"), entries.lines().map(e -> e.replaceFirst("^\\./", ""))
                .filter(e -> !e.isEmpty() && !e.equals("/") && !e.equals(".")).toList(), entries);
    }

    private static Path blob(Path dir, String digest) {
        return dir.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    private static void buildImage(Path pause, Path archive, String... ref) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash",
                ItEnv.repoRoot().resolve("deploy/pause/build-image.sh").toString(), archive.toString()));
        cmd.addAll(List.of(ref));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JSHIM_PAUSE_BINARY", pause.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "build-image.sh timed out: " + out);
        assertEquals(0, p.exitValue(), "build-image.sh " + String.join(" ", ref) + ":\n" + out);
        assertTrue(Files.size(archive) > 0, out);
    }
}
