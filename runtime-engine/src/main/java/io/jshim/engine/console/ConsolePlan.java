package io.jshim.engine.console;

import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.plan.SyncProtocol;
import io.jshim.engine.spec.SpecProcess;

/** PLAN_CONSOLE for a process with a terminal: the inherited socket, process.consoleSize, and whether to wait. */
public final class ConsolePlan {
    private ConsolePlan() {
    }

    /**
     * @param fd     the number under which jshim-init inherited the console socket
     * @param socket the socket (a relay of ours makes jshim-init wait for its go-ahead)
     */
    public static void addTo(InitPlan plan, int fd, ConsoleSocket socket, SpecProcess process) {
        SpecProcess.ConsoleSize size = process.consoleSize();
        int rows = size == null || size.height() == null ? 0 : size.height();
        int cols = size == null || size.width() == null ? 0 : size.width();
        plan.console(fd, rows, cols, socket.isOwnRelay() ? SyncProtocol.CONSOLE_AWAIT_PEER : 0);
    }
}
