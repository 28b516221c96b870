package io.jshim.engine.features;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.cgroup.CgroupFeatures;
import io.jshim.engine.cgroup.CgroupLayout;
import io.jshim.engine.hooks.HookPhase;
import io.jshim.engine.security.CapabilityNames;
import io.jshim.engine.security.SeccompTables;
import io.jshim.engine.spec.MountOptions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code jrunc features}: the runtime-spec features document (features.md,
 * features-linux.md; runc types/features), keys in the spec's Go field order. Every list
 * is read from the table the code itself works from, so it says what this build really
 * does: hook phases from {@link HookPhase}, mount options from {@link MountOptions},
 * namespaces from what the validator accepts, capabilities from {@link CapabilityNames},
 * seccomp names from the profile parser's tables, cgroup controllers from the managers'
 * writers.
 */
public final class Features {
    /** The oldest runtime-spec version whose configs jrunc reads (as runc: any 1.x from 1.0.0). */
    public static final String OCI_VERSION_MIN = "1.0.0";
    public static final String ANNOTATION_LIBSECCOMP = "io.github.seccomp.libseccomp.version";
    public static final String ANNOTATION_VERSION = "io.jshim.version";

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Features() {
    }

    /**
     * @param ociVersionMax the spec version jrunc implements (what {@code state} reports)
     * @param version       jrunc's own version
     * @param libseccomp    jshim-init's libseccomp version, if known
     */
    public static ObjectNode build(String ociVersionMax, String version, Optional<String> libseccomp) {
        ObjectNode f = F.objectNode();
        f.put("ociVersionMin", OCI_VERSION_MIN);
        f.put("ociVersionMax", ociVersionMax);
        List<String> hooks = new ArrayList<>();
        for (HookPhase p : HookPhase.values()) {
            hooks.add(p.specName());
        }
        strings(f, "hooks", hooks);
        strings(f, "mountOptions", MountOptions.known());

        ObjectNode linux = f.putObject("linux");
        strings(linux, "namespaces", NamespaceSupport.supported());
        List<String> caps = new ArrayList<>();
        for (int i = 0; i <= CapabilityNames.last(); i++) {
            caps.add(CapabilityNames.name(i));
        }
        strings(linux, "capabilities", caps);

        ObjectNode cgroup = linux.putObject("cgroup");
        // Both managers (V1Manager, V2Manager) are built in; there is no systemd driver:
        // jrunc refuses --systemd-cgroup.
        cgroup.put("v1", true);
        cgroup.put("v2", true);
        cgroup.put("systemd", false);
        cgroup.put("systemdUser", false);
        cgroup.put("rdma", CgroupFeatures.controllers(CgroupLayout.Mode.V1).contains("rdma")
                && CgroupFeatures.controllers(CgroupLayout.Mode.V2).contains("rdma"));

        // jshim-init is always linked with libseccomp (the build requires it).
        ObjectNode seccomp = linux.putObject("seccomp");
        seccomp.put("enabled", true);
        strings(seccomp, "actions", SeccompTables.actions());
        strings(seccomp, "operators", SeccompTables.operators());
        strings(seccomp, "archs", SeccompTables.architectures());
        strings(seccomp, "knownFlags", SeccompTables.flags());

        // No AppArmor, SELinux or Intel RDT support: asking for them is an error.
        linux.putObject("apparmor").put("enabled", false);
        linux.putObject("selinux").put("enabled", false);
        linux.putObject("intelRdt").put("enabled", false);
        // idmapped mounts would show up as the idmap/ridmap mount options.
        linux.putObject("mountExtensions").putObject("idmap").put("enabled",
                MountOptions.known().contains("idmap"));

        Map<String, String> ann = new TreeMap<>();
        libseccomp.ifPresent(v -> ann.put(ANNOTATION_LIBSECCOMP, v));
        ann.put(ANNOTATION_VERSION, version);
        ObjectNode a = f.putObject("annotations");
        ann.forEach(a::put);
        return f;
    }

    private static void strings(ObjectNode parent, String key, Collection<String> values) {
        ArrayNode arr = parent.putArray(key);
        values.forEach(arr::add);
    }
}
