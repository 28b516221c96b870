package io.jshim.engine.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.lifecycle.ContainerView;
import java.util.Map;
import java.util.TreeMap;

/** runc's state object (libcontainer's containerState): the keys and their order as runc prints them. */
final class StateJson {
    /** The runtime-spec version jrunc implements, reported as ociVersion (runc reports its own, not the bundle's). */
    static final String OCI_VERSION = "1.0.2";

    private StateJson() {
    }

    static ObjectNode of(ContainerView v, String owner) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("ociVersion", OCI_VERSION);
        n.put("id", v.state().id());
        n.put("pid", v.pid());
        n.put("status", v.status().text());
        n.put("bundle", v.state().bundle());
        n.put("rootfs", v.state().rootfs());
        n.put("created", v.state().created());
        Map<String, String> ann = v.state().annotations();
        if (ann != null && !ann.isEmpty()) {
            ObjectNode a = n.putObject("annotations");
            new TreeMap<>(ann).forEach(a::put);
        }
        n.put("owner", owner);
        return n;
    }
}
