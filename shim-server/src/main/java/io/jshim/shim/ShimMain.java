package io.jshim.shim;

import io.jshim.shim.daemon.DeleteAction;
import io.jshim.shim.daemon.ShimDaemon;

/**
 * The Java side of {@code containerd-shim-jshim-v2}, started only by its C front end:
 * {@code serve} is the long-lived daemon of a group of tasks ({@link ShimDaemon}); {@code delete} is
 * the clean-up of a task whose daemon is gone ({@link DeleteAction}), which prints a DeleteResponse.
 */
public final class ShimMain {

    private ShimMain() {
    }

    public static void main(String[] args) {
        ShimFlags flags;
        try {
            flags = ShimFlags.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("containerd-shim-jshim-v2: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status = switch (flags.action()) {
            case "serve" -> ShimDaemon.run(flags);
            case "delete" -> DeleteAction.run(flags);
            default -> {
                System.err.println("containerd-shim-jshim-v2: unknown action " + flags.action());
                yield 2;
            }
        };
        System.exit(status);
    }
}
