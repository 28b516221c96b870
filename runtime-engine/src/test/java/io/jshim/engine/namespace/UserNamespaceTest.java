package io.jshim.engine.namespace;

import static io.jshim.engine.namespace.Specs.addNamespace;
import static io.jshim.engine.namespace.Specs.failure;
import static io.jshim.engine.namespace.Specs.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.engine.spec.SpecValidator;
import org.junit.jupiter.api.Test;

/** linux.uidMappings/gidMappings and the user namespace: what is accepted, and the one-line errors. */
class UserNamespaceTest {

    @Test
    void mappingsWithAUserNamespaceAreValid() throws Exception {
        var s = Specs.spec(n -> {
            addNamespace(n, "user", null);
            map(n, "uidMappings", 0, 100000, 65536);
            map(n, "gidMappings", 0, 100000, 65536);
        });
        SpecValidator.validate(s);
        assertFalse(UserNamespace.of(s).isNone());
        assertTrue(UserNamespace.of(Specs.spec(n -> { })).isNone());
    }

    @Test
    void idMappingsWithoutAUserNamespaceAreAnError() throws Exception {
        assertEquals("linux.uidMappings/gidMappings: id mappings without a user namespace (add {\"type\": "
                + "\"user\"} to linux.namespaces)", failure(n -> map(n, "uidMappings", 0, 100000, 65536)));
    }

    @Test
    void aNewUserNamespaceNeedsBothMapsAndRootMapped() throws Exception {
        assertTrue(failure(n -> addNamespace(n, "user", null)).contains("needs both linux.uidMappings and "
                + "linux.gidMappings (missing: uidMappings)"));
        assertTrue(failure(n -> {
            addNamespace(n, "user", null);
            map(n, "uidMappings", 0, 100000, 65536);
        }).contains("(missing: gidMappings)"));
        assertTrue(failure(n -> {
            addNamespace(n, "user", null);
            map(n, "uidMappings", 1, 100000, 65536);
            map(n, "gidMappings", 0, 100000, 65536);
        }).startsWith("linux.uidMappings: container uid 0 is not mapped"));
    }

    @Test
    void theProcessUserMustBeMapped() throws Exception {
        assertEquals("process.user.uid 70000 is not mapped by linux.uidMappings", failure(n -> {
            addNamespace(n, "user", null);
            map(n, "uidMappings", 0, 100000, 65536);
            map(n, "gidMappings", 0, 100000, 65536);
            n.with("process").with("user").put("uid", 70000);
        }));
    }

    @Test
    void badMapsAreRefusedWithTheKernelsRules() throws Exception {
        assertEquals("linux.uidMappings[1]: container ids 10..19 overlap linux.uidMappings[0] (0..65535)",
                failure(n -> {
                    addNamespace(n, "user", null);
                    map(n, "uidMappings", 0, 100000, 65536);
                    map(n, "uidMappings", 10, 300000, 10);
                    map(n, "gidMappings", 0, 100000, 65536);
                }));
        assertEquals("linux.gidMappings[0]: size must be at least 1, got 0", failure(n -> {
            addNamespace(n, "user", null);
            map(n, "uidMappings", 0, 100000, 65536);
            map(n, "gidMappings", 0, 100000, 0);
        }));
        assertEquals("linux.uidMappings[0]: hostID 4294967000 with size 65536 runs outside the id space "
                + "0..4294967294", failure(n -> {
                    addNamespace(n, "user", null);
                    map(n, "uidMappings", 0, 4294967000L, 65536);
                    map(n, "gidMappings", 0, 100000, 65536);
                }));
    }

    @Test
    void aJoinedNamespaceKeepsItsMaps() throws Exception {
        // our own user namespace: its maps are "0 0 4294967295"
        var ok = Specs.spec(n -> {
            addNamespace(n, "user", "/proc/1/ns/user");
            map(n, "uidMappings", 0, 0, 4294967295L);
        });
        assertTrue(UserNamespace.of(Specs.spec(n -> addNamespace(n, "user", "/proc/1/ns/user"))).toString()
                .contains("/proc/1/ns/user"));
        assertTrue(failure(n -> {
            addNamespace(n, "user", "/proc/1/ns/user");
            map(n, "uidMappings", 0, 100000, 65536);
            map(n, "gidMappings", 0, 100000, 65536);
        }).contains("differ from the maps of the joined user namespace /proc/1/ns/user"));
        assertTrue(failure(n -> {
            addNamespace(n, "user", "/run/netns/x");
            map(n, "uidMappings", 0, 100000, 65536);
        }).contains("keeps its own maps; leave the mappings out"));
        SpecValidator.validate(ok); // restating the joined namespace's maps is fine
    }
}
