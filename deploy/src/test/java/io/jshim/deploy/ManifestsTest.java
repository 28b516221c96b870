package io.jshim.deploy;

import static io.jshim.deploy.DeployFiles.at;
import static io.jshim.deploy.DeployFiles.kubernetes;
import static io.jshim.deploy.DeployFiles.yamlDocuments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests under deploy/kubernetes, parsed as (multi-document) YAML: kinds and API
 * versions, the handler name shared by the RuntimeClass and containerd's config, the installer DaemonSet's
 * privileges, volumes against volume mounts, images, the command running install-node.sh, and the settings
 * it passes being ones the script reads.
 */
class ManifestsTest {

    static final String INSTALLER_IMAGE = "localhost/jshim/jshim-installer:0.1.0";
    static final String SCRIPT = "/opt/jshim-artifacts/install-node.sh";

    @Test
    void everyManifest_parses_andEachDocumentHasApiVersionKindAndName() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(DeployFiles.deployDir().resolve("kubernetes"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertTrue(files.size() >= 4, "manifests: " + files);
        for (Path f : files) {
            List<JsonNode> docs = yamlDocuments(f);
            assertFalse(docs.isEmpty(), f + " has no document");
            for (JsonNode d : docs) {
                assertTrue(d.path("apiVersion").isTextual(), f + ": no apiVersion in " + d);
                assertTrue(d.path("kind").isTextual(), f + ": no kind in " + d);
                assertTrue(at(d, "metadata", "name").isTextual(), f + ": no metadata.name in " + d);
            }
        }
    }

    @Test
    void runtimeClass_namesHandlerJshim_asContainerdsConfigDoes() throws IOException {
        List<JsonNode> docs = yamlDocuments(kubernetes("runtimeclass.yaml"));
        assertEquals(1, docs.size());
        JsonNode rc = docs.get(0);
        assertEquals("node.k8s.io/v1", rc.path("apiVersion").asText());
        assertEquals("RuntimeClass", rc.path("kind").asText());
        assertEquals("jshim", at(rc, "metadata", "name").asText());
        assertEquals("jshim", rc.path("handler").asText());
        // the handler is the key of containerd's runtimes table, in both config versions
        JsonNode v2 = DeployFiles.toml(DeployFiles.containerd("jshim-config-v2.toml"));
        assertTrue(at(v2, "plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes", rc.path("handler").asText())
                .isObject(), v2.toString());
        JsonNode v3 = DeployFiles.toml(DeployFiles.containerd("jshim-config-v3.toml"));
        assertTrue(at(v3, "plugins", "io.containerd.cri.v1.runtime", "containerd", "runtimes", rc.path("handler").asText())
                .isObject(), v3.toString());
        // overhead as Kubernetes quantities
        assertTrue(at(rc, "overhead", "podFixed", "memory").asText().matches("[0-9]+(Ki|Mi|Gi)"), rc.toString());
        assertTrue(at(rc, "overhead", "podFixed", "cpu").asText().matches("[0-9]+m?"), rc.toString());
        // pods go where the installer runs
        JsonNode ds = only(yamlDocuments(kubernetes("jshim-deploy.yaml")), "DaemonSet");
        assertEquals(at(ds, "spec", "template", "spec", "nodeSelector"), at(rc, "scheduling", "nodeSelector"));
    }

    @Test
    void deployManifest_isNamespaceServiceAccountAndPrivilegedHostPidDaemonSet() throws IOException {
        List<JsonNode> docs = yamlDocuments(kubernetes("jshim-deploy.yaml"));
        assertEquals(List.of("Namespace", "ServiceAccount", "DaemonSet"),
                docs.stream().map(d -> d.path("kind").asText()).toList());
        JsonNode ns = only(docs, "Namespace");
        JsonNode sa = only(docs, "ServiceAccount");
        JsonNode ds = only(docs, "DaemonSet");
        assertEquals("v1", ns.path("apiVersion").asText());
        assertEquals("v1", sa.path("apiVersion").asText());
        assertEquals("apps/v1", ds.path("apiVersion").asText());
        String namespace = at(ns, "metadata", "name").asText();
        assertEquals(namespace, at(sa, "metadata", "namespace").asText());
        assertEquals(namespace, at(ds, "metadata", "namespace").asText());
        // Pod Security admission must let the privileged installer in
        assertEquals("privileged", at(ns, "metadata", "labels", "pod-security.kubernetes.io/enforce").asText());

        JsonNode pod = at(ds, "spec", "template", "spec");
        assertEquals(at(sa, "metadata", "name").asText(), pod.path("serviceAccountName").asText());
        assertTrue(pod.path("hostPID").asBoolean(), "hostPID (JSHIM_RESTART=signal, systemctl)");
        assertSelectorMatchesTemplate(ds);
        JsonNode c = onlyContainer(pod);
        assertTrue(at(c, "securityContext", "privileged").asBoolean(), "privileged: " + c);
        assertEquals(INSTALLER_IMAGE, c.path("image").asText());
        assertEquals(SCRIPT + " install", scriptCall(c));
        assertVolumesMatchMounts(pod, c, env(c).get("NODE_ROOT"));
        assertEnvIsReadByTheScript(c);
        // what the installer writes is on the node: prefix and config under a mounted host path
        assertUnderAMount(pod, c, env(c).get("NODE_ROOT"), env(c).get("JSHIM_PREFIX"));
        assertUnderAMount(pod, c, env(c).get("NODE_ROOT"), env(c).get("CONTAINERD_CONFIG"));
        assertTrue(pod.path("tolerations").isArray(), "tolerations: every node with the label, tainted or not");
    }

    @Test
    void cleanupManifest_runsUninstall_withTheInstallersImageMountsAndServiceAccount() throws IOException {
        List<JsonNode> deploy = yamlDocuments(kubernetes("jshim-deploy.yaml"));
        List<JsonNode> docs = yamlDocuments(kubernetes("jshim-cleanup.yaml"));
        assertEquals(List.of("DaemonSet"), docs.stream().map(d -> d.path("kind").asText()).toList());
        JsonNode ds = docs.get(0);
        assertEquals("apps/v1", ds.path("apiVersion").asText());
        assertEquals(at(only(deploy, "Namespace"), "metadata", "name").asText(), at(ds, "metadata", "namespace").asText());
        JsonNode pod = at(ds, "spec", "template", "spec");
        assertEquals(at(only(deploy, "ServiceAccount"), "metadata", "name").asText(), pod.path("serviceAccountName").asText());
        assertTrue(pod.path("hostPID").asBoolean());
        assertSelectorMatchesTemplate(ds);
        JsonNode c = onlyContainer(pod);
        assertTrue(at(c, "securityContext", "privileged").asBoolean());
        assertEquals(INSTALLER_IMAGE, c.path("image").asText());
        assertEquals(SCRIPT + " uninstall", scriptCall(c));
        assertVolumesMatchMounts(pod, c, env(c).get("NODE_ROOT"));
        assertEnvIsReadByTheScript(c);
        JsonNode installer = onlyContainer(at(only(deploy, "DaemonSet"), "spec", "template", "spec"));
        for (String k : List.of("NODE_ROOT", "JSHIM_PREFIX", "CONTAINERD_CONFIG")) {
            assertEquals(env(installer).get(k), env(c).get(k), "cleanup must undo what install did: " + k);
        }
        assertEquals(at(only(deploy, "DaemonSet"), "spec", "template", "spec", "volumes"), pod.path("volumes"));
        assertEquals(at(only(deploy, "DaemonSet"), "spec", "template", "spec", "nodeSelector"), pod.path("nodeSelector"));
    }

    @Test
    void examplePod_usesRuntimeClassJshim() throws IOException {
        String rcName = at(yamlDocuments(kubernetes("runtimeclass.yaml")).get(0), "metadata", "name").asText();
        try (Stream<Path> s = Files.list(kubernetes("examples"))) {
            List<Path> examples = s.filter(p -> p.toString().endsWith(".yaml")).toList();
            assertFalse(examples.isEmpty());
            for (Path f : examples) {
                for (JsonNode d : yamlDocuments(f)) {
                    JsonNode spec = d.path("kind").asText().equals("Pod") ? d.path("spec")
                            : at(d, "spec", "template", "spec");
                    assertEquals(rcName, spec.path("runtimeClassName").asText(), f + ": " + d);
                    Set<String> names = new HashSet<>();
                    for (JsonNode c : spec.path("containers")) {
                        assertTrue(names.add(c.path("name").asText()), f + ": duplicate container name");
                        assertFalse(c.path("image").asText().isEmpty(), f + ": container without image");
                    }
                }
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static JsonNode only(List<JsonNode> docs, String kind) {
        List<JsonNode> found = docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
        assertEquals(1, found.size(), "one " + kind + " expected");
        return found.get(0);
    }

    private static JsonNode onlyContainer(JsonNode podSpec) {
        JsonNode cs = podSpec.path("containers");
        assertEquals(1, cs.size(), "one container: " + cs);
        return cs.get(0);
    }

    private static void assertSelectorMatchesTemplate(JsonNode ds) {
        JsonNode match = at(ds, "spec", "selector", "matchLabels");
        JsonNode labels = at(ds, "spec", "template", "metadata", "labels");
        assertFalse(match.isEmpty(), "selector.matchLabels");
        match.properties().forEach(e -> assertEquals(e.getValue(), labels.path(e.getKey()),
                "template label " + e.getKey() + " must match the selector"));
    }

    /** command + args as one shell line, with the trailing "&& exec sleep infinity" removed. */
    private static String scriptCall(JsonNode c) {
        List<String> argv = new ArrayList<>();
        c.path("command").forEach(n -> argv.add(n.asText()));
        c.path("args").forEach(n -> argv.add(n.asText()));
        assertEquals(List.of("/bin/bash", "-c"), argv.subList(0, 2), "command: " + argv);
        assertEquals(3, argv.size(), "one shell line: " + argv);
        String line = argv.get(2);
        assertTrue(line.endsWith(" && exec sleep infinity"), "the pod stays up after the script: " + line);
        return line.substring(0, line.length() - " && exec sleep infinity".length());
    }

    private static Map<String, String> env(JsonNode c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : c.path("env")) {
            env.put(e.path("name").asText(), e.path("value").asText());
        }
        return env;
    }

    private static void assertEnvIsReadByTheScript(JsonNode c) throws IOException {
        String script = Files.readString(kubernetes("install-node.sh"));
        for (String name : env(c).keySet()) {
            assertTrue(script.contains("${" + name + ":-") || script.contains("${" + name + "}"),
                    name + " is not a setting install-node.sh reads");
        }
    }

    /** Every mount names a volume, every volume is mounted, each hostPath at NODE_ROOT + its path. */
    private static void assertVolumesMatchMounts(JsonNode pod, JsonNode c, String nodeRoot) {
        assertTrue(nodeRoot != null && nodeRoot.startsWith("/"), "NODE_ROOT env: " + nodeRoot);
        Map<String, JsonNode> volumes = new HashMap<>();
        for (JsonNode v : pod.path("volumes")) {
            if (volumes.put(v.path("name").asText(), v) != null) {
                fail("duplicate volume " + v.path("name").asText());
            }
        }
        Set<String> mounted = new HashSet<>();
        Set<String> mountPaths = new HashSet<>();
        for (JsonNode m : c.path("volumeMounts")) {
            String name = m.path("name").asText();
            assertTrue(volumes.containsKey(name), "volumeMount " + name + " has no volume");
            mounted.add(name);
            assertTrue(mountPaths.add(m.path("mountPath").asText()), "two mounts at " + m.path("mountPath").asText());
            JsonNode hostPath = volumes.get(name).path("hostPath");
            assertTrue(hostPath.path("path").isTextual(), "volume " + name + " is not a hostPath");
            String p = hostPath.path("path").asText();
            String expected = p.equals("/") ? nodeRoot : nodeRoot + p;
            assertEquals(expected, m.path("mountPath").asText(), "hostPath " + p + " must be mounted at NODE_ROOT + path");
            assertFalse(m.path("readOnly").asBoolean(false), "the installer writes through " + name);
        }
        assertEquals(volumes.keySet(), mounted, "volumes never mounted");
        assertTrue(volumes.values().stream().anyMatch(v -> at(v, "hostPath", "path").asText().equals("/")),
                "the node's root is mounted (chroot, /proc)");
    }

    private static void assertUnderAMount(JsonNode pod, JsonNode c, String nodeRoot, String nodePath) {
        assertTrue(nodePath != null && nodePath.startsWith("/"), "node path " + nodePath);
        boolean under = false;
        for (JsonNode m : c.path("volumeMounts")) {
            String mp = m.path("mountPath").asText();
            if ((nodeRoot + nodePath).startsWith(mp.endsWith("/") ? mp : mp + "/")) {
                under = true;
            }
        }
        assertTrue(under, nodePath + " is under no mount of " + pod.path("volumes"));
    }
}
