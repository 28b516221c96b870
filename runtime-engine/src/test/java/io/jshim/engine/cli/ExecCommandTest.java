package io.jshim.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.engine.EngineException;
import io.jshim.engine.spec.SpecProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** runc's getProcess: how exec's flags edit the container's process. */
class ExecCommandTest {
    private static final SpecProcess TEMPLATE = new SpecProcess(true, new SpecProcess.ConsoleSize(24, 80),
            new SpecProcess.User(0L, 0L, null, List.of(10L), null), List.of("sh"), null, List.of("PATH=/bin"), "/",
            new SpecProcess.Capabilities(List.of("CAP_KILL"), List.of("CAP_KILL"), null, List.of("CAP_KILL"),
                    List.of("CAP_KILL")),
            List.of(new SpecProcess.Rlimit("RLIMIT_NOFILE", 1024L, 1024L)), true, null, null, null, null, null);

    private static ParsedArgs parse(String... argv) throws UsageException {
        return ParsedArgs.parse(List.of(argv), new ExecCommand().flags(), true);
    }

    private static SpecProcess process(String... argv) throws Exception {
        ParsedArgs a = parse(argv);
        return ExecCommand.process(a, a.positional().subList(1, a.positional().size()), TEMPLATE);
    }

    @Test
    void flagsEndAtTheIdAndTheRestIsTheCommand() throws Exception {
        ParsedArgs a = parse("-e", "A=1", "c1", "ls", "-l", "--tty");
        assertEquals(List.of("c1", "ls", "-l", "--tty"), a.positional());
        SpecProcess p = process("-e", "A=1", "c1", "ls", "-l", "--tty");
        assertEquals(List.of("ls", "-l", "--tty"), p.args());
        assertEquals(List.of("PATH=/bin", "A=1"), p.env(), "--env adds to the container's env");
        assertFalse(p.isTerminal(), "no terminal unless -t, whatever the container has");
        assertEquals("/", p.cwd());
        assertEquals(TEMPLATE.rlimits(), p.rlimits());
    }

    @Test
    void userCwdGidsTerminalAndNoNewPrivs() throws Exception {
        SpecProcess p = process("-u", "1000:2000", "-g", "5", "-g", "6", "--cwd", "/tmp", "-t", "c1", "id");
        assertEquals(1000L, p.user().uid());
        assertEquals(2000L, p.user().gid());
        assertEquals(List.of(10L, 5L, 6L), p.user().additionalGids());
        assertEquals("/tmp", p.cwd());
        assertTrue(p.isTerminal());
        assertEquals(TEMPLATE.consoleSize(), p.consoleSize());
        assertEquals(0L, process("-u", "0", "c1", "id").user().gid(), "uid alone keeps the gid");
        assertTrue(process("c1", "id").noNewPrivileges(), "the container's value by default");
        assertFalse(process("--no-new-privs=false", "c1", "id").noNewPrivileges());
    }

    @Test
    void capAddsToEverySetButInheritable() throws Exception {
        SpecProcess.Capabilities c = process("--cap", "CAP_SYS_ADMIN", "-c", "CAP_NET_RAW", "c1", "id").capabilities();
        List<String> want = List.of("CAP_KILL", "CAP_SYS_ADMIN", "CAP_NET_RAW");
        assertEquals(want, c.bounding());
        assertEquals(want, c.effective());
        assertEquals(want, c.permitted());
        assertEquals(want, c.ambient());
        assertNull(c.inheritable());
    }

    @Test
    void runcsMessagesForBadValues() {
        assertEquals("parsing x as int for uid failed: strconv.Atoi: parsing \"x\": invalid syntax",
                assertThrows(EngineException.class, () -> process("-u", "x", "c1", "id")).getMessage());
        assertEquals("parsing y as int for gid failed: strconv.Atoi: parsing \"y\": invalid syntax",
                assertThrows(EngineException.class, () -> process("-u", "0:y", "c1", "id")).getMessage());
        assertEquals("additional-gids must be a positive number -1",
                assertThrows(EngineException.class, () -> process("-g", "-1", "c1", "id")).getMessage());
        assertEquals("process args cannot be empty",
                assertThrows(EngineException.class, () -> process("c1")).getMessage());
    }

    @Test
    void processFileReplacesTheTemplate(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("p.json"), "{\"args\":[\"echo\",\"hi\"],\"cwd\":\"/tmp\","
                + "\"user\":{\"uid\":5,\"gid\":6},\"env\":[\"X=1\"],\"terminal\":false}");
        SpecProcess p = process("-p", f.toString(), "--cwd", "/ignored", "c1");
        assertEquals(List.of("echo", "hi"), p.args());
        assertEquals("/tmp", p.cwd());
        assertEquals(5L, p.user().uid());
        assertNull(p.capabilities(), "nothing comes from the container's process");
        assertEquals("open " + dir.resolve("nope") + ": no such file or directory", assertThrows(
                EngineException.class, () -> process("-p", dir.resolve("nope").toString(), "c1")).getMessage());
    }
}
