package io.jshim.engine.cli;

import io.jshim.engine.lifecycle.CreateRequest;
import java.nio.file.Path;
import java.util.List;

/** The flags create and run share, and the request they make. */
final class CreateFlags {
    static final List<Flag> COMMON = List.of(
            Flag.value("path to the root of the bundle directory, defaults to the current directory",
                    "bundle", "b"),
            Flag.value("path to an AF_UNIX socket which will receive a file descriptor referencing the master end "
                    + "of the console's pseudoterminal", "console-socket"),
            Flag.value("specify the file to write the process id to", "pid-file"),
            Flag.bool("do not use pivot root to jail process inside rootfs", "no-pivot"),
            Flag.bool("do not create a new session keyring for the container", "no-new-keyring"),
            Flag.value("Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)",
                    "preserve-fds"));

    private CreateFlags() {
    }

    static CreateRequest request(ParsedArgs a, String id, boolean subreaper) throws UsageException {
        String bundle = a.value("bundle");
        Path b = bundle == null || bundle.isEmpty() ? Path.of("").toAbsolutePath() : Path.of(bundle);
        String pidFile = a.value("pid-file");
        int preserve = a.intValue("preserve-fds", 0);
        if (preserve < 0) {
            throw new UsageException("--preserve-fds must be a non-negative number", 1, false);
        }
        String listenFds = System.getenv("LISTEN_FDS");
        if (listenFds != null) {
            try {
                preserve += Integer.parseInt(listenFds); // runc passes socket-activation fds on too
            } catch (NumberFormatException e) {
                // ignore a malformed LISTEN_FDS, as runc does
            }
        }
        return new CreateRequest(id, b, pidFile == null || pidFile.isEmpty() ? null : Path.of(pidFile),
                a.value("console-socket"), a.bool("no-pivot"), a.bool("no-new-keyring"), preserve, subreaper);
    }
}
