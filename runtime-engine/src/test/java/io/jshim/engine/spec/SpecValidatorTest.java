package io.jshim.engine.spec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.json.Json;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {
    static ObjectNode runcDefault() throws Exception {
        try (InputStream in = SpecValidatorTest.class.getResourceAsStream("/io/jshim/engine/default-spec.json")) {
            ObjectNode n = (ObjectNode) Json.MAPPER.readTree(in);
            ((ObjectNode) n.path("process")).put("terminal", false);
            return n;
        }
    }

    static Spec spec(ObjectNode n) throws Exception {
        return io.jshim.engine.json.RecordJson.bind(n, Spec.class);
    }

    private static String failure(ObjectNode n) throws Exception {
        Spec s = spec(n);
        return assertThrows(SpecException.class, () -> SpecValidator.validate(s)).getMessage();
    }

    @Test
    void runcsDefaultSpecIsValid() throws Exception {
        Spec s = spec(runcDefault());
        assertDoesNotThrow(() -> SpecValidator.validate(s));
    }

    @Test
    void unknownNamespaceTypeNamesTheType() throws Exception {
        ObjectNode n = runcDefault();
        ((ArrayNode) n.path("linux").path("namespaces")).addObject().put("type", "bogus");
        assertTrue(failure(n).contains("unknown namespace type \"bogus\""));
    }

    @Test
    void duplicateNamespaceIsAnError() throws Exception {
        ObjectNode n = runcDefault();
        ((ArrayNode) n.path("linux").path("namespaces")).addObject().put("type", "pid");
        assertTrue(failure(n).contains("duplicate namespace type \"pid\""));
    }

    @Test
    void unsupportedMajorVersionIsNamed() throws Exception {
        ObjectNode n = runcDefault();
        n.put("ociVersion", "2.0.0");
        assertTrue(failure(n).contains("ociVersion \"2.0.0\""));
    }

    @Test
    void emptyArgsAndRelativeCwdAreErrors() throws Exception {
        ObjectNode n = runcDefault();
        ((ObjectNode) n.path("process")).putArray("args");
        assertTrue(failure(n).contains("process.args"));
        ObjectNode m = runcDefault();
        ((ObjectNode) m.path("process")).put("cwd", "tmp");
        assertTrue(failure(m).contains("process.cwd"));
    }

    @Test
    void hostnameNeedsUtsNamespace() throws Exception {
        ObjectNode n = runcDefault();
        ArrayNode ns = (ArrayNode) n.path("linux").path("namespaces");
        for (int i = ns.size() - 1; i >= 0; i--) {
            if (ns.get(i).path("type").asText().equals("uts")) {
                ns.remove(i);
            }
        }
        assertTrue(failure(n).contains("UTS namespace"));
    }

    @Test
    void unknownAndDuplicateRlimitsAreErrors() throws Exception {
        ObjectNode n = runcDefault();
        ((ArrayNode) n.path("process").path("rlimits")).addObject().put("type", "RLIMIT_BOGUS").put("soft", 1)
                .put("hard", 1);
        assertTrue(failure(n).contains("RLIMIT_BOGUS"));
        ObjectNode m = runcDefault();
        ((ArrayNode) m.path("process").path("rlimits")).addObject().put("type", "RLIMIT_NOFILE").put("soft", 1)
                .put("hard", 1);
        assertTrue(failure(m).contains("duplicate rlimit"));
    }

    @Test
    void mountNamespaceIsRequired() throws Exception {
        ObjectNode n = runcDefault();
        ArrayNode ns = (ArrayNode) n.path("linux").path("namespaces");
        for (int i = ns.size() - 1; i >= 0; i--) {
            if (ns.get(i).path("type").asText().equals("mount")) {
                ns.remove(i);
            }
        }
        assertTrue(failure(n).contains("mount"));
    }
}
