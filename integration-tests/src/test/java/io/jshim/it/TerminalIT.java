package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.it.support.BusyboxBundle;
import io.jshim.it.support.LeakCheck;
import io.jshim.it.support.Result;
import io.jshim.it.support.Runtime;
import io.jshim.it.support.TestBed;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * process.terminal (runc docs/terminals.md), side by side with runc: with {@code --console-socket}
 * the pty master arrives over the socket by SCM_RIGHTS and carries the container's terminal
 * (its own /dev/pts/0, consoleSize applied); in the foreground {@code run} and {@code exec -t}
 * relay the caller's terminal, raw, with window-size changes, and exit with the process's status.
 * The caller's terminal comes from script(1); the console socket's listener is a small python3
 * script ({@code socket.recv_fds}), since Java's unix sockets cannot receive fds.
 */
class TerminalIT {
    /** Accepts one connection, takes the fd, writes the message and everything read from the master. */
    private static final String RECEIVER = """
            import os, socket, sys, time
            path, out = sys.argv[1], sys.argv[2]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(path)
            s.listen(1)
            open(out + ".ready", "w").close()
            c, _ = s.accept()
            msg, fds, _, _ = socket.recv_fds(c, 1024, 1)
            open(out + ".name", "wb").write(msg)
            data = b""
            end = time.time() + 30
            while time.time() < end:
                try:
                    b = os.read(fds[0], 4096)
                except OSError:  # EIO: no slave fd is left open
                    break
                if not b:
                    break
                data += b
            open(out, "wb").write(data)
            """;

