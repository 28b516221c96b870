package io.jshim.engine.spec;

import static io.jshim.engine.spec.MountOptions.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountOptionsTest {
    @Test
    void splitsFlagsPropagationAndData() {
        MountOptions o = MountOptions.parse(List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "rslave",
                "ro", "rw", "gid=5"));
        assertEquals(MS_NOSUID | MS_NOEXEC, o.flags());
        assertEquals(MS_SLAVE | MS_REC, o.propagationFlags());
        assertEquals("newinstance,ptmxmode=0666,gid=5", o.data());
    }

    @Test
    void rbindIsARecursiveBind() {
        MountOptions o = MountOptions.parse(List.of("rbind", "ro"));
        assertTrue(o.isBind());
        assertEquals(MS_BIND | MS_REC | MS_RDONLY, o.flags());
    }
}
