package io.jshim.engine.namespace;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import io.jshim.engine.spec.SpecProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The container's user namespace (config-linux.md "User namespace mappings"): none, a new one
 * with the spec's uid/gid maps, or an existing one joined by path. Checked before anything is
 * made ({@link #of}); at create, between MSG_PID and MSG_GO, {@link #prepare} writes the maps
 * of a new namespace and hands the exec FIFO to the container's root, as runc does.
 *
 * <p>The container's setup runs as uid/gid 0 of the namespace (jshim-init switches to them
 * after MSG_GO, as runc's nsexec does), so 0 must be mapped, as must the process's user.
 */
public final class UserNamespace {
    /** No user namespace: the container runs in the engine's. */
    public static final UserNamespace NONE = new UserNamespace(false, null, null, null);

    private static final Path PROC = Path.of("/proc");
    private static final Pattern PROC_NS_PATH = Pattern.compile("/proc/(\\d+)/ns/user");

    private final boolean created;
    private final String joinPath;
    private final IdMap uidMap;
    private final IdMap gidMap;

    private UserNamespace(boolean created, String joinPath, IdMap uidMap, IdMap gidMap) {
        this.created = created;
        this.joinPath = joinPath;
        this.uidMap = uidMap;
        this.gidMap = gidMap;
    }

    /** Reads and checks the user namespace part of {@code spec}. */
    public static UserNamespace of(Spec spec) throws SpecException {
        Spec.Linux linux = spec.linux();
        List<Spec.IdMapping> uids = linux == null || linux.uidMappings() == null ? List.of() : linux.uidMappings();
        List<Spec.IdMapping> gids = linux == null || linux.gidMappings() == null ? List.of() : linux.gidMappings();
        Spec.Namespace ns = linux == null || linux.namespaces() == null ? null : linux.namespaces().stream()
                .filter(n -> "user".equals(n.type())).findFirst().orElse(null);
        if (ns == null) {
            if (!uids.isEmpty() || !gids.isEmpty()) {
                throw new SpecException("linux.uidMappings/gidMappings: id mappings without a user namespace "
                        + "(add {\"type\": \"user\"} to linux.namespaces)");
            }
            return NONE;
        }
        if (!Files.exists(Path.of("/proc/self/ns/user"))) {
            throw new SpecException("linux.namespaces: this kernel has no user namespaces (CONFIG_USER_NS)");
        }
        if (ns.path() != null && !ns.path().isEmpty()) {
            checkJoinedMaps(ns.path(), uids, gids);
            return new UserNamespace(false, ns.path(), null, null);
        }
        if (uids.isEmpty() || gids.isEmpty()) {
            throw new SpecException("linux.namespaces: a new user namespace needs both linux.uidMappings and "
                    + "linux.gidMappings (missing: " + (uids.isEmpty() ? "uidMappings" : "gidMappings") + ")");
        }
        IdMap uidMap = IdMap.fromSpec("linux.uidMappings", uids);
        IdMap gidMap = IdMap.fromSpec("linux.gidMappings", gids);
        checkMapped(spec.process(), uidMap, gidMap);
        return new UserNamespace(true, null, uidMap, gidMap);
    }

    private static void checkMapped(SpecProcess p, IdMap uidMap, IdMap gidMap) throws SpecException {
        if (!uidMap.maps(0)) {
            throw new SpecException("linux.uidMappings: container uid 0 is not mapped; the container is set up as "
                    + "root of its user namespace, so map 0 (e.g. {\"containerID\": 0, \"hostID\": 100000, "
                    + "\"size\": 65536})");
        }
        if (!gidMap.maps(0)) {
            throw new SpecException("linux.gidMappings: container gid 0 is not mapped; the container is set up as "
                    + "root of its user namespace, so map 0");
        }
        if (p == null || p.user() == null) {
            return;
        }
        SpecProcess.User u = p.user();
        if (u.uid() != null && !uidMap.maps(u.uid())) {
            throw new SpecException("process.user.uid " + u.uid() + " is not mapped by linux.uidMappings");
        }
        if (u.gid() != null && !gidMap.maps(u.gid())) {
            throw new SpecException("process.user.gid " + u.gid() + " is not mapped by linux.gidMappings");
        }
        if (u.additionalGids() != null) {
            for (Long g : u.additionalGids()) {
                if (g != null && !gidMap.maps(g)) {
                    throw new SpecException("process.user.additionalGids: gid " + g + " is not mapped by "
                            + "linux.gidMappings");
                }
            }
        }
    }

    /**
     * A joined namespace's maps are fixed (they can be written once): mappings in the spec may
     * only restate them (runc 1.2 checks the same; config-linux.md: a runtime MUST error out if
     * the config asks for anything else of a namespace joined by path). They are compared with
     * the maps shown by {@code /proc/PID/uid_map} when the path is {@code /proc/PID/ns/user}.
     */
    private static void checkJoinedMaps(String path, List<Spec.IdMapping> uids, List<Spec.IdMapping> gids)
            throws SpecException {
        if (uids.isEmpty() && gids.isEmpty()) {
            return;
        }
        Matcher m = PROC_NS_PATH.matcher(path);
        if (!m.matches()) {
            throw new SpecException("linux.uidMappings/gidMappings: the user namespace is joined by path (" + path
                    + ") and keeps its own maps; leave the mappings out");
        }
        Path pid = PROC.resolve(m.group(1));
        compare(path, "linux.uidMappings", uids, pid.resolve("uid_map"));
        compare(path, "linux.gidMappings", gids, pid.resolve("gid_map"));
    }

    private static void compare(String nsPath, String field, List<Spec.IdMapping> spec, Path mapFile)
            throws SpecException {
        if (spec.isEmpty()) {
            return;
        }
        IdMap wanted = IdMap.fromSpec(field, spec);
        IdMap actual;
        try {
            actual = IdMap.parse(Files.readString(mapFile));
        } catch (IOException e) {
            throw new SpecException(field + ": cannot read " + mapFile + " to compare with the joined user namespace "
                    + nsPath + ": " + e.getMessage(), e);
        }
        if (!new HashSet<>(wanted.ranges()).equals(new HashSet<>(actual.ranges()))) {
            throw new SpecException(field + " (" + wanted.render().strip().replace('\n', ',')
                    + ") differ from the maps of the joined user namespace " + nsPath + " ("
                    + actual.render().strip().replace('\n', ',') + ")");
        }
    }

    /** Whether the container has a user namespace of its own or joined. */
    public boolean isNone() {
        return !created && joinPath == null;
    }

    /**
     * Between MSG_PID and MSG_GO (the child waits for GO before it uses any id): writes the
     * maps of a new namespace to {@code /proc/PID/uid_map} and {@code gid_map}, then gives the
     * exec FIFO to the host ids of the container's root (runc's createExecFifo chowns it too),
     * since the FIFO is reopened through /proc/self/fd by that root.
     *
     * <p>setgroups is left "allow": the writer (root here) has CAP_SETGID over the parent
     * namespace, which is what user_namespaces(7) asks before gid_map may be written
     * without "deny"; runc writes gid_map directly too.
     */
    public void prepare(int pid, Path execFifo) throws EngineException {
        if (isNone()) {
            return;
        }
        Path proc = PROC.resolve(Integer.toString(pid));
        if (created) {
            writeMap(proc.resolve("uid_map"), uidMap);
            writeMap(proc.resolve("gid_map"), gidMap);
        }
        long rootUid = hostIdOfRoot(proc.resolve("uid_map"), "uid");
        long rootGid = hostIdOfRoot(proc.resolve("gid_map"), "gid");
        if (execFifo != null) {
            try {
                Files.setAttribute(execFifo, "unix:uid", (int) rootUid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(execFifo, "unix:gid", (int) rootGid, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new EngineException(Kind.INTERNAL, "chown " + execFifo + " to " + rootUid + ":" + rootGid
                        + " (root of the container's user namespace): " + e.getMessage(), e);
            }
        }
    }

    /** One write(2) with every line: the kernel accepts a single write per map file. */
    private static void writeMap(Path file, IdMap map) throws EngineException {
        byte[] text = map.render().getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            int n = ch.write(ByteBuffer.wrap(text));
            if (n != text.length) {
                throw new IOException("short write (" + n + " of " + text.length + " bytes)");
            }
        } catch (IOException e) {
            throw new EngineException(Kind.INTERNAL, "write " + file + " (\"" + map.render().strip()
                    .replace("\n", "\\n") + "\"): " + reason(e), e);
        }
    }

    private static long hostIdOfRoot(Path mapFile, String kind) throws EngineException {
        try {
            return IdMap.parse(Files.readString(mapFile)).toHost(0).orElseThrow(() -> new EngineException(
                    Kind.INVALID_ARGUMENT, "the container's user namespace does not map " + kind + " 0 (" + mapFile
                            + "): jrunc sets the container up as its root"));
        } catch (IOException e) {
            throw new EngineException(Kind.INTERNAL, "read " + mapFile + ": " + reason(e), e);
        }
    }

    /** The kernel's reason, lower-cased as Go prints errno text ("invalid argument"). */
    private static String reason(IOException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int colon = m.lastIndexOf(": ");
        String r = colon >= 0 ? m.substring(colon + 2) : m;
        return r.isEmpty() ? m : Character.toLowerCase(r.charAt(0)) + r.substring(1);
    }

    @Override
    public String toString() {
        return isNone() ? "no user namespace" : created ? "new user namespace" : "user namespace " + joinPath;
    }
}
