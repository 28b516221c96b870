package io.jshim.engine.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.engine.spec.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real hooks (/bin/sh); no root needed. */
class HookRunnerTest {
    private final HookRunner runner = new HookRunner(Map.of("FROM_RUNTIME", "yes", "PATH", "/usr/bin:/bin"));

    private static Spec.Hook sh(String script, List<String> env, Integer timeout) {
        return new Spec.Hook("/bin/sh", List.of("sh", "-c", script), env, timeout);
    }

    @Test
    void stateOnStdinArgsAndEnv(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        runner.run(HookPhase.PRESTART, List.of(sh("cat > " + out + "; echo \"$0 $FROM_RUNTIME $OWN\" >> " + out, null,
                null)), "{\"id\":\"c1\"}");
        assertEquals("{\"id\":\"c1\"}sh yes \n", Files.readString(out));
        runner.run(HookPhase.PRESTART, List.of(sh("echo \"$FROM_RUNTIME|$OWN\" > " + out, List.of("OWN=1"), null)),
                "{}");
        assertEquals("|1\n", Files.readString(out), "a hook's own env replaces the runtime's");
    }

    @Test
    void argvZeroIsArgsZeroAndAbsentArgsMeanThePath(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        // busybox picks the applet from argv[0]: "echo" proves args[0] became argv[0]
        runner.run(HookPhase.PRESTART, List.of(new Spec.Hook("/bin/busybox", List.of("echo", "hi"), null, null)), "");
        Path script = dir.resolve("hook.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$0\" > " + out + "\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        runner.run(HookPhase.POSTSTART, List.of(new Spec.Hook(script.toString(), null, null, null)), "");
        assertEquals(script + "\n", Files.readString(out));
    }

    @Test
    void aFailureNamesTheHookAndQuotesItsOutput() {
        HookException e = assertThrows(HookException.class, () -> runner.run(HookPhase.CREATE_RUNTIME,
                List.of(sh("true", null, null), sh("echo out; echo err >&2; exit 3", null, null)), "{}"));
        assertEquals("hooks.createRuntime[1]: /bin/sh: exit status 3, stdout: out, stderr: err", e.getMessage());
        e = assertThrows(HookException.class, () -> runner.run(HookPhase.PRESTART,
                List.of(new Spec.Hook("/nope", null, null, null)), "{}"));
        assertEquals("hooks.prestart[0]: /nope: no such file or directory", e.getMessage());
        e = assertThrows(HookException.class, () -> runner.run(HookPhase.PRESTART,
                List.of(sh("kill -9 $$", null, null)), "{}"));
        assertEquals("hooks.prestart[0]: /bin/sh: killed by signal 9", e.getMessage());
    }

    @Test
    void theFirstFailureStopsTheRest(@TempDir Path dir) {
        Path later = dir.resolve("later");
        assertThrows(HookException.class, () -> runner.run(HookPhase.PRESTART,
                List.of(sh("exit 1", null, null), sh("touch " + later, null, null)), "{}"));
        assertFalse(Files.exists(later));
    }

    @Test
    void aHookPastItsTimeoutIsKilled(@TempDir Path dir) throws Exception {
        Path pid = dir.resolve("pid");
        long start = System.nanoTime();
        HookException e = assertThrows(HookException.class, () -> runner.run(HookPhase.CREATE_RUNTIME,
                List.of(sh("echo $$ > " + pid + "; exec sleep 30", null, 1)), "{}"));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals("hooks.createRuntime[0]: /bin/sh: ran past its timeout of 1s and was killed", e.getMessage());
        assertTrue(ms >= 1000 && ms < 5000, "took " + ms + " ms");
        assertFalse(Files.exists(Path.of("/proc/" + Files.readString(pid).strip())), "the hook was reaped");
    }

    @Test
    void aHookThatDoesNotReadStdinStillGetsItsTurn() throws Exception {
        // the state is a file, not a pipe: a large one cannot block the runtime
        runner.run(HookPhase.PRESTART, List.of(sh("exit 0", null, 5)), "x".repeat(1 << 20));
    }

    @Test
    void warnOnlyRunsEveryHookAndReportsEachFailure(@TempDir Path dir) throws Exception {
        Path last = dir.resolve("last");
        List<String> warnings = new ArrayList<>();
        runner.runWarnOnly(HookPhase.POSTSTOP, List.of(sh("exit 4", null, null), sh("touch " + last, null, null)),
                "{}", warnings::add);
        assertEquals(List.of("hooks.poststop[0]: /bin/sh: exit status 4"), warnings);
        assertTrue(Files.exists(last), "the hook after the failing one ran");
    }
}
