package io.jshim.engine.features;

import io.jshim.engine.json.RecordJson;
import io.jshim.engine.spec.NamespaceType;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import io.jshim.engine.spec.SpecValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * The namespace types {@code create} accepts, found by asking the validator that
 * {@code create} itself runs: a minimal config with a new namespace of each type (and,
 * for a user namespace, the id maps it requires) either passes or is refused. So the list
 * can never claim a type that create would turn down.
 */
final class NamespaceSupport {
    private NamespaceSupport() {
    }

    /** The spec names of the accepted types, sorted (runc's KnownNamespaces order). */
    static Set<String> supported() {
        Set<String> out = new TreeSet<>();
        for (NamespaceType t : NamespaceType.values()) {
            if (accepted(t)) {
                out.add(t.specName());
            }
        }
        return out;
    }

    static boolean accepted(NamespaceType t) {
        try {
            SpecValidator.validate(probe(t));
            return true;
        } catch (SpecException e) {
            return false;
        }
    }

    /** Built from JSON, so that it follows the spec model as fields are added to it. */
    static Spec probe(NamespaceType t) {
        StringBuilder ns = new StringBuilder("{\"type\":\"mount\"}");
        if (t != NamespaceType.MOUNT) {
            ns.append(",{\"type\":\"").append(t.specName()).append("\"}");
        }
        String maps = t == NamespaceType.USER
                ? ",\"uidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":65536}]"
                        + ",\"gidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":65536}]"
                : "";
        String json = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
                + "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},"
                + "\"linux\":{\"namespaces\":[" + ns + "]" + maps + "}}";
        try {
            return RecordJson.read(json.getBytes(StandardCharsets.UTF_8), Spec.class);
        } catch (IOException | RecordJson.BindException e) {
            throw new IllegalStateException("namespace probe config does not parse: " + e.getMessage(), e);
        }
    }
}
