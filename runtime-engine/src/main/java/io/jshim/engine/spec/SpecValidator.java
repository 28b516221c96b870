package io.jshim.engine.spec;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a config.json before anything is created, so that a bad spec fails with
 * one clear line and leaves nothing behind (runtime.md: "an error must leave the
 * state as if the operation was never attempted").
 */
public final class SpecValidator {
    /** The runtime-spec major version jrunc implements. */
    public static final int SUPPORTED_MAJOR = 1;

    private SpecValidator() {
    }

    public static void validate(Spec spec) throws SpecException {
        checkVersion(spec.ociVersion());
        if (spec.root() == null || spec.root().path() == null || spec.root().path().isEmpty()) {
            throw new SpecException("root.path is required in config.json");
        }
        checkProcess(spec.process());
        Set<NamespaceType> namespaces = checkNamespaces(spec.linux());
        if (!namespaces.contains(NamespaceType.MOUNT)) {
            throw new SpecException("linux.namespaces must contain a \"mount\" namespace: jrunc sets up the root "
                    + "filesystem in a mount namespace of the container's own");
        }
        if (spec.hostname() != null && !spec.hostname().isEmpty() && !namespaces.contains(NamespaceType.UTS)) {
            throw new SpecException("unable to set hostname without a private UTS namespace "
                    + "(add {\"type\": \"uts\"} to linux.namespaces)");
        }
        if (spec.domainname() != null && !spec.domainname().isEmpty() && !namespaces.contains(NamespaceType.UTS)) {
            throw new SpecException("unable to set domainname without a private UTS namespace "
                    + "(add {\"type\": \"uts\"} to linux.namespaces)");
        }
        checkMounts(spec.mounts());
        checkLinux(spec.linux());
        // user/time namespaces, id maps, sysctl, scheduler, ioPriority, personality
        io.jshim.engine.namespace.NamespacePlan.check(spec);
    }

    static void checkVersion(String version) throws SpecException {
        if (version == null || version.isEmpty()) {
            throw new SpecException("ociVersion is required in config.json");
        }
        String major = version.split("[.-]", 2)[0];
        int m;
        try {
            m = Integer.parseInt(major);
        } catch (NumberFormatException e) {
            throw new SpecException("invalid ociVersion \"" + version + "\": not a semantic version");
        }
        if (m != SUPPORTED_MAJOR) {
            throw new SpecException("unsupported ociVersion \"" + version + "\": jrunc implements runtime-spec "
                    + SUPPORTED_MAJOR + ".x");
        }
    }

    private static void checkProcess(SpecProcess p) throws SpecException {
        if (p == null) {
            throw new SpecException("process is required in config.json");
        }
        if (p.args() == null || p.args().isEmpty() || p.args().get(0) == null || p.args().get(0).isEmpty()) {
            throw new SpecException("process.args must not be empty: name the program to run, "
                    + "e.g. \"args\": [\"sh\"]");
        }
        if (p.cwd() == null || p.cwd().isEmpty()) {
            throw new SpecException("process.cwd is required and must be an absolute path");
        }
        if (!p.cwd().startsWith("/")) {
            throw new SpecException("process.cwd must be an absolute path, got \"" + p.cwd() + "\"");
        }
        if (p.user() == null || p.user().uid() == null || p.user().gid() == null) {
            throw new SpecException("process.user.uid and process.user.gid are required");
        }
        if (p.rlimits() != null) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < p.rlimits().size(); i++) {
                SpecProcess.Rlimit r = p.rlimits().get(i);
                if (r.type() == null || RlimitType.resource(r.type()) < 0) {
                    throw new SpecException("process.rlimits[" + i + "]: unknown rlimit type \"" + r.type() + "\"");
                }
                if (!seen.add(r.type())) {
                    throw new SpecException("process.rlimits[" + i + "]: duplicate rlimit type \"" + r.type() + "\"");
                }
                if (r.soft() == null || r.hard() == null) {
                    throw new SpecException("process.rlimits[" + i + "] (" + r.type() + "): soft and hard are required");
                }
                if (Long.compareUnsigned(r.soft(), r.hard()) > 0) {
                    throw new SpecException("process.rlimits[" + i + "] (" + r.type() + "): soft limit " + r.soft()
                            + " is above hard limit " + r.hard());
                }
            }
        }
    }

    static Set<NamespaceType> checkNamespaces(Spec.Linux linux) throws SpecException {
        Set<NamespaceType> seen = EnumSet.noneOf(NamespaceType.class);
        if (linux == null || linux.namespaces() == null) {
            return seen;
        }
        List<Spec.Namespace> list = linux.namespaces();
        for (int i = 0; i < list.size(); i++) {
            Spec.Namespace ns = list.get(i);
            NamespaceType type = NamespaceType.fromSpec(ns.type()).orElseThrow(() -> new SpecException(
                    "unknown namespace type \"" + ns.type() + "\" in linux.namespaces: valid types are "
                            + "pid, network, mount, ipc, uts, user, cgroup, time"));
            if (!seen.add(type)) {
                throw new SpecException("duplicate namespace type \"" + ns.type() + "\" in linux.namespaces");
            }
            if (ns.path() != null && !ns.path().isEmpty() && !ns.path().startsWith("/")) {
                throw new SpecException("linux.namespaces: path of the " + ns.type()
                        + " namespace must be absolute, got \"" + ns.path() + "\"");
            }
        }
        return seen;
    }

    private static void checkMounts(List<Spec.Mount> mounts) throws SpecException {
        if (mounts == null) {
            return;
        }
        for (int i = 0; i < mounts.size(); i++) {
            Spec.Mount m = mounts.get(i);
            if (m.destination() == null || m.destination().isEmpty()) {
                throw new SpecException("mounts[" + i + "]: destination is required");
            }
            if (m.destination().contains("..")) {
                for (String part : m.destination().split("/")) {
                    if (part.equals("..")) {
                        throw new SpecException("mounts[" + i + "]: destination \"" + m.destination()
                                + "\" must not contain \"..\"");
                    }
                }
            }
        }
    }

    private static void checkLinux(Spec.Linux linux) throws SpecException {
        if (linux == null) {
            return;
        }
        if (linux.rootfsPropagation() != null && !linux.rootfsPropagation().isEmpty()
                && MountOptions.propagation(linux.rootfsPropagation()) == 0) {
            throw new SpecException("linux.rootfsPropagation: unknown value \"" + linux.rootfsPropagation()
                    + "\" (shared, slave, private, unbindable, or their r-prefixed forms)");
        }
    }
}