    /** A console socket listener running in the background. */
    private record Receiver(Process process, Path socket, Path out) {
        static Receiver start(TestBed bed, String name) throws Exception {
            Path script = bed.path("receiver.py");
            if (!Files.exists(script)) {
                Files.writeString(script, RECEIVER);
            }
            Path sock = bed.path(name + ".sock");
            Path out = bed.path(name + ".out");
            Process p = new ProcessBuilder("python3", script.toString(), sock.toString(), out.toString())
                    .redirectErrorStream(true).redirectOutput(bed.path(name + ".log").toFile()).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!Files.exists(Path.of(out + ".ready"))) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, "the console socket listener did not start: "
                        + Files.readString(bed.path(name + ".log")));
                Thread.sleep(20);
            }
            return new Receiver(p, sock, out);
        }

        /** What came through the pty, after the container's process exited. */
        String output() throws Exception {
            assertTrue(process.waitFor(40, TimeUnit.SECONDS), "the listener got no end of file from the master");
            assertEquals("/dev/ptmx", Files.readString(Path.of(out + ".name")), "the name runc sends with the fd");
            return Files.readString(out);
        }
    }

    private static BusyboxBundle ttyBundle(TestBed bed, String name, String... args) {
        return bed.bundle(name).args(args).edit(c -> {
            ObjectNode p = c.withObjectProperty("process");
            p.put("terminal", true);
        }).build();
    }

    /**
     * Runs {@code line} under script(1), which gives it a terminal. {@code input} is typed into it
     * line by line once container {@code id} runs (the runtime has made our terminal raw by then,
     * so nothing is echoed twice), with a pause after each.
     */
    private static Result underScript(String line, Runtime rt, String id, List<String> input) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder("script", "-qec", line, "/dev/null").redirectErrorStream(true).start();
        // stdin stays open until the end: at its end of file script(1) would type an EOF character
        try (OutputStream in = p.getOutputStream()) {
            if (!input.isEmpty()) {
                assertEquals("running", rt.awaitStatus(id, "running", Duration.ofSeconds(30)), line);
            }
            for (String s : input) {
                in.write(s.getBytes(StandardCharsets.UTF_8));
                in.flush();
                Thread.sleep(400);
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), line);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(List.of("script", "-qec", line), p.exitValue(), out.replace("\u0000", ""), "",
                (System.nanoTime() - start) / 1_000_000, false);
    }

    private static String cmd(Runtime rt, String args) {
        return rt.binary() + " --root " + rt.root() + " " + args;
    }

    private static void deleteQuietly(Runtime rt, String id) {
        rt.run("delete", "--force", id);
    }

    @Test
    void theConsoleSocketGetsAUsablePtyMaster(TestBed bed) throws Exception {
        BusyboxBundle b = bed.bundle("b").args("sh", "-c", "tty; stty size; [ -c /dev/console ] && echo console; "
                + "echo done").edit(c -> {
                    ObjectNode p = c.withObjectProperty("process");
                    p.put("terminal", true);
                    p.putObject("consoleSize").put("height", 33).put("width", 101);
                }).build();
        Map<String, String> seen = new LinkedHashMap<>();
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            Receiver rcv = Receiver.start(bed, "c-" + rt.name());
            String id = bed.id("sock-" + rt.name());
            Result create = rt.run("create", "--console-socket", rcv.socket().toString(), "--bundle",
                    b.dir().toString(), id);
            assertEquals(0, create.exitCode(), create::describe);
            assertEquals(0, rt.run("start", id).exitCode());
            seen.put(rt.name(), rcv.output());
        }
        assertEquals("/dev/pts/0\r\n33 101\r\nconsole\r\ndone\r\n", seen.get("jrunc"));
        assertEquals(seen.get("runc"), seen.get("jrunc"));
    }

    @Test
    void aForegroundRunRelaysOurTerminal(TestBed bed) throws Exception {
        BusyboxBundle b = ttyBundle(bed, "b", "sh");
        Map<String, String> seen = new LinkedHashMap<>();
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            String id = bed.id("fg-" + rt.name());
            try {
                Result r = underScript("stty rows 40 cols 120; " + cmd(rt, "run --bundle " + b.dir() + " " + id),
                        rt, id, List.of("tty; stty size\n", "echo hi $((6*7))\n", "exit 5\n"));
                assertEquals(5, r.exitCode(), r::describe);
                seen.put(rt.name(), r.stdout());
            } finally {
                deleteQuietly(rt, id);
            }
        }
        String out = seen.get("jrunc");
        assertTrue(out.contains("/dev/pts/0\r\n40 120\r\n"), out);
        assertTrue(out.contains("hi 42\r\n"), out);
        assertEquals(seen.get("runc"), seen.get("jrunc"));
    }

    @Test
    void aWindowSizeChangeReachesTheContainer(TestBed bed) throws Exception {
        // runc sizes the pty only after start: the first stty waits a second for it
        BusyboxBundle b = ttyBundle(bed, "b", "sh", "-c", "sleep 1; stty size; sleep 5; stty size");
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            String id = bed.id("winch-" + rt.name());
            try {
                // a non-interactive sh: the runtime shares its process group, so stty may resize our
                // terminal; the resize comes once the container runs (and has printed its first size)
                Result r = underScript("stty rows 20 cols 70; " + cmd(rt, "run --bundle " + b.dir() + " " + id)
                        + " & P=$!; until " + cmd(rt, "state " + id) + " 2>/dev/null | grep -q '\"running\"'; do "
                        + "sleep 0.1; done; sleep 2; stty rows 50 cols 60; kill -WINCH $P; wait $P",
                        rt, id, List.of());
                assertEquals(0, r.exitCode(), r::describe);
                assertEquals("20 70\r\n50 60\r\n", r.stdout(), rt.name() + "\n" + r.describe());
            } finally {
                deleteQuietly(rt, id);
            }
        }
    }

    @Test
    void execWithATerminal(TestBed bed) throws Exception {
        BusyboxBundle b = bed.bundle("b").args("sleep", "60").build();
        Map<String, String> seen = new LinkedHashMap<>();
        for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
            String id = bed.id("exec-" + rt.name());
            assertEquals(0, rt.run("run", "-d", "--bundle", b.dir().toString(), id).exitCode());
            Result fg = underScript("stty rows 30 cols 90; " + cmd(rt, "exec -t " + id
                    + " sh -c 'tty; stty size; exit 4'"), rt, id, List.of());
            assertEquals(4, fg.exitCode(), fg::describe);
            Receiver rcv = Receiver.start(bed, "x-" + rt.name());
            Result detached = rt.run("exec", "-t", "-d", "--console-socket", rcv.socket().toString(), id, "sh", "-c",
                    "tty; echo detached");
            assertEquals(0, detached.exitCode(), detached::describe);
            seen.put(rt.name(), fg.stdout() + "|" + rcv.output());
        }
        assertEquals("/dev/pts/0\r\n30 90\r\n|/dev/pts/0\r\ndetached\r\n", seen.get("jrunc"));
        assertEquals(seen.get("runc"), seen.get("jrunc"));
    }

    @Test
    void aTerminalNeedsSomewhereToGo(TestBed bed) throws Exception {
        BusyboxBundle tty = ttyBundle(bed, "tty", "true");
        BusyboxBundle plain = bed.bundle("plain").args("true").build();
        Receiver rcv = Receiver.start(bed, "unused");
        LeakCheck.Snapshot before = bed.snapshot(); // the listener is ours
        Map<String, String> seen = new LinkedHashMap<>();
        try {
            for (Runtime rt : List.of(bed.jrunc(), bed.runc())) {
                Result noSocket = rt.run("create", "--bundle", tty.dir().toString(), bed.id("nosock-" + rt.name()));
                Result noTty = rt.run("create", "--console-socket", rcv.socket().toString(), "--bundle",
                        plain.dir().toString(), bed.id("notty-" + rt.name()));
                assertEquals(1, noSocket.exitCode(), noSocket::describe);
                assertEquals(1, noTty.exitCode(), noTty::describe);
                bed.assertNothingNewSince(before, rt.name() + ": a create refused for its terminal settings");
                seen.put(rt.name(), (noSocket.errorMessageWithoutPrefix() + "\n" + noTty.errorMessageWithoutPrefix())
                        .replace("runc", "RUNTIME").replace("jRUNTIME", "RUNTIME"));
            }
        } finally {
            rcv.process().destroy();
            rcv.process().waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals("cannot allocate tty if RUNTIME will detach without setting console socket\n"
                + "cannot use console socket if RUNTIME will not detach or allocate tty", seen.get("jrunc"));
        assertEquals(seen.get("runc"), seen.get("jrunc"));
    }
}
