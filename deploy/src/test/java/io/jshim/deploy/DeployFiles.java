package io.jshim.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where deploy/'s files are, and parsers for them. */
final class DeployFiles {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final TomlMapper TOML = new TomlMapper();

    private DeployFiles() {
    }

    /** The deploy module's directory (surefire runs in it; {@code basedir} when set). */
    static Path deployDir() {
        Path base = Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize();
        if (Files.isDirectory(base.resolve("kubernetes"))) {
            return base;
        }
        Path sub = base.resolve("deploy");
        if (Files.isDirectory(sub.resolve("kubernetes"))) {
            return sub;
        }
        throw new IllegalStateException("deploy/ not found from " + base);
    }

    static Path kubernetes(String name) {
        return deployDir().resolve("kubernetes").resolve(name);
    }

    static Path containerd(String name) {
        return deployDir().resolve("containerd").resolve(name);
    }

    /** Every document of a (multi-document) YAML file; empty documents are skipped. */
    static List<JsonNode> yamlDocuments(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    static JsonNode toml(Path file) throws IOException {
        return TOML.readTree(file.toFile());
    }

    static JsonNode toml(String text) throws IOException {
        return TOML.readTree(text);
    }

    /** Follows a path of keys (dots inside a key are literal: one argument per key). */
    static JsonNode at(JsonNode node, String... keys) {
        JsonNode n = node;
        for (String k : keys) {
            n = n.path(k);
        }
        return n;
    }

    /** The default image ref of deploy/pause/build-image.sh, read from the script. */
    static String defaultPauseRef() throws IOException {
        String script = Files.readString(deployDir().resolve("pause/build-image.sh"));
        Matcher m = Pattern.compile("(?m)^REF=\\$\\{2:-([^}]+)\\}$").matcher(script);
        if (!m.find()) {
            throw new IllegalStateException("no REF=${2:-...} default in build-image.sh");
        }
        return m.group(1);
    }
}
