package io.jshim.engine.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookValidatorTest {
    private static Spec.Hook hook(String path) {
        return new Spec.Hook(path, null, null, null);
    }

    private static String error(Spec.Hooks h) {
        return assertThrows(SpecException.class, () -> HookValidator.validate(h)).getMessage();
    }

    @Test
    void aMissingHookIsNamedWithItsIndex() {
        assertEquals("hooks.prestart[1]: /nope: no such file or directory",
                error(new Spec.Hooks(List.of(hook("/bin/true"), hook("/nope")), null, null, null, null, null)));
        assertEquals("hooks.poststop[0]: /nope: no such file or directory",
                error(new Spec.Hooks(null, null, null, null, null, List.of(hook("/nope")))));
    }

    @Test
    void pathsMustBeAbsoluteAndTimeoutsPositive() {
        assertEquals("hooks.createRuntime[0]: path \"true\" must be absolute",
                error(new Spec.Hooks(null, List.of(hook("true")), null, null, null, null)));
        assertEquals("hooks.poststart[0]: path is required",
                error(new Spec.Hooks(null, null, null, null, List.of(hook("")), null)));
        assertEquals("hooks.prestart[0]: timeout must be greater than zero, got 0",
                error(new Spec.Hooks(List.of(new Spec.Hook("/bin/true", null, null, 0)), null, null, null, null,
                        null)));
        assertEquals("hooks.prestart[0]: env entries must look like KEY=value",
                error(new Spec.Hooks(List.of(new Spec.Hook("/bin/true", null, List.of("NOEQUALS"), null)), null,
                        null, null, null, null)));
    }

    @Test
    void notExecutableOrADirectory(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("script"), "#!/bin/sh\n");
        assertEquals("hooks.prestart[0]: " + f + ": permission denied",
                error(new Spec.Hooks(List.of(hook(f.toString())), null, null, null, null, null)));
        assertEquals("hooks.prestart[0]: " + dir + ": is a directory",
                error(new Spec.Hooks(List.of(hook(dir.toString())), null, null, null, null, null)));
    }

    @Test
    void containerHooksResolveLaterInTheContainer() throws Exception {
        // createContainer and startContainer paths are looked up in the container's mount namespace
        HookValidator.validate(new Spec.Hooks(null, null, List.of(hook("/only/in/the/container")),
                List.of(hook("/also/there")), null, null));
        HookValidator.validate(null);
    }
}
