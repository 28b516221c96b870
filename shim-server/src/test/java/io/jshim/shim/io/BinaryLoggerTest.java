package io.jshim.shim.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.engine.linux.Syscalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code binary://} and {@code binary-v2://} stdout: a logger started as containerd's runc shim starts it
 * (pkg/process/io.go NewBinaryIO): args from the query, CONTAINER_ID and CONTAINER_NAMESPACE only, the
 * container's stdout and stderr on fds 3 and 4, ready on fd 5.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BinaryLoggerTest {

    @TempDir
    Path dir;

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static void write(int fd, String s) throws Exception {
        try (Arena a = Arena.ofConfined()) {
            Syscalls.writeFully(fd, a.allocateFrom(s, StandardCharsets.UTF_8).reinterpret(s.length()));
        }
    }

    private static String await(Path file, String want) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String text = "";
        while (System.nanoTime() < deadline) {
            text = Files.exists(file) ? Files.readString(file) : "";
            if (text.contains(want)) {
                return text;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(file + " lacks '" + want + "': '" + text + "'");
    }

    @Test
    void binaryLogger_getsArgsEnvAndBothStreams_andIsReadyWhenItClosesFd5() throws Exception {
        Path out = dir.resolve("logged");
        Path logger = script("logger.sh", """
                echo "args=$*" > %1$s.meta
                echo "env=$(env | grep -v '^PWD=\\|^SHLVL=\\|^_=' | sort | tr '\\n' ' ')" >> %1$s.meta
                exec 5>&-
                cat <&4 | sed 's/^/err: /' >> %1$s &
                sed 's/^/out: /' <&3 >> %1$s
                wait
                """.formatted(out));
        TaskStdio io = TaskStdio.open("/dev/null/ignored", "binary://" + logger + "?--tag=web&level=x%20y",
                "", false, new TaskStdio.Owner("ns1", "c1", 0, 0));
        int[] fds = io.containerFds();
        assertTrue(io.loggerPid() > 0);
        write(fds[1], "hello\n");
        write(fds[2], "oops\n");
        io.closeContainerEnds();
        String text = await(out, "err: oops");
        assertTrue(text.contains("out: hello"), text);
        String meta = Files.readString(Path.of(out + ".meta"));
        assertTrue(meta.contains("args=--tag web level x y"), meta);
        assertTrue(meta.contains("env=CONTAINER_ID=c1 CONTAINER_NAMESPACE=ns1 "), meta);
        io.close();
    }

    @Test
    void binaryV2_needsAByteOnFd5_beforeItIsClosed() throws Exception {
        Path quiet = script("quiet.sh", "exec 5>&-\nexec cat <&3 >/dev/null\n");
        IOException e = assertThrows(IOException.class, () -> TaskStdio.open("", "binary-v2://" + quiet, "", false,
                new TaskStdio.Owner("ns1", "c1", 0, 0)));
        assertTrue(e.getMessage().contains("did not call ready"), e.getMessage());

        Path out = dir.resolve("v2");
        Path ready = script("ready.sh", "printf x >&5\nexec 5>&-\nexec cat <&3 > " + out + "\n");
        TaskStdio io = TaskStdio.open("", "binary-v2://" + ready, "", false, new TaskStdio.Owner("ns1", "c1", 0, 0));
        write(io.containerFds()[1], "line\n");
        io.closeContainerEnds();
        assertEquals("line\n", await(out, "line"));
        io.close();
    }

    @Test
    void aLoggerWithATerminal_orARelativePath_isRefused() {
        assertThrows(RuntimeException.class, () -> TaskStdio.open("", "binary:///bin/true", "", true,
                TaskStdio.Owner.NONE));
        assertThrows(RuntimeException.class, () -> TaskStdio.open("", "binary://relative/logger", "", false,
                TaskStdio.Owner.NONE));
    }

    @Test
    void close_doesNotWaitForTheLogger() throws Exception {
        Path logger = script("stubborn.sh", "exec 5>&-\ntrap '' TERM\nwhile :; do sleep 0.1; done\n");
        TaskStdio io = TaskStdio.open("", "binary://" + logger, "", false, TaskStdio.Owner.NONE);
        int pid = io.loggerPid();
        long t0 = System.nanoTime();
        io.close(); // the logger gets LOGGER_DRAIN, then SIGTERM, then SIGKILL, in the background
        assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(500));
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
}
