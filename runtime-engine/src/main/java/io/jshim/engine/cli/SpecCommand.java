package io.jshim.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.json.GoJson;
import io.jshim.engine.json.RecordJson;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code jrunc spec}: writes runc's starter config.json (tab-indented, no trailing
 * newline) into the bundle dir; the cgroup namespace only on a cgroup-v2 host,
 * as runc does.
 */
final class SpecCommand implements Command {
    @Override
    public String name() {
        return "spec";
    }

    @Override
    public String usage() {
        return "spec [command options]";
    }

    @Override
    public List<Flag> flags() {
        return List.of(Flag.value("path to the root of the bundle directory", "bundle", "b"),
                Flag.bool("generate a configuration for a rootless container", "rootless"));
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.none(this, a);
        if (a.bool("rootless")) {
            throw new CommandFailed("spec --rootless needs user namespaces, which this version of jrunc does not "
                    + "support yet");
        }
        String b = a.value("bundle");
        Path dir = b == null || b.isEmpty() ? Path.of("") : Path.of(b);
        Path config = dir.resolve("config.json");
        if (Files.exists(config)) {
            throw new CommandFailed("File " + config + " exists. Remove it first");
        }
        ObjectNode spec = defaultSpec();
        Files.writeString(config, GoJson.indent(spec, "\t"));
        return 0;
    }

    static ObjectNode defaultSpec() throws Exception {
        JsonNode tree;
        try (InputStream in = SpecCommand.class.getResourceAsStream("/io/jshim/engine/default-spec.json")) {
            tree = RecordJson.parse(in.readAllBytes());
        }
        ObjectNode spec = (ObjectNode) tree;
        spec.put("ociVersion", StateJson.OCI_VERSION);
        if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
            ArrayNode ns = (ArrayNode) spec.path("linux").path("namespaces");
            ns.addObject().put("type", "cgroup");
        }
        return spec;
    }
}
