package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.spec.NamespaceType;
import io.jshim.engine.spec.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The namespaces an exec'd process joins: every namespace of the container's
 * init that is not the engine's own (compared by /proc/[pid]/ns/* link, which
 * names the namespace's inode). That is what runc joins too (each namespace type
 * of the config, through /proc/[init]/ns/[type]) minus the ones the container
 * shares with the host, where setns would be a no-op (or, for the user
 * namespace, EINVAL). The user namespace comes first, so that the other joins
 * happen with its capabilities (setns(2)); the mount namespace last.
 */
final class ExecNamespaces {
    private static final NamespaceType[] ORDER = {
        NamespaceType.USER, NamespaceType.IPC, NamespaceType.UTS, NamespaceType.NETWORK, NamespaceType.PID,
        NamespaceType.CGROUP, NamespaceType.TIME, NamespaceType.MOUNT,
    };

    private ExecNamespaces() {
    }

    static List<Spec.Namespace> of(int initPid) throws EngineException {
        List<Spec.Namespace> out = new ArrayList<>();
        for (NamespaceType t : ORDER) {
            Path theirs = Path.of("/proc/" + initPid + "/ns/" + t.procName());
            Path ours = Path.of("/proc/self/ns/" + t.procName());
            try {
                if (!Files.exists(ours, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue; // the kernel has no such namespace (time before 5.6)
                }
                if (!Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(ours))) {
                    out.add(new Spec.Namespace(t.specName(), theirs.toString()));
                }
            } catch (NoSuchFileException e) {
                throw new EngineException(Kind.FAILED_PRECONDITION, "cannot exec in a stopped container");
            } catch (IOException e) {
                throw new EngineException(Kind.INTERNAL, "read " + theirs + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
