package io.jshim.engine.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jshim.engine.EngineException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecNamespacesTest {
    @Test
    void aProcessSharingEveryNamespaceWithUsNeedsNoJoin() throws Exception {
        assertEquals(List.of(), ExecNamespaces.of((int) ProcessHandle.current().pid()));
    }

    @Test
    void aGoneInitMeansAStoppedContainer() {
        EngineException e = assertThrows(EngineException.class, () -> ExecNamespaces.of(Integer.MAX_VALUE - 1));
        assertEquals("cannot exec in a stopped container", e.getMessage());
    }
}
