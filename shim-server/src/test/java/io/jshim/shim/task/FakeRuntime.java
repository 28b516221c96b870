package io.jshim.shim.task;

import io.jshim.engine.EngineException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A {@link ContainerRuntime} that records calls and makes nothing: pids are counted up from 1000, a
 * SIGKILL is turned into an exit delivered through {@link #onKill}, and each call can be made to fail.
 */
final class FakeRuntime implements ContainerRuntime {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    // above any pid_max (2^22): a fake pid never names a real process, even if signalled
    final AtomicInteger nextPid = new AtomicInteger(5_000_000);
    volatile EngineException failCreate;
    volatile EngineException failStart;
    volatile EngineException failKill;
    volatile EngineException failDelete;
    volatile List<Integer> pids = List.of();
    /** Called for each SIGKILL with (pid of the task's init, signal), e.g. to deliver an exit. */
    volatile BiConsumer<String, Integer> onKill = (id, sig) -> { };
    /** When set, start blocks until it is counted down. */
    volatile CountDownLatch startGate;
    volatile CountDownLatch startEntered;
    volatile int[] lastStdio;
    volatile int lastConsoleFd = -1;
    volatile CreateSpec lastSpec;

    @Override
    public int create(CreateSpec spec) throws EngineException {
        calls.add("create " + spec.id() + " root=" + spec.root());
        lastStdio = spec.stdio();
        lastConsoleFd = spec.consoleFd();
        lastSpec = spec;
        if (failCreate != null) {
            throw failCreate;
        }
        return nextPid.getAndIncrement();
    }

    @Override
    public void start(Path root, String id) throws EngineException {
        calls.add("start " + id);
        if (startEntered != null) {
            startEntered.countDown();
        }
        if (startGate != null) {
            try {
                startGate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failStart != null) {
            throw failStart;
        }
    }

    @Override
    public void kill(Path root, String id, int signal, boolean all) throws EngineException {
        calls.add("kill " + id + " " + signal + (all ? " all" : ""));
        if (failKill != null) {
            throw failKill;
        }
        onKill.accept(id, signal);
    }

    @Override
    public void delete(Path root, String id, boolean force) throws EngineException {
        calls.add("delete " + id + (force ? " force" : ""));
        if (failDelete != null) {
            throw failDelete;
        }
    }

    volatile EngineException failExec;

    @Override
    public int exec(Path root, String id, byte[] processJson, int[] stdio) throws EngineException {
        calls.add("exec " + id + " " + new String(processJson, java.nio.charset.StandardCharsets.UTF_8));
        if (failExec != null) {
            throw failExec;
        }
        return nextPid.getAndIncrement();
    }

    @Override
    public List<Integer> pids(Path root, String id) {
        calls.add("pids " + id);
        return pids;
    }

    @Override
    public void pause(Path root, String id) {
        calls.add("pause " + id);
    }

    @Override
    public void resume(Path root, String id) {
        calls.add("resume " + id);
    }

    @Override
    public com.google.protobuf.Any stats(Path root, String id) {
        calls.add("stats " + id);
        return com.google.protobuf.Any.newBuilder().setTypeUrl(CgroupMetrics.V1_TYPE)
                .setValue(io.jshim.proto.cgroups.v1.Metrics.getDefaultInstance().toByteString()).build();
    }

    @Override
    public void update(Path root, String id, byte[] resourcesJson) {
        calls.add("update " + id + " " + new String(resourcesJson, java.nio.charset.StandardCharsets.UTF_8));
    }
}
