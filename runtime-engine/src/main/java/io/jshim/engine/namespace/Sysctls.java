package io.jshim.engine.namespace;

import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code linux.sysctl}: only keys of a namespace the container owns may be set, or the
 * container would change the host (runc's validator, libcontainer/configs/validate
 * {@code sysctl}, whose rules these are):
 * <ul>
 *   <li>the IPC keys {@code kernel.msgmax, msgmnb, msgmni, sem, shmall, shmmax, shmmni,
 *       shm_rmid_forced} and {@code fs.mqueue.*} need the container's own ipc namespace (new or
 *       joined);</li>
 *   <li>{@code net.*} needs a network namespace that is not the engine's own (a joined one is
 *       compared by device and inode with /proc/self/ns/net);</li>
 *   <li>{@code kernel.domainname} needs a uts namespace; {@code kernel.hostname} is refused
 *       in favour of the {@code hostname} field, which it would contradict;</li>
 *   <li>anything else is not namespaced: an error.</li>
 * </ul>
 * Keys may use "/" as separator (sysctl.d(5)); they are turned into a path below /proc/sys
 * as runc does, where a "." inside a "/"-separated component (an interface name like
 * {@code eno2.100}) stays a dot.
 */
public final class Sysctls {
    private static final Set<String> IPC_KEYS = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
            "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");
    private static final Path HOST_NET = Path.of("/proc/self/ns/net");

    private Sysctls() {
    }

    /**
     * Checks every key and returns {@code path below /proc/sys → value}, in the spec's order.
     * An empty map when there are none.
     */
    public static Map<String, String> check(Spec spec) throws SpecException {
        Map<String, String> out = new LinkedHashMap<>();
        Spec.Linux linux = spec.linux();
        if (linux == null || linux.sysctl() == null || linux.sysctl().isEmpty()) {
            return out;
        }
        Boolean hostNet = null;
        for (Map.Entry<String, String> e : linux.sysctl().entrySet()) {
            String key = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue();
            String dotted = dotted(key);
            String path = procSysPath(key);
            if (value.indexOf('\0') >= 0) {
                throw new SpecException("linux.sysctl: the value of \"" + key + "\" contains a NUL byte");
            }
            if (IPC_KEYS.contains(dotted) || dotted.startsWith("fs.mqueue.")) {
                if (namespace(linux, "ipc") == null) {
                    throw new SpecException("linux.sysctl: \"" + key + "\" belongs to the ipc namespace, and the "
                            + "container shares the host's (add {\"type\": \"ipc\"} to linux.namespaces)");
                }
            } else if (dotted.startsWith("net.")) {
                Spec.Namespace net = namespace(linux, "network");
                if (net == null) {
                    throw new SpecException("linux.sysctl: \"" + key + "\" belongs to the network namespace, and "
                            + "the container shares the host's (add {\"type\": \"network\"} to linux.namespaces)");
                }
                if (net.path() != null && !net.path().isEmpty()) {
                    if (hostNet == null) {
                        hostNet = isHostNetwork(net.path());
                    }
                    if (hostNet) {
                        throw new SpecException("linux.sysctl: \"" + key + "\" would change the host: the network "
                                + "namespace " + net.path() + " is the host's");
                    }
                }
            } else if (dotted.equals("kernel.domainname") && namespace(linux, "uts") != null) {
                // namespaced, and no OCI field says otherwise
            } else if (dotted.equals("kernel.hostname") && namespace(linux, "uts") != null) {
                throw new SpecException("linux.sysctl: \"" + key + "\" is not allowed as it conflicts with the "
                        + "\"hostname\" field: set that instead");
            } else {
                throw new SpecException("linux.sysctl: \"" + key + "\" is not namespaced: jrunc only sets sysctls "
                        + "of namespaces the container owns");
            }
            out.put(path, value);
        }
        return out;
    }

    private static Spec.Namespace namespace(Spec.Linux linux, String type) {
        if (linux.namespaces() == null) {
            return null;
        }
        return linux.namespaces().stream().filter(n -> type.equals(n.type())).findFirst().orElse(null);
    }

    /** runc's isHostNetNS: "host" is the namespace this engine runs in. */
    private static boolean isHostNetwork(String path) throws SpecException {
        try {
            Object a = Files.getAttribute(HOST_NET, "unix:dev");
            Object b = Files.getAttribute(Path.of(path), "unix:dev");
            Object ia = Files.getAttribute(HOST_NET, "unix:ino");
            Object ib = Files.getAttribute(Path.of(path), "unix:ino");
            return a.equals(b) && ia.equals(ib);
        } catch (IOException e) {
            throw new SpecException("linux.namespaces: network namespace path " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The key with "." as separator (runc's convertSysctlVariableToDotsSeparator): when the
     * first separator is "/", dots and slashes swap ("net/ipv4/conf/eno2.100/rp_filter" →
     * "net.ipv4.conf.eno2/100.rp_filter").
     */
    static String dotted(String key) {
        int first = indexOfAny(key);
        if (first < 0 || key.charAt(first) == '.') {
            return key;
        }
        return swap(key);
    }

    /** The file below /proc/sys for a key in either form; refuses keys that would leave it. */
    static String procSysPath(String key) throws SpecException {
        String path = swap(dotted(key));
        if (key.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
            throw new SpecException("linux.sysctl: \"" + key + "\" is not a sysctl name");
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new SpecException("linux.sysctl: \"" + key + "\" is not a sysctl name");
            }
        }
        return path;
    }

    private static int indexOfAny(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '.' || s.charAt(i) == '/') {
                return i;
            }
        }
        return -1;
    }

    private static String swap(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            sb.append(c == '.' ? '/' : c == '/' ? '.' : c);
        }
        return sb.toString();
    }
}
