package io.jshim.engine.namespace;

import static io.jshim.engine.namespace.Specs.addNamespace;
import static io.jshim.engine.namespace.Specs.failure;
import static io.jshim.engine.namespace.Specs.linux;
import static io.jshim.engine.namespace.Specs.removeNamespace;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** runc's rule set: only sysctls of namespaces the container owns. */
class SysctlsTest {

    private static Map<String, String> paths(String key, String value) throws Exception {
        return Sysctls.check(Specs.spec(n -> linux(n).with("sysctl").put(key, value)));
    }

    @Test
    void namespacedKeysBecomePathsBelowProcSys() throws Exception {
        assertEquals(Map.of("net/ipv4/ip_forward", "1"), paths("net.ipv4.ip_forward", "1"));
        assertEquals(Map.of("kernel/shmmax", "1024"), paths("kernel.shmmax", "1024"));
        assertEquals(Map.of("fs/mqueue/msg_max", "20"), paths("fs.mqueue.msg_max", "20"));
        assertEquals(Map.of("kernel/domainname", "example"), paths("kernel.domainname", "example"));
        // sysctl.d(5) slash form: a dot inside a component (a VLAN interface) stays a dot
        assertEquals(Map.of("net/ipv4/conf/eno2.100/rp_filter", "0"), paths("net/ipv4/conf/eno2.100/rp_filter", "0"));
        assertEquals("net.ipv4.conf.eno2/100.rp_filter", Sysctls.dotted("net/ipv4/conf/eno2.100/rp_filter"));
    }

    @Test
    void aKeyOfNoNamespaceIsAnError() throws Exception {
        assertEquals("linux.sysctl: \"kernel.pid_max\" is not namespaced: jrunc only sets sysctls of namespaces "
                + "the container owns", failure(n -> linux(n).with("sysctl").put("kernel.pid_max", "100000")));
        assertEquals("linux.sysctl: \"vm.swappiness\" is not namespaced: jrunc only sets sysctls of namespaces "
                + "the container owns", failure(n -> linux(n).with("sysctl").put("vm.swappiness", "10")));
    }

    @Test
    void keysOfASharedNamespaceAreErrors() throws Exception {
        assertEquals("linux.sysctl: \"net.ipv4.ip_forward\" belongs to the network namespace, and the container "
                + "shares the host's (add {\"type\": \"network\"} to linux.namespaces)", failure(n -> {
                    removeNamespace(n, "network");
                    linux(n).with("sysctl").put("net.ipv4.ip_forward", "1");
                }));
        assertEquals("linux.sysctl: \"kernel.msgmax\" belongs to the ipc namespace, and the container shares the "
                + "host's (add {\"type\": \"ipc\"} to linux.namespaces)", failure(n -> {
                    removeNamespace(n, "ipc");
                    linux(n).with("sysctl").put("kernel.msgmax", "8192");
                }));
        assertEquals("linux.sysctl: \"net.core.somaxconn\" would change the host: the network namespace "
                + "/proc/self/ns/net is the host's", failure(n -> {
                    removeNamespace(n, "network");
                    addNamespace(n, "network", "/proc/self/ns/net");
                    linux(n).with("sysctl").put("net.core.somaxconn", "1");
                }));
        assertEquals("linux.sysctl: \"kernel.domainname\" is not namespaced: jrunc only sets sysctls of namespaces "
                + "the container owns", failure(n -> {
                    removeNamespace(n, "uts");
                    n.remove("hostname");
                    linux(n).with("sysctl").put("kernel.domainname", "x");
                }));
        assertEquals("linux.sysctl: \"kernel.hostname\" is not allowed as it conflicts with the \"hostname\" field: "
                + "set that instead", failure(n -> linux(n).with("sysctl").put("kernel.hostname", "x")));
    }

    @Test
    void namesThatLeaveProcSysAreRefused() throws Exception {
        assertEquals("linux.sysctl: \"net/ipv4/../../kernel/core_pattern\" is not a sysctl name",
                failure(n -> linux(n).with("sysctl").put("net/ipv4/../../kernel/core_pattern", "|/x")));
        assertEquals("linux.sysctl: \"net..ipv4\" is not a sysctl name",
                failure(n -> linux(n).with("sysctl").put("net..ipv4", "1")));
    }
}
