package io.jshim.engine.console;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.security.FdPassing;
import java.lang.foreign.Arena;
import java.util.function.BooleanSupplier;

/**
 * The receiving side of jshim-init's console handoff (sync_protocol.h,
 * JSHIM_CONSOLE_AWAIT_PEER): the pty master arrives on our end of the console
 * socketpair by SCM_RIGHTS, and jshim-init then waits for one byte, so that nothing
 * is written to the terminal before the receiver relays it. Shared by jrunc's
 * foreground relay and the shim's FIFO relay.
 */
public final class MasterHandoff {
    private static final int POLL_MILLIS = 100;

    private MasterHandoff() {
    }

    /** Waits for the master fd; -1 when the peer closed without sending one, or {@code stop} said so. */
    public static int receiveMaster(int ours, BooleanSupplier stop) throws LinuxException {
        while (!stop.getAsBoolean()) {
            if ((Syscalls.pollOne(ours, Syscalls.POLLIN, POLL_MILLIS) & Syscalls.POLLIN) == 0) {
                continue;
            }
            try (Arena a = Arena.ofConfined()) {
                return FdPassing.receive(ours, a.allocate(64), 64).fd();
            }
        }
        return -1;
    }

    /** Releases jshim-init once the relay is in place. */
    public static void goAhead(int ours) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            Syscalls.writeFully(ours, a.allocateFrom("1").asSlice(0, 1));
        }
    }
}
