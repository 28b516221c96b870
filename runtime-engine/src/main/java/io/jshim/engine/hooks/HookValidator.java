package io.jshim.engine.hooks;

import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks {@code hooks} before anything is created, so that a bad hook fails
 * {@code create} with one line naming it and leaves nothing behind:
 * {@code path} is required and absolute, {@code timeout} greater than zero
 * (config.md "POSIX-platform Hooks"), and a hook that runs in the runtime
 * namespace must exist and be executable now
 * ({@code hooks.prestart[0]: /nope: no such file or directory}).
 *
 * <p>createContainer and startContainer paths resolve in the container's mount
 * namespace (after its mounts; startContainer after pivot_root), which does not
 * exist yet: jshim-init reports those when it runs them, and create (or start)
 * fails cleanly then.
 */
public final class HookValidator {
    private HookValidator() {
    }

    public static void validate(Spec.Hooks hooks) throws SpecException {
        for (HookPhase phase : HookPhase.values()) {
            List<Spec.Hook> list = phase.of(hooks);
            for (int i = 0; i < list.size(); i++) {
                check(phase, i, list.get(i));
            }
        }
    }

    private static void check(HookPhase phase, int i, Spec.Hook h) throws SpecException {
        String label = phase.label(i);
        if (h == null || h.path() == null || h.path().isEmpty()) {
            throw new SpecException(label + ": path is required");
        }
        if (!h.path().startsWith("/")) {
            throw new SpecException(label + ": path \"" + h.path() + "\" must be absolute");
        }
        if (h.timeout() != null && h.timeout() <= 0) {
            throw new SpecException(label + ": timeout must be greater than zero, got " + h.timeout());
        }
        if (h.args() != null && h.args().stream().anyMatch(a -> a == null)) {
            throw new SpecException(label + ": args must not contain null");
        }
        if (h.env() != null && h.env().stream().anyMatch(e -> e == null || !e.contains("="))) {
            throw new SpecException(label + ": env entries must look like KEY=value");
        }
        if (phase.inContainer()) {
            return;
        }
        Path p = Path.of(h.path());
        if (!Files.exists(p)) {
            throw new SpecException(label + ": " + h.path() + ": no such file or directory");
        }
        if (Files.isDirectory(p)) {
            throw new SpecException(label + ": " + h.path() + ": is a directory");
        }
        if (!Files.isExecutable(p)) {
            throw new SpecException(label + ": " + h.path() + ": permission denied");
        }
    }
}
