package io.jshim.shim.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jshim.proto.containerd.events.TaskCreate;
import io.jshim.proto.containerd.events.TaskDelete;
import io.jshim.proto.containerd.events.TaskExit;
import io.jshim.proto.containerd.events.TaskIO;
import io.jshim.proto.containerd.events.TaskOOM;
import io.jshim.proto.containerd.events.TaskStart;
import io.jshim.proto.containerd.types.Mount;
import io.jshim.testing.ContainerdDaemon;
import io.jshim.testing.RootIntegration;
import io.jshim.testing.Scripts;
import io.jshim.ttrpc.TtrpcClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our events publisher against REAL containerd daemons, each started privately by the test: Debian 12's
 * 1.6.20 (ttrpc 1.1, typeurl v1) and a 2.x from Debian unstable (ttrpc 1.2, which requires increasing
 * stream ids, typeurl v2). containerd's own event stream, read with {@code ctr events}, must show each
 * forwarded event decoded, with our topic, namespace, timestamp and fields. {@code ctr events} skips
 * events whose type URL it cannot resolve, so seeing the JSON proves the bare type URL works.
 *
 * <p>Needs root; skipped otherwise or with JSHIM_IT_SKIP=1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContainerdEventsInteropTest {

    private static final Instant STAMP = Instant.parse("2024-05-06T07:08:09.123456789Z");

    @Test
    void taskCreateForwardedByUs_appearsInContainerd16sEventStream() throws Exception {
        RootIntegration.assumeEnabled();
        Path bin = Path.of(Scripts.run("ensure-containerd1.sh", Duration.ofMinutes(5)));
        assertForwardedEventsAppear(bin, 2);
    }

    @Test
    void taskCreateForwardedByUs_appearsInContainerd2sEventStream() throws Exception {
        RootIntegration.assumeEnabled();
        Path bin = Path.of(Scripts.run("fetch-containerd2.sh", Duration.ofMinutes(5)));
        assertForwardedEventsAppear(bin, 3);
    }

    private void assertForwardedEventsAppear(Path bin, int configVersion) throws Exception {
        String namespace = "jshim-it-" + UUID.randomUUID().toString().substring(0, 8);
        String id = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (ContainerdDaemon containerd = ContainerdDaemon.start(bin, configVersion);
                TtrpcClient client = TtrpcClient.builder(containerd.ttrpcAddress()).build();
                TtrpcEventPublisher publisher = new TtrpcEventPublisher(client, PublisherOptions.defaults(),
                        InstantSource.fixed(STAMP))) {
            BlockingQueue<String> events = containerd.subscribeToEvents();
            awaitSubscription(publisher, events, namespace, containerd);

            TaskCreate create = TaskCreate.newBuilder()
                    .setContainerId(id)
                    .setBundle("/run/containerd/io.containerd.runtime.v2.task/" + namespace + "/" + id)
                    .addRootfs(Mount.newBuilder().setType("overlay").setSource("overlay")
                            .addOptions("lowerdir=/l1:/l2").addOptions("upperdir=/u"))
                    .setIo(TaskIO.newBuilder().setStdout("/run/fifo/" + id + "-stdout").setTerminal(true))
                    .setPid(4242)
                    .build();
            publisher.publish(namespace, create);
            publisher.publish(namespace, TaskStart.newBuilder().setContainerId(id).setPid(4242).build());
            publisher.publish(namespace, TaskExit.newBuilder().setContainerId(id).setId(id).setPid(4242)
                    .setExitStatus(137).build());
            publisher.publish(namespace, TaskDelete.newBuilder().setContainerId(id).setPid(4242)
                    .setExitStatus(137).build());

            List<String> ours = new ArrayList<>();
            while (ours.size() < 4) {
                String line = events.poll(20, TimeUnit.SECONDS);
                assertNotNull(line, "containerd's event stream showed only " + ours + "\n" + containerd.logTail());
                if (line.contains(id)) {
                    ours.add(line);
                }
            }

            String createLine = ours.getFirst();
            System.out.println("containerd from " + bin + " printed:\n  " + String.join("\n  ", ours));
            // ctr prints: <timestamp> <namespace> <topic> <event as JSON>
            assertTrue(createLine.startsWith("2024-05-06 07:08:09.123456789 +0000 UTC " + namespace + " /tasks/create {"),
                    createLine);
            for (String field : List.of(
                    "\"container_id\":\"" + id + "\"",
                    "\"bundle\":\"" + create.getBundle() + "\"",
                    "\"type\":\"overlay\"",
                    "\"options\":[\"lowerdir=/l1:/l2\",\"upperdir=/u\"]",
                    "\"stdout\":\"/run/fifo/" + id + "-stdout\"",
                    "\"terminal\":true",
                    "\"pid\":4242")) {
                assertTrue(createLine.contains(field), "expected " + field + " in " + createLine);
            }
            assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete"),
                    ours.stream().map(line -> topicOf(line, namespace)).toList(), "published order kept");
            assertTrue(ours.get(2).contains("\"exit_status\":137"), ours.get(2));
            assertEquals(0, publisher.droppedCount(), "containerd accepted every envelope");
        }
    }

    /**
     * {@code ctr events} subscribes some time after it starts and prints nothing until then; forward
     * TaskOOM probes until one shows up, so that no event of the real test can be missed.
     */
    private void awaitSubscription(TtrpcEventPublisher publisher, BlockingQueue<String> events, String namespace,
            ContainerdDaemon containerd) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            publisher.publish(namespace, TaskOOM.newBuilder().setContainerId("probe").build());
            String line = events.poll(300, TimeUnit.MILLISECONDS);
            if (line != null && line.contains(" /tasks/oom ")) {
                return; // later probe lines carry no container id of the test, so they are skipped
            }
        }
        fail("ctr events never showed a forwarded event\n" + containerd.logTail());
    }

    private static String topicOf(String line, String namespace) {
        int at = line.indexOf(" " + namespace + " ");
        String rest = line.substring(at + namespace.length() + 2);
        return rest.substring(0, rest.indexOf(' '));
    }
}
