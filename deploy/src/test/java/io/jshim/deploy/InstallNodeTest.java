package io.jshim.deploy;

import static io.jshim.deploy.DeployFiles.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kubernetes/install-node.sh against a fake node root in a temp dir (no root needed, containerd
 * is not restarted: JSHIM_RESTART=none): with a config of version 2 (Debian 12's own), of version 3,
 * with none (version from a fake `containerd --version`); the result parses as TOML and has the handler;
 * a second install changes nothing; uninstall gives back the original bytes and removes what it added.
 */
class InstallNodeTest {

    static final String V2 = "io.containerd.grpc.v1.cri";
    static final String V3 = "io.containerd.cri.v1.runtime";
    static final String SHIM = "/opt/jshim/bin/containerd-shim-jshim-v2";

    /** Debian 12's /etc/containerd/config.toml (package containerd 1.6.20~ds1-1): a CRI table, no runtimes. */
    static final String DEBIAN_V2 = """
            version = 2

            [plugins]
              [plugins."io.containerd.grpc.v1.cri"]
                [plugins."io.containerd.grpc.v1.cri".cni]
                  bin_dir = "/usr/lib/cni"
                  conf_dir = "/etc/cni/net.d"
              [plugins."io.containerd.internal.v1.opt"]
                path = "/var/lib/containerd/opt"
            """;

    static final String PLAIN_V3 = """
            version = 3
            root = "/var/lib/containerd"

            [plugins.'io.containerd.cri.v1.runtime']
              restrict_oom_score_adj = true

            [plugins.'io.containerd.cri.v1.runtime'.cni]
              bin_dirs = ['/usr/lib/cni']
            """;

    @TempDir
    Path tmp;
    Path node;
    Path dist;
    Path config;

    @BeforeEach
    void fakeNodeAndDist() throws IOException {
        node = Files.createDirectories(tmp.resolve("node"));
        config = node.resolve("etc/containerd/config.toml");
        dist = tmp.resolve("dist");
        exe(dist.resolve("bin/jrunc"), "#!/bin/sh\necho jrunc\n");
        exe(dist.resolve("bin/containerd-shim-jshim-v2"), "#!/bin/sh\necho shim\n");
        exe(dist.resolve("libexec/jshim/jshim-init"), "#!/bin/sh\n");
        exe(dist.resolve("libexec/jshim/jshim-pause"), "#!/bin/sh\n");
        write(dist.resolve("lib/jshim/jshim-shim-server.jar"), "jar");
        write(dist.resolve("lib/jshim/shim.aot"), "tied to the build machine's paths");
    }

    // ---- version 2 ---------------------------------------------------------------------------------

    @Test
    void v2_debiansConfig_getsJshimAndRunc_idempotently_andUninstallRestoresIt() throws Exception {
        write(config, DEBIAN_V2);
        Result r = run("install");
        assertEquals(0, r.status, r.out);
        JsonNode t = DeployFiles.toml(Files.readString(config));
        JsonNode runtimes = at(t, "plugins", V2, "containerd", "runtimes");
        assertEquals("io.containerd.jshim.v2", at(runtimes, "jshim", "runtime_type").asText(), t.toString());
        assertEquals(SHIM, at(runtimes, "jshim", "runtime_path").asText());
        assertEquals("io.containerd.runc.v2", at(runtimes, "runc", "runtime_type").asText(),
                "runc declared: containerd 1.x replaces its default runtimes map");
        assertEquals("/usr/lib/cni", at(t, "plugins", V2, "cni", "bin_dir").asText(), "the node's settings stay");
        assertTrue(Files.readString(config).startsWith(DEBIAN_V2), "appended, not rewritten");
        assertFalse(Files.exists(node.resolve("etc/containerd/conf.d")), "no drop-in for version 2");
        assertInstalledFiles(SHIM);

        byte[] once = Files.readAllBytes(config);
        r = run("install");
        assertEquals(0, r.status, r.out);
        assertEquals(new String(once, StandardCharsets.UTF_8), Files.readString(config), "a second install adds nothing");
        assertTrue(r.out.contains("no restart"), r.out);

        r = run("uninstall");
        assertEquals(0, r.status, r.out);
        assertEquals(DEBIAN_V2, Files.readString(config));
        assertUninstalled();
    }

    @Test
    void v2_configWithRuncDeclared_getsOnlyJshim() throws Exception {
        String cfg = DEBIAN_V2 + """
                  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                    runtime_type = "io.containerd.runc.v2"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                      SystemdCgroup = false
                """;
        write(config, cfg);
        Result r = run("install");
        assertEquals(0, r.status, r.out);
        // parses: runc's table is not declared twice
        JsonNode runtimes = at(DeployFiles.toml(Files.readString(config)), "plugins", V2, "containerd", "runtimes");
        assertEquals("io.containerd.jshim.v2", at(runtimes, "jshim", "runtime_type").asText());
        assertFalse(at(runtimes, "runc", "options", "SystemdCgroup").asBoolean(true));
        assertEquals(1, count(Files.readString(config), "runtimes.runc]"));
        assertEquals(0, run("uninstall").status);
        assertEquals(cfg, Files.readString(config));
    }

    @Test
    void v2_handlerDeclaredByHand_isLeftAlone() throws Exception {
        String cfg = "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.jshim]\n"
                + "  runtime_type = \"io.containerd.jshim.v2\"\n";
        write(config, cfg);
        Result r = run("install");
        assertEquals(0, r.status, r.out);
        assertEquals(cfg, Files.readString(config));
        assertTrue(r.out.contains("already declares runtime 'jshim'"), r.out);
    }

    // ---- version 3 ---------------------------------------------------------------------------------

    @Test
    void v3_getsADropInListedUnderImports_idempotently_andUninstallRestoresIt() throws Exception {
        write(config, PLAIN_V3);
        Result r = run("install");
        assertEquals(0, r.status, r.out);
        JsonNode main = DeployFiles.toml(Files.readString(config));
        assertEquals(List.of("/etc/containerd/conf.d/jshim.toml"), strings(main.path("imports")));
        assertTrue(at(main, "plugins", V3, "restrict_oom_score_adj").asBoolean(), "the node's settings stay");
        Path dropin = node.resolve("etc/containerd/conf.d/jshim.toml");
        JsonNode d = DeployFiles.toml(dropin);
        assertEquals(3, d.path("version").asInt());
        JsonNode jshim = at(d, "plugins", V3, "containerd", "runtimes", "jshim");
        assertEquals("io.containerd.jshim.v2", jshim.path("runtime_type").asText(), d.toString());
        assertEquals(SHIM, jshim.path("runtime_path").asText());
        assertEquals("podsandbox", jshim.path("sandboxer").asText());
        assertInstalledFiles(SHIM);

        String once = Files.readString(config);
        String dropinOnce = Files.readString(dropin);
        r = run("install");
        assertEquals(0, r.status, r.out);
        assertEquals(once, Files.readString(config));
        assertEquals(dropinOnce, Files.readString(dropin));
        assertTrue(r.out.contains("no restart"), r.out);

        r = run("uninstall");
        assertEquals(0, r.status, r.out);
        assertEquals(PLAIN_V3, Files.readString(config));
        assertFalse(Files.exists(dropin));
        assertFalse(Files.exists(dropin.getParent()), "the drop-in dir install made");
        assertUninstalled();
    }

    @Test
    void v3_importsThatAlreadyCoverTheDropIn_areNotTouched() throws Exception {
        String cfg = "version = 3\nimports = [\"/etc/containerd/conf.d/*.toml\"]\n" + PLAIN_V3.substring("version = 3\n".length());
        write(config, cfg);
        Files.createDirectories(node.resolve("etc/containerd/conf.d"));
        Result r = run("install");
        assertEquals(0, r.status, r.out);
        assertEquals(cfg, Files.readString(config));
        assertTrue(Files.exists(node.resolve("etc/containerd/conf.d/jshim.toml")));
        assertEquals(0, run("uninstall").status);
        assertEquals(cfg, Files.readString(config));
        assertTrue(Files.isDirectory(node.resolve("etc/containerd/conf.d")), "a dir install did not make stays");
    }

    @Test
    void v3_existingImportsArrays_getTheDropInAdded_andUninstallRestoresThem() throws Exception {
        for (String imports : List.of("imports = [\"/etc/other.toml\"]", "imports = []",
                "imports = [\n  \"/etc/a.toml\",\n  \"/etc/b.toml\"\n]", "imports = [\n  \"/etc/a.toml\",\n]")) {
            String cfg = "version = 3\n" + imports + "\n\n[grpc]\n  address = \"/run/containerd/containerd.sock\"\n";
            write(config, cfg);
            Result r = run("install");
            assertEquals(0, r.status, r.out);
            List<String> got = strings(DeployFiles.toml(Files.readString(config)).path("imports"));
            assertEquals("/etc/containerd/conf.d/jshim.toml", got.get(got.size() - 1), imports + " -> " + got);
            assertEquals(1, count(String.join("\n", got), "jshim.toml"));
            String once = Files.readString(config);
            assertEquals(0, run("install").status);
            assertEquals(once, Files.readString(config), imports);
            assertEquals(0, run("uninstall").status);
            assertEquals(cfg, Files.readString(config), imports);
        }
    }

    // ---- no config ---------------------------------------------------------------------------------

    @Test
    void noConfig_containerd16_createsVersion2_andUninstallDeletesIt() throws Exception {
        fakeContainerd("containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+b1");
        Result r = run("install");
        assertEquals(0, r.status, r.out);
        JsonNode t = DeployFiles.toml(Files.readString(config));
        assertEquals(2, t.path("version").asInt());
        assertEquals("io.containerd.jshim.v2",
                at(t, "plugins", V2, "containerd", "runtimes", "jshim", "runtime_type").asText());
        assertEquals("io.containerd.runc.v2",
                at(t, "plugins", V2, "containerd", "runtimes", "runc", "runtime_type").asText());
        String once = Files.readString(config);
        assertEquals(0, run("install").status);
        assertEquals(once, Files.readString(config));
        assertEquals(0, run("uninstall").status);
        assertFalse(Files.exists(config), "the config install created is gone");
    }

    @Test
    void noConfig_containerd2_createsVersion3WithTheDropIn() throws Exception {
        fakeContainerd("containerd github.com/containerd/containerd/v2 v2.1.9 a8a6f6e");
        Result r = run("install");
        assertEquals(0, r.status, r.out);
        JsonNode t = DeployFiles.toml(Files.readString(config));
        assertEquals(3, t.path("version").asInt());
        assertEquals(List.of("/etc/containerd/conf.d/jshim.toml"), strings(t.path("imports")));
        assertEquals("io.containerd.jshim.v2", at(DeployFiles.toml(node.resolve("etc/containerd/conf.d/jshim.toml")),
                "plugins", V3, "containerd", "runtimes", "jshim", "runtime_type").asText());
        assertEquals(0, run("uninstall").status);
        assertFalse(Files.exists(config));
        assertFalse(Files.exists(node.resolve("etc/containerd/conf.d/jshim.toml")));
    }

    @Test
    void noConfig_noContainerd_needsTheVersion_orTakesItFromTheEnvironment() throws Exception {
        Result r = run("install");
        assertNotEquals(0, r.status);
        assertTrue(r.out.contains("CONTAINERD_CONFIG_VERSION"), r.out);
        r = run(Map.of("CONTAINERD_CONFIG_VERSION", "3"), "install");
        assertEquals(0, r.status, r.out);
        assertEquals(3, DeployFiles.toml(Files.readString(config)).path("version").asInt());
    }

    @Test
    void commentOnlyConfig_getsAVersionLine_andUninstallRestoresIt() throws Exception {
        String cfg = "# containerd's config: defaults\n";
        write(config, cfg);
        assertEquals(0, run(Map.of("CONTAINERD_CONFIG_VERSION", "2"), "install").status);
        assertEquals(2, DeployFiles.toml(Files.readString(config)).path("version").asInt());
        assertEquals(0, run("uninstall").status);
        assertEquals(cfg, Files.readString(config));
    }

    @Test
    void version1Config_isRefusedClearly() throws Exception {
        write(config, "[plugins.cri]\n  sandbox_image = \"x\"\n");
        Result r = run("install");
        assertNotEquals(0, r.status);
        assertTrue(r.out.contains("config version 1 is not supported"), r.out);
    }

    // ---- files, JDK, settings ----------------------------------------------------------------------

    @Test
    void bundledJdk_isInstalledWithAWrapper_thatConfigAndLinkName() throws Exception {
        Path artifacts = tmp.resolve("artifacts");
        exe(artifacts.resolve("jdk/bin/java"), "#!/bin/sh\n");
        write(artifacts.resolve("jdk/release"), "JAVA_VERSION=\"25.0.1\"\n");
        write(artifacts.resolve("pause.tar"), "an oci archive");
        write(config, DEBIAN_V2);
        Result r = run(Map.of("JSHIM_ARTIFACTS", artifacts.toString()), "install");
        assertEquals(0, r.status, r.out);
        Path wrapper = node.resolve("opt/jshim/shim/containerd-shim-jshim-v2");
        assertTrue(Files.isExecutable(wrapper));
        String w = Files.readString(wrapper);
        assertTrue(w.contains("JSHIM_JAVA_HOME=${JSHIM_JAVA_HOME:-/opt/jshim/jdk}"), w);
        assertTrue(w.contains("exec " + SHIM + " \"$@\""), w);
        assertTrue(Files.isExecutable(node.resolve("opt/jshim/jdk/bin/java")));
        assertTrue(Files.exists(node.resolve("opt/jshim/share/jshim/pause.tar")));
        assertEquals("/opt/jshim/shim/containerd-shim-jshim-v2", at(DeployFiles.toml(Files.readString(config)),
                "plugins", V2, "containerd", "runtimes", "jshim", "runtime_path").asText());
        assertEquals(Path.of("/opt/jshim/shim/containerd-shim-jshim-v2"),
                Files.readSymbolicLink(node.resolve("usr/local/bin/containerd-shim-jshim-v2")));
    }

    @Test
    void otherPrefixAndHandlerName_andNoLink() throws Exception {
        write(config, DEBIAN_V2);
        Result r = run(Map.of("JSHIM_PREFIX", "/usr/local/jshim", "JSHIM_RUNTIME_NAME", "jshim-test", "JSHIM_LINK", "0"),
                "install");
        assertEquals(0, r.status, r.out);
        JsonNode rt = at(DeployFiles.toml(Files.readString(config)), "plugins", V2, "containerd", "runtimes", "jshim-test");
        assertEquals("/usr/local/jshim/bin/containerd-shim-jshim-v2", rt.path("runtime_path").asText());
        assertTrue(Files.isExecutable(node.resolve("usr/local/jshim/bin/containerd-shim-jshim-v2")));
        assertFalse(Files.exists(node.resolve("usr/local/bin/containerd-shim-jshim-v2"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(r.out.contains("containerd 1.6 ignores runtime_path"), "version 2 without the link: " + r.out);
        assertEquals(0, run(Map.of("JSHIM_PREFIX", "/usr/local/jshim"), "uninstall").status);
        assertEquals(DEBIAN_V2, Files.readString(config));
        assertFalse(Files.exists(node.resolve("usr/local/jshim")));
    }

    @Test
    void printConfig_changesNothing() throws Exception {
        write(config, PLAIN_V3);
        Result r = run("print-config");
        assertEquals(0, r.status, r.out);
        assertTrue(r.out.contains("[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.jshim]"), r.out);
        assertEquals(PLAIN_V3, Files.readString(config));
        assertFalse(Files.exists(node.resolve("opt/jshim")));
    }

    @Test
    void badSettings_failBeforeTouchingAnything() throws Exception {
        write(config, DEBIAN_V2);
        for (Map<String, String> bad : List.of(Map.of("JSHIM_PREFIX", "opt/jshim"), Map.of("JSHIM_RUNTIME_NAME", "a b"),
                Map.of("CONTAINERD_CONFIG_VERSION", "4"), Map.of("JSHIM_DIST", tmp.resolve("nothing").toString()))) {
            Result r = run(bad, "install");
            assertNotEquals(0, r.status, bad + ": " + r.out);
            assertEquals(DEBIAN_V2, Files.readString(config), bad.toString());
        }
        assertFalse(Files.exists(node.resolve("opt/jshim")));
    }

    @Test
    void signalRestart_withoutTheNodesProc_failsClearly() throws Exception {
        write(config, DEBIAN_V2);
        Result r = run(Map.of("JSHIM_RESTART", "signal"), "install");
        assertNotEquals(0, r.status);
        assertTrue(r.out.contains("hostPID"), r.out);
    }

    @Test
    void autoRestart_onANodeWithoutSystemd_warnsAndLeavesContainerdAlone() throws Exception {
        write(config, DEBIAN_V2);
        Result r = run(Map.of("JSHIM_RESTART", "auto"), "install");
        assertEquals(0, r.status, r.out);
        assertTrue(r.out.contains("containerd NOT restarted"), r.out);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private void assertInstalledFiles(String shim) throws IOException {
        Path prefix = node.resolve("opt/jshim");
        for (String f : List.of("bin/jrunc", "bin/containerd-shim-jshim-v2", "libexec/jshim/jshim-init",
                "libexec/jshim/jshim-pause")) {
            assertTrue(Files.isExecutable(prefix.resolve(f)), f);
        }
        assertTrue(Files.exists(prefix.resolve("lib/jshim/jshim-shim-server.jar")));
        assertFalse(Files.exists(prefix.resolve("lib/jshim/shim.aot")), "AOT caches are made on the node");
        assertTrue(Files.exists(prefix.resolve("install-state")));
        assertEquals(Path.of(shim), Files.readSymbolicLink(node.resolve("usr/local/bin/containerd-shim-jshim-v2")));
    }

    private void assertUninstalled() {
        assertFalse(Files.exists(node.resolve("opt/jshim")), "prefix removed");
        assertFalse(Files.exists(node.resolve("usr/local/bin/containerd-shim-jshim-v2"),
                java.nio.file.LinkOption.NOFOLLOW_LINKS), "link removed");
    }

    private void fakeContainerd(String versionLine) throws IOException {
        exe(node.resolve("usr/bin/containerd"), "#!/bin/sh\necho '" + versionLine + "'\n");
    }

    record Result(int status, String out) {
    }

    private Result run(String action) throws Exception {
        return run(Map.of(), action);
    }

    private Result run(Map<String, String> extra, String action) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", DeployFiles.kubernetes("install-node.sh").toString(), action));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = new HashMap<>();
        env.put("NODE_ROOT", node.toString());
        env.put("JSHIM_DIST", dist.toString());
        env.put("JSHIM_ARTIFACTS", tmp.resolve("no-artifacts").toString());
        env.put("JSHIM_RESTART", "none");
        env.put("JSHIM_AOT", "0");
        env.putAll(extra);
        pb.environment().keySet().removeIf(k -> k.startsWith("JSHIM_") || k.startsWith("CONTAINERD_") || k.equals("NODE_ROOT"));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "install-node.sh timed out:\n" + out);
        return new Result(p.exitValue(), out);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }

    private static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private static void exe(Path p, String text) throws IOException {
        write(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
