package io.jshim.engine.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jshim.engine.spec.Spec;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class IdMapTest {

    @Test
    void rendersOneLinePerRangeAndParsesTheKernelsPaddedText() throws Exception {
        IdMap m = IdMap.fromSpec("linux.uidMappings", List.of(new Spec.IdMapping(0L, 100000L, 1000L),
                new Spec.IdMapping(1000L, 200000L, 10L)));
        assertEquals("0 100000 1000\n1000 200000 10\n", m.render());
        IdMap parsed = IdMap.parse("         0     100000       1000\n      1000     200000         10\n");
        assertEquals(m, parsed);
        assertEquals(OptionalLong.of(100005), m.toHost(5));
        assertEquals(OptionalLong.of(200009), m.toHost(1009));
        assertFalse(m.maps(1010));
    }
}
