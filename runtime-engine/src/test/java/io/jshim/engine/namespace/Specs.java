package io.jshim.engine.namespace;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.json.Json;
import io.jshim.engine.json.RecordJson;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import io.jshim.engine.spec.SpecValidator;
import java.io.InputStream;
import java.util.function.Consumer;

/** runc's default config.json, edited, as a {@link Spec}; and the one-line error a bad one gives. */
final class Specs {
    private Specs() {
    }

    static ObjectNode runcDefault() throws Exception {
        try (InputStream in = Specs.class.getResourceAsStream("/io/jshim/engine/default-spec.json")) {
            ObjectNode n = (ObjectNode) Json.MAPPER.readTree(in);
            ((ObjectNode) n.path("process")).put("terminal", false);
            return n;
        }
    }

    static Spec spec(Consumer<ObjectNode> edit) throws Exception {
        ObjectNode n = runcDefault();
        edit.accept(n);
        return RecordJson.bind(n, Spec.class);
    }

    /** The message SpecValidator gives for the edited default spec (which must be refused). */
    static String failure(Consumer<ObjectNode> edit) throws Exception {
        Spec s = spec(edit);
        return assertThrows(SpecException.class, () -> SpecValidator.validate(s)).getMessage();
    }

    static ObjectNode linux(ObjectNode n) {
        return (ObjectNode) n.path("linux");
    }

    static void addNamespace(ObjectNode n, String type, String path) {
        ObjectNode ns = ((ArrayNode) linux(n).path("namespaces")).addObject().put("type", type);
        if (path != null) {
            ns.put("path", path);
        }
    }

    static void removeNamespace(ObjectNode n, String type) {
        ArrayNode ns = (ArrayNode) linux(n).path("namespaces");
        for (int i = ns.size() - 1; i >= 0; i--) {
            if (type.equals(ns.get(i).path("type").asText())) {
                ns.remove(i);
            }
        }
    }

    static void map(ObjectNode n, String field, long container, long host, long size) {
        linux(n).withArrayProperty(field).addObject().put("containerID", container).put("hostID", host)
                .put("size", size);
    }
}
