package io.jshim.deploy;

import static io.jshim.deploy.DeployFiles.at;
import static io.jshim.deploy.DeployFiles.containerd;
import static io.jshim.deploy.DeployFiles.toml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/containerd's snippets parse as TOML and carry the keys containerd 1.6 (config version 2) and 2.x
 * (version 3) read, as `containerd config default` prints them; the sandbox image is the one
 * deploy/pause/build-image.sh makes by default. (Integration test InstallNodeContainerdIT starts the real
 * containerds with them.)
 */
class ContainerdSnippetsTest {

    static final String V2_CRI = "io.containerd.grpc.v1.cri";
    static final String V3_RUNTIME = "io.containerd.cri.v1.runtime";
    static final String V3_IMAGES = "io.containerd.cri.v1.images";

    @Test
    void everySnippet_parses_andItsVersionMatchesItsName() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DeployFiles.deployDir().resolve("containerd"))) {
            files = s.filter(p -> p.toString().endsWith(".toml")).sorted().toList();
        }
        assertEquals(6, files.size(), files.toString());
        for (Path f : files) {
            JsonNode t = toml(f);
            int expected = f.getFileName().toString().contains("v2") ? 2 : 3;
            assertEquals(expected, t.path("version").asInt(), f.toString());
        }
    }

    @Test
    void v2_handlerJshim_withRuncDeclared() throws IOException {
        for (String name : List.of("jshim-config-v2.toml", "config-v2.example.toml")) {
            JsonNode runtimes = at(toml(containerd(name)), "plugins", V2_CRI, "containerd", "runtimes");
            assertEquals("io.containerd.jshim.v2", at(runtimes, "jshim", "runtime_type").asText(), name);
            // 1.x replaces its default runtimes map: runc must be declared next to jshim
            assertEquals("io.containerd.runc.v2", at(runtimes, "runc", "runtime_type").asText(), name);
            assertTrue(at(runtimes, "jshim", "pod_annotations").isArray(), name);
        }
    }

    @Test
    void v3_handlerJshim_withThePodSandboxController() throws IOException {
        for (String name : List.of("jshim-config-v3.toml", "config-v3.example.toml")) {
            JsonNode jshim = at(toml(containerd(name)), "plugins", V3_RUNTIME, "containerd", "runtimes", "jshim");
            assertEquals("io.containerd.jshim.v2", jshim.path("runtime_type").asText(), name);
            assertEquals("podsandbox", jshim.path("sandboxer").asText(), name);
        }
    }

    @Test
    void sandboxImage_andRestrictOomScoreAdj_forBothVersions() throws IOException {
        String ref = DeployFiles.defaultPauseRef();
        assertEquals("localhost/jshim/pause:3.10", ref);
        for (String name : List.of("cri-v2.toml", "config-v2.example.toml")) {
            JsonNode cri = at(toml(containerd(name)), "plugins", V2_CRI);
            assertEquals(ref, cri.path("sandbox_image").asText(), name);
            assertTrue(cri.path("restrict_oom_score_adj").asBoolean(), name);
        }
        for (String name : List.of("cri-v3.toml", "config-v3.example.toml")) {
            JsonNode t = toml(containerd(name));
            assertEquals(ref, at(t, "plugins", V3_IMAGES, "pinned_images", "sandbox").asText(), name);
            assertTrue(at(t, "plugins", V3_RUNTIME, "restrict_oom_score_adj").asBoolean(), name);
        }
    }
}
