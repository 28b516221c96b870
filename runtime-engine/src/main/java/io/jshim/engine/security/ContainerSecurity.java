package io.jshim.engine.security;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.plan.InitChannel;
import io.jshim.engine.plan.InitMessage;
import io.jshim.engine.plan.SyncProtocol;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's security steps during one create, around jshim-init's conversation
 * (sync_protocol.h): {@link #afterPid} writes oomScoreAdj between MSG_PID and MSG_GO;
 * {@link #receiveBeforeReady} takes the seccomp listener fd that comes before MSG_READY when a
 * rule uses SCMP_ACT_NOTIFY, hands it to the agent and answers MSG_SECCOMP_DONE.
 */
public final class ContainerSecurity {
    private final SecurityPlan plan;
    private final String id;
    private final String bundle;
    private final Map<String, String> annotations;
    private final OomScoreAdj oom;

    ContainerSecurity(SecurityPlan plan, String id, String bundle, Map<String, String> annotations, OomScoreAdj oom) {
        this.plan = plan;
        this.id = id;
        this.bundle = bundle;
        this.annotations = annotations;
        this.oom = oom;
    }

    /** Checks the spec's security settings (create's validation: nothing exists yet). */
    public static ContainerSecurity of(Spec spec, String id, Path bundle) throws SpecException {
        SecurityPlan plan = SecurityPlan.of(spec);
        plan.checkGrantable(spec, HostSecurity.probe());
        return new ContainerSecurity(plan, id, bundle.toString(), spec.annotations(), OomScoreAdj.host());
    }

    public SecurityPlan plan() {
        return plan;
    }

    /** Between MSG_PID and MSG_GO: process.oomScoreAdj on the container's init. */
    public void afterPid(int initPid) throws EngineException {
        oom.apply(initPid, plan.oomScoreAdj());
    }

    /**
     * The next message after MSG_GO. With SCMP_ACT_NOTIFY that is MSG_SECCOMP_FD: its fd goes to
     * the agent at listenerPath (then closed here), jshim-init gets MSG_SECCOMP_DONE, and the
     * message after it is returned. Any other message is returned as it is.
     */
    public InitMessage receiveBeforeReady(InitChannel channel, int initPid) throws IOException, EngineException {
        Optional<SeccompProfile> agent = plan.seccompAgent();
        if (agent.isEmpty()) {
            return channel.receive();
        }
        int[] fd = {-1};
        InitMessage m = channel.receive(fd);
        try {
            if (m.tag() != SyncProtocol.MSG_SECCOMP_FD) {
                return m;
            }
            if (fd[0] < 0) {
                throw new EngineException(Kind.INTERNAL, "unable to start container process: jshim-init sent "
                        + "MSG_SECCOMP_FD without the seccomp listener fd");
            }
            SeccompAgent.handOver(agent.get(), fd[0], id, initPid, bundle, annotations);
        } finally {
            Syscalls.close(fd[0]);
        }
        channel.sendMessage(SyncProtocol.MSG_SECCOMP_DONE);
        return channel.receive();
    }
}
