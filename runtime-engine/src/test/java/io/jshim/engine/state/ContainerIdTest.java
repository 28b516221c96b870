package io.jshim.engine.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jshim.engine.EngineException;
import org.junit.jupiter.api.Test;

class ContainerIdTest {
    @Test
    void acceptsRuncsCharacterSet() throws Exception {
        assertEquals("a-b_c.d+e1", ContainerId.validate("a-b_c.d+e1"));
    }

    @Test
    void rejectsSlashesSpacesDotsAndEmpty() {
        assertEquals("invalid container ID format: a/b",
                assertThrows(EngineException.class, () -> ContainerId.validate("a/b")).getMessage());
        assertThrows(EngineException.class, () -> ContainerId.validate("../x"));
        assertThrows(EngineException.class, () -> ContainerId.validate("a b"));
        assertThrows(EngineException.class, () -> ContainerId.validate(".."));
        assertEquals("container id cannot be empty",
                assertThrows(EngineException.class, () -> ContainerId.validate("")).getMessage());
    }
}
