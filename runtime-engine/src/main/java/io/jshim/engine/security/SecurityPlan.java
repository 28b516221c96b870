package io.jshim.engine.security;

import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import io.jshim.engine.spec.SpecProcess;
import java.util.Optional;

/**
 * The security settings of one container, checked and resolved against the host: the
 * capability sets, no_new_privs, the seccomp profile, oomScoreAdj, and the refusal of LSM
 * labels the host cannot apply. {@link #of} runs in create's validation (so bad values fail
 * before anything is made) and again in the plan builder, which adds the records with
 * {@link #addTo}.
 */
public final class SecurityPlan {
    private final CapabilitySets capabilities;
    private final boolean noNewPrivileges;
    private final Optional<SeccompProfile> seccomp;
    private final Integer oomScoreAdj;

    private SecurityPlan(CapabilitySets capabilities, boolean noNewPrivileges, Optional<SeccompProfile> seccomp,
            Integer oomScoreAdj) {
        this.capabilities = capabilities;
        this.noNewPrivileges = noNewPrivileges;
        this.seccomp = seccomp;
        this.oomScoreAdj = oomScoreAdj;
    }

    public static SecurityPlan of(Spec spec) throws SpecException {
        return of(spec, HostSecurity.probe());
    }

    public static SecurityPlan of(Spec spec, HostSecurity host) throws SpecException {
        SpecProcess p = spec.process();
        Spec.Linux linux = spec.linux();
        LsmLabels.check(p.apparmorProfile(), p.selinuxLabel(), linux == null ? null : linux.mountLabel(), host);
        CapabilitySets caps = CapabilitySets.fromSpec(p.capabilities(), "process.capabilities", host.lastCap());
        OomScoreAdj.validate(p.oomScoreAdj());
        Optional<SeccompProfile> seccomp = SeccompProfile.parse(linux == null ? null : linux.seccomp());
        return new SecurityPlan(caps, Boolean.TRUE.equals(p.noNewPrivileges()), seccomp, p.oomScoreAdj());
    }

    /**
     * Checks that jrunc can grant the capabilities (see {@link CapabilitySets#checkGrantable});
     * separate from {@link #of} so that building a plan needs no privileges (unit tests).
     */
    public void checkGrantable(Spec spec, HostSecurity host) throws SpecException {
        capabilities.checkGrantable("process.capabilities", host.ownPermitted(), userNamespace(spec.linux()));
    }

    private static boolean userNamespace(Spec.Linux linux) {
        return linux != null && linux.namespaces() != null
                && linux.namespaces().stream().anyMatch(n -> "user".equals(n.type()));
    }

    /** PLAN_CAPS (always: an absent process.capabilities is the empty set), PLAN_NO_NEW_PRIVS, PLAN_SECCOMP*. */
    public void addTo(InitPlan plan) {
        plan.capabilities(capabilities.bounding(), capabilities.effective(), capabilities.permitted(),
                capabilities.inheritable(), capabilities.ambient());
        if (noNewPrivileges) {
            plan.noNewPrivileges();
        }
        seccomp.ifPresent(s -> s.addTo(plan));
    }

    public CapabilitySets capabilities() {
        return capabilities;
    }

    public boolean noNewPrivileges() {
        return noNewPrivileges;
    }

    public Optional<SeccompProfile> seccomp() {
        return seccomp;
    }

    /** The profile when its listener fd must go to an agent (SCMP_ACT_NOTIFY), else empty. */
    public Optional<SeccompProfile> seccompAgent() {
        return seccomp.filter(SeccompProfile::usesNotify);
    }

    /** process.oomScoreAdj, or null when absent. */
    public Integer oomScoreAdj() {
        return oomScoreAdj;
    }
}
