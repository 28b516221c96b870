package io.jshim.engine.hooks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.json.GoJson;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state a hook reads on its stdin (runtime.md "State"; config.md "POSIX-platform
 * Hooks"): {@code {"ociVersion","id","status","pid","bundle","annotations"}}, compact,
 * in that order, {@code pid} left out when 0 and {@code annotations} when empty, as
 * runc's specs.State marshals ({@code pid,omitempty}, {@code annotations,omitempty}).
 *
 * <p>The pid is the container process as seen where the hook runs (runtime.md: "as
 * seen by the runtime" for runtime-namespace hooks; jshim-init fills in its own
 * getpid() for createContainer and startContainer, as runc does, which reads 1 in a
 * new pid namespace).
 */
public final class HookState {
    /** The runtime-spec version jrunc reports (the same as {@code state}'s ociVersion). */
    public static final String OCI_VERSION = "1.0.2";

    /** Splits the JSON around the pid for jshim-init, which inserts the decimal pid in between. */
    public record Template(String beforePid, String afterPid) {
    }

    private final String id;
    private final String bundle;
    private final Map<String, String> annotations;

    public HookState(String id, String bundle, Map<String, String> annotations) {
        this.id = id;
        this.bundle = bundle;
        this.annotations = annotations == null ? Map.of() : new TreeMap<>(annotations);
    }

    /** The JSON for {@code status} and {@code pid} (0: no pid, as for {@code stopped}). */
    public String json(String status, int pid) {
        return GoJson.compact(node(status, pid, pid != 0));
    }

    /**
     * The JSON for {@code status} with a pid that only jshim-init knows, split where
     * the digits go. Only ociVersion, the id (which cannot hold a quote: see
     * ContainerId) and the status precede the pid, so its key is found first.
     */
    public Template template(String status) {
        final String key = "\"pid\":";
        String withZero = GoJson.compact(node(status, 0, true));
        int at = withZero.indexOf(key) + key.length();
        return new Template(withZero.substring(0, at), withZero.substring(at + 1));
    }

    private ObjectNode node(String status, int pid, boolean withPid) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("ociVersion", OCI_VERSION);
        n.put("id", id);
        n.put("status", status);
        if (withPid) {
            n.put("pid", pid);
        }
        n.put("bundle", bundle);
        if (!annotations.isEmpty()) {
            ObjectNode a = n.putObject("annotations");
            annotations.forEach(a::put);
        }
        return n;
    }
}
