package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.json.RecordJson;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import io.jshim.engine.spec.SpecLoader;
import io.jshim.engine.state.ContainerState;
import io.jshim.engine.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * A copy of the config.json a container was created from, kept in its state dir
 * ({@code <root>/<id>/config.json}, 0600: env may hold secrets). runtime.md:
 * "Any updates to config.json after [create] MUST NOT affect the container" —
 * so start (poststart hooks), delete (poststop hooks) and exec (the process
 * template, the seccomp profile) read this copy, never the bundle's file.
 */
final class SavedConfig {
    static final String FILE = "config.json";
    /** poststart and poststop hooks alone, so that start and delete need not parse the whole config. */
    static final String HOOKS_FILE = "hooks.json";

    private SavedConfig() {
    }

    static void save(StateStore store, String id, Path bundle, Spec spec) throws EngineException {
        Path to = store.dir(id).resolve(FILE);
        try {
            Files.copy(bundle.resolve(FILE), to, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-------"));
            Spec.Hooks h = spec.hooks();
            if (h != null && (notEmpty(h.poststart()) || notEmpty(h.poststop()))) {
                Path hooks = store.dir(id).resolve(HOOKS_FILE);
                Files.write(hooks, RecordJson.write(new Spec.Hooks(null, null, null, null,
                        h.poststart(), h.poststop())));
                Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException e) {
            throw new EngineException(Kind.INTERNAL, "save " + bundle.resolve(FILE) + " to " + to + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean notEmpty(java.util.List<?> l) {
        return l != null && !l.isEmpty();
    }

    /** The container's poststart and poststop hooks, when it has any. */
    static Optional<Spec.Hooks> lifecycleHooks(StateStore store, String id) throws EngineException {
        Path f = store.dir(id).resolve(HOOKS_FILE);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(RecordJson.read(Files.readAllBytes(f), Spec.Hooks.class));
        } catch (IOException | RecordJson.BindException e) {
            throw new EngineException(Kind.INTERNAL, "read the hooks of container " + id + " from " + f + ": "
                    + e.getMessage(), e);
        }
    }

    /** The saved spec; a container made before copies were kept falls back to its bundle's config.json. */
    static Spec load(StateStore store, ContainerState s) throws EngineException {
        Path dir = store.dir(s.id());
        try {
            return SpecLoader.load(Files.isRegularFile(dir.resolve(FILE)) ? dir : Path.of(s.bundle()));
        } catch (SpecException e) {
            throw new EngineException(Kind.INTERNAL, "load the config of container " + s.id() + ": "
                    + e.getMessage(), e);
        }
    }
}
