package io.jshim.shim.task;

import io.jshim.engine.Engine;
import io.jshim.engine.EngineException;
import io.jshim.engine.lifecycle.CreateRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ContainerRuntime} on the engine, in-process (design.md §2: the shim never execs jrunc): one
 * {@link Engine} per state root. The daemon is a child subreaper and reaps every container init itself,
 * so creates are made with {@code subreaper = true}.
 */
public final class EngineRuntime implements ContainerRuntime {

    /** One for every engine: a sealed copy of jshim-init made once per daemon (see runFromSealedCopy). */
    private final io.jshim.engine.plan.InitLauncher launcher;
    private final Map<Path, Engine> engines = new ConcurrentHashMap<>();

    public EngineRuntime(Path initBinary) {
        this.launcher = new io.jshim.engine.plan.InitLauncher(initBinary).runFromSealedCopy();
    }

    private Engine engine(Path root) {
        return engines.computeIfAbsent(root, r -> new Engine(r, launcher));
    }

    @Override
    public int create(CreateSpec spec) throws EngineException {
        CreateRequest req = new CreateRequest(spec.id(), spec.bundle(), spec.pidFile(), null, spec.noPivot(),
                spec.noNewKeyring(), 0, true, spec.consoleFd()).withStdio(spec.stdio());
        return engine(spec.root()).create(req).pid();
    }

    @Override
    public void start(Path root, String id) throws EngineException {
        engine(root).start(id);
    }

    @Override
    public void kill(Path root, String id, int signal, boolean all) throws EngineException {
        engine(root).kill(id, signal, all);
    }

    @Override
    public void delete(Path root, String id, boolean force) throws EngineException {
        engine(root).delete(id, force);
    }

    @Override
    public int exec(Path root, String id, byte[] processJson, int[] stdio) throws EngineException {
        return exec(root, id, processJson, stdio, -1);
    }

    @Override
    public int exec(Path root, String id, byte[] processJson, int[] stdio, int consoleFd) throws EngineException {
        io.jshim.engine.lifecycle.ExecRequest.ProcessSource source = template -> {
            try {
                // containerd sends a complete Process; a terminal needs the relay's console socket
                com.fasterxml.jackson.databind.JsonNode node = io.jshim.engine.json.RecordJson.parse(processJson);
                if (consoleFd < 0 && node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
                    o.put("terminal", false);
                }
                return io.jshim.engine.json.RecordJson.bind(node, io.jshim.engine.spec.SpecProcess.class);
            } catch (java.io.IOException | io.jshim.engine.json.RecordJson.BindException e) {
                throw new EngineException(EngineException.Kind.INVALID_ARGUMENT, "exec in " + id + ": process spec: "
                        + e.getMessage(), e);
            }
        };
        return engine(root).exec(new io.jshim.engine.lifecycle.ExecRequest(id, source, null, consoleFd, 0, null,
                false, stdio)).pid();
    }

    @Override
    public List<Integer> pids(Path root, String id) throws EngineException {
        return engine(root).pids(id);
    }

    @Override
    public void pause(Path root, String id) throws EngineException {
        engine(root).pause(id);
    }

    @Override
    public void resume(Path root, String id) throws EngineException {
        engine(root).resume(id);
    }

    @Override
    public com.google.protobuf.Any stats(Path root, String id) throws EngineException {
        return CgroupMetrics.of(engine(root).stats(id), unified());
    }

    @Override
    public void update(Path root, String id, byte[] resourcesJson) throws EngineException {
        io.jshim.engine.spec.LinuxResources r;
        try {
            r = io.jshim.engine.json.RecordJson.read(resourcesJson, io.jshim.engine.spec.LinuxResources.class);
        } catch (java.io.IOException | io.jshim.engine.json.RecordJson.BindException e) {
            throw new EngineException(EngineException.Kind.INVALID_ARGUMENT, "update " + id + ": resources: "
                    + e.getMessage(), e);
        }
        engine(root).update(id, r);
    }

    @Override
    public io.jshim.engine.cgroup.stats.OomWatcher oomWatcher(Path root, String id) throws EngineException {
        return engine(root).oomWatcher(id);
    }

    private volatile Boolean unified;

    private boolean unified() {
        Boolean u = unified;
        if (u == null) {
            try {
                u = io.jshim.engine.cgroup.CgroupLayout.detect().mode() == io.jshim.engine.cgroup.CgroupLayout.Mode.V2;
            } catch (io.jshim.engine.cgroup.CgroupException e) {
                u = false;
            }
            unified = u;
        }
        return u;
    }
}
