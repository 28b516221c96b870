package io.jshim.engine.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.json.Json;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hands the seccomp listener fd (SCMP_ACT_NOTIFY) to the agent at {@code listenerPath}:
 * connects to that unix stream socket and sends, in one sendmsg(2) with the fd attached
 * (SCM_RIGHTS), the container process state of config-linux.md "seccomp" / runtime-spec's
 * {@code ContainerProcessState}:
 * <pre>{"ociVersion":..., "fds":["seccompFd"], "pid":N, "metadata":..., "state":{"ociVersion":...,
 *  "id":..., "status":"creating", "pid":N, "bundle":..., "annotations":{...}}}</pre>
 * as runc does (libcontainer/process_linux.go sendContainerProcessState: status "creating",
 * metadata and annotations left out when empty). A failure fails create.
 */
public final class SeccompAgent {
    /** The runtime-spec version jrunc implements (as cli.StateJson reports it). */
    static final String OCI_VERSION = "1.0.2";
    /** runtime-spec's SeccompFdName. */
    static final String SECCOMP_FD_NAME = "seccompFd";

    private SeccompAgent() {
    }

    /** The JSON sent to the agent. */
    static byte[] processState(String id, int pid, String bundle, Map<String, String> annotations, String metadata) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("ociVersion", OCI_VERSION);
        n.putArray("fds").add(SECCOMP_FD_NAME);
        n.put("pid", pid);
        if (metadata != null && !metadata.isEmpty()) {
            n.put("metadata", metadata);
        }
        ObjectNode s = n.putObject("state");
        s.put("ociVersion", OCI_VERSION);
        s.put("id", id);
        s.put("status", "creating");
        s.put("pid", pid);
        s.put("bundle", bundle);
        if (annotations != null && !annotations.isEmpty()) {
            ObjectNode a = s.putObject("annotations");
            new TreeMap<>(annotations).forEach(a::put);
        }
        try {
            return Json.MAPPER.writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends the state and {@code listenerFd} to the agent. The caller keeps (and closes)
     * {@code listenerFd}.
     */
    public static void handOver(SeccompProfile profile, int listenerFd, String id, int pid, String bundle,
            Map<String, String> annotations) throws EngineException {
        String path = profile.listenerPath();
        byte[] state = processState(id, pid, bundle, annotations, profile.listenerMetadata());
        int sock;
        try {
            sock = FdPassing.connect(path);
        } catch (LinuxException e) {
            throw new EngineException(Kind.INTERNAL, "linux.seccomp.listenerPath: cannot reach the seccomp agent: "
                    + e.getMessage(), e);
        }
        try {
            FdPassing.send(sock, state, listenerFd);
        } catch (LinuxException e) {
            throw new EngineException(Kind.INTERNAL, "linux.seccomp.listenerPath: cannot send the seccomp fd to "
                    + path + ": " + e.getMessage(), e);
        } finally {
            Syscalls.close(sock);
        }
    }
}
