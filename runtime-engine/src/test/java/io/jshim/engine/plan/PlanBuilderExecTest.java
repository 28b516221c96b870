package io.jshim.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.json.Json;
import io.jshim.engine.json.RecordJson;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecProcess;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** exec's plan: join mode, the container's namespaces, the process through the create path's steps. */
class PlanBuilderExecTest {
    private static Spec runcDefault() throws Exception {
        try (InputStream in = PlanBuilderExecTest.class.getResourceAsStream("/io/jshim/engine/default-spec.json")) {
            return RecordJson.bind((ObjectNode) Json.MAPPER.readTree(in), Spec.class);
        }
    }

    @Test
    void joinsNamespacesAndRunsTheProcessWithTheContainersSecurity() throws Exception {
        Spec spec = runcDefault();
        SpecProcess p = spec.process();
        SpecProcess exec = new SpecProcess(false, null, new SpecProcess.User(1000L, 1000L, null, List.of(), null),
                List.of("id", "-u"), null, List.of("A=1"), "/tmp", p.capabilities(), p.rlimits(), true, null, null,
                null, null, null);
        InitPlan plan = new PlanBuilder(spec, Path.of("/b"), Path.of("/b/rootfs"), "c1", null).preserveFds(2)
                .buildExec(exec, List.of(new Spec.Namespace("user", "/proc/7/ns/user"),
                        new Spec.Namespace("mount", "/proc/7/ns/mnt")));
        List<String> d = plan.records().stream().map(PlanRecord::describe).toList();
        assertEquals(List.of("hello v1", "mode join", "id c1", "setns 0x10000000 /proc/7/ns/user",
                "setns 0x20000 /proc/7/ns/mnt"), d.subList(0, 5));
        assertTrue(d.contains("user 1000:1000 umask 37777777777 groups []"), d.toString());
        assertTrue(d.contains("cwd /tmp"), d.toString());
        assertTrue(d.contains("args [id, -u]"), d.toString());
        assertTrue(d.contains("rlimit 7 1024 1024"), d.toString());
        assertTrue(d.contains("no-new-privs"), d.toString());
        assertTrue(d.stream().anyMatch(r -> r.startsWith("caps bounding 0x20000420")), d.toString());
        assertTrue(d.contains("preserve-fds 2"), d.toString());
        assertFalse(d.stream().anyMatch(r -> r.startsWith("rootfs") || r.startsWith("mount ")
                || r.startsWith("exec-fifo") || r.startsWith("hostname") || r.startsWith("clone")), d.toString());
    }
}
