package io.jshim.it.support;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The jshim shim daemons of one state root, as the tests see them: each writes its pid and log under
 * {@code <state root>/.daemons/<group hash>/}.
 */
public final class ShimDaemons {

    private ShimDaemons() {
    }

    /** Live (not zombie) daemons, from their pid files. */
    public static List<Long> live(Path stateRoot) {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(stateRoot.resolve(".daemons"))) {
            for (Path d : ds) {
                try {
                    long pid = Long.parseLong(Files.readString(d.resolve("daemon.pid")).strip());
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                            && !Files.readString(Path.of("/proc", Long.toString(pid), "stat")).contains(") Z ")) {
                        pids.add(pid);
                    }
                } catch (IOException | NumberFormatException e) {
                    // no pid file (yet), or the process is gone
                }
            }
        } catch (IOException e) {
            // no daemon started yet
        }
        return pids;
    }

    /** The last {@code lines} lines of every daemon's log, for failure messages. */
    public static String logs(Path stateRoot, int lines) {
        StringBuilder sb = new StringBuilder();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(stateRoot.resolve(".daemons"))) {
            for (Path d : ds) {
                List<String> all = Files.readAllLines(d.resolve("daemon.log"));
                sb.append("--- ").append(d).append("/daemon.log\n")
                        .append(String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())))
                        .append('\n');
            }
        } catch (IOException e) {
            sb.append("(no daemon log: ").append(e.getMessage()).append(")\n");
        }
        return sb.toString();
    }
}
