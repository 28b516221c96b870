package io.jshim.engine.namespace;

import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.spec.NamespaceType;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the spec's user and time namespaces, sysctls and process attributes add to an
 * {@link InitPlan}, and the checks that run before anything is made (SpecValidator calls
 * {@link #check}, PlanBuilder {@link #addTo}).
 */
public final class NamespacePlan {
    private NamespacePlan() {
    }

    /** Every check of this package: user namespace and id maps, time offsets, sysctls, process attributes. */
    public static void check(Spec spec) throws SpecException {
        UserNamespace.of(spec);
        TimeNamespace.of(spec);
        Sysctls.check(spec);
        ProcessAttributes.check(spec);
    }

    /** Adds the time namespace, sysctl, scheduler, I/O priority and personality records. */
    public static void addTo(InitPlan plan, Spec spec) throws SpecException {
        TimeNamespace time = TimeNamespace.of(spec);
        if (time.create()) {
            plan.timeNamespace(time.monotonicSecs(), time.monotonicNanos(), time.boottimeSecs(),
                    time.boottimeNanos());
        }
        Sysctls.check(spec).forEach(plan::sysctl);
        ProcessAttributes.addTo(plan, spec);
    }

    /**
     * The namespaces in the order jshim-init must join them: the time namespace, then the user
     * namespace, then the rest in the order given.
     *
     * <p>The user namespace goes before the others so that the clone() after the joins makes
     * the new namespaces owned by it, and as runc orders them (configs.NamespaceTypes()). A
     * time namespace goes even before it: setns(2) into a time namespace needs CAP_SYS_ADMIN in
     * the user namespace that owns it, and one that jshim-init made for a container with a new
     * user namespace is owned by the host's (it is made before clone(), see
     * {@link TimeNamespace}); inside the container's user namespace that capability is gone,
     * while the host's root, which runs jshim-init, holds it over every user namespace.
     */
    public static List<Spec.Namespace> joinOrder(List<Spec.Namespace> namespaces) {
        List<Spec.Namespace> out = new ArrayList<>(namespaces.size());
        namespaces.stream().filter(n -> "time".equals(n.type())).forEach(out::add);
        namespaces.stream().filter(n -> "user".equals(n.type())).forEach(out::add);
        namespaces.stream().filter(n -> !"user".equals(n.type()) && !"time".equals(n.type())).forEach(out::add);
        return out;
    }

    /**
     * Whether a new namespace of this type comes from a CLONE_NEW* flag of jshim-init's
     * clone(). A new time namespace does not: CLONE_NEWTIME lies in clone()'s signal byte, and
     * the offsets must be written before the first process enters (PLAN_TIME_OFFSETS).
     */
    public static boolean madeByClone(NamespaceType type) {
        return type != NamespaceType.TIME;
    }
}
