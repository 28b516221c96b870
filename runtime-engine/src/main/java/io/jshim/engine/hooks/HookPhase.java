package io.jshim.engine.hooks;

import io.jshim.engine.spec.Spec;
import java.util.List;

/**
 * The six hook lists of config.md "POSIX-platform Hooks", in lifecycle order
 * (runtime.md "Lifecycle"), with where each runs:
 * <ul>
 * <li>{@code prestart} (deprecated) and {@code createRuntime}: the runtime namespace,
 * during create, once the container's namespaces and mounts exist, before pivot_root;</li>
 * <li>{@code createContainer}: the container's namespaces, same moment, before
 * pivot_root, so the path resolves in the host's filesystem view;</li>
 * <li>{@code startContainer}: the container, during start, before the user program
 * runs; the path resolves inside the container;</li>
 * <li>{@code poststart}: the runtime namespace, once the user program has started;</li>
 * <li>{@code poststop}: the runtime namespace, at delete.</li>
 * </ul>
 */
public enum HookPhase {
    PRESTART("prestart", false, 0),
    CREATE_RUNTIME("createRuntime", false, 0),
    CREATE_CONTAINER("createContainer", true, 1),
    START_CONTAINER("startContainer", true, 2),
    POSTSTART("poststart", false, 0),
    POSTSTOP("poststop", false, 0);

    private final String specName;
    private final boolean inContainer;
    private final int wireCode;

    HookPhase(String specName, boolean inContainer, int wireCode) {
        this.specName = specName;
        this.inContainer = inContainer;
        this.wireCode = wireCode;
    }

    /** The key under {@code hooks} in config.json. */
    public String specName() {
        return specName;
    }

    /** Run by jshim-init inside the container's namespaces rather than by the engine. */
    public boolean inContainer() {
        return inContainer;
    }

    /** The phase code of PLAN_HOOK / PLAN_HOOK_STATE (sync_protocol.h JSHIM_HOOK_*); 0 for engine-run phases. */
    public int wireCode() {
        return wireCode;
    }

    /** This phase's list in {@code hooks}, empty when absent. */
    public List<Spec.Hook> of(Spec.Hooks hooks) {
        if (hooks == null) {
            return List.of();
        }
        List<Spec.Hook> l = switch (this) {
            case PRESTART -> hooks.prestart();
            case CREATE_RUNTIME -> hooks.createRuntime();
            case CREATE_CONTAINER -> hooks.createContainer();
            case START_CONTAINER -> hooks.startContainer();
            case POSTSTART -> hooks.poststart();
            case POSTSTOP -> hooks.poststop();
        };
        return l == null ? List.of() : l;
    }

    /** "hooks.prestart[2]": how messages name one hook. */
    public String label(int index) {
        return "hooks." + specName + "[" + index + "]";
    }
}
