package io.jshim.shim.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.proto.containerd.events.TaskCreate;
import io.jshim.proto.containerd.events.TaskExit;
import io.jshim.proto.containerd.events.TaskIO;
import io.jshim.proto.containerd.events.TaskStart;
import io.jshim.proto.containerd.services.events.ttrpc.v1.Envelope;
import io.jshim.proto.containerd.types.Mount;
import io.jshim.ttrpc.TtrpcClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The publisher against a fake containerd Events service on a real ttrpc socket. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TtrpcEventPublisherTest {

    private static final PublisherOptions FAST = PublisherOptions.defaults()
            .withBackoff(Duration.ofMillis(20), Duration.ofMillis(100));

    @TempDir
    Path dir;

    @Test
    void events_arriveInOrder_asBareTypeUrlEnvelopes() throws Exception {
        Path socket = dir.resolve("containerd.sock.ttrpc");
        Instant before = Instant.now();
        try (FakeContainerdEvents containerd = new FakeContainerdEvents(socket);
                TtrpcEventPublisher publisher = TtrpcEventPublisher.connect(socket, FAST)) {
            TaskCreate create = TaskCreate.newBuilder()
                    .setContainerId("c1").setBundle("/run/b/c1").setPid(4242)
                    .addRootfs(Mount.newBuilder().setType("overlay").setSource("overlay").addOptions("ro"))
                    .setIo(TaskIO.newBuilder().setStdout("/fifo/out"))
                    .build();
            assertTrue(publisher.publish("default", create));
            for (int i = 0; i < 200; i++) {
                assertTrue(publisher.publish("default", TaskStart.newBuilder().setContainerId("c" + i).setPid(i).build()));
            }
            assertTrue(publisher.publish("other-ns", TaskExit.newBuilder().setContainerId("c1").setExitStatus(137).build()));
            waitFor(() -> containerd.forwarded.size() == 202);

            Envelope first = containerd.forwarded.getFirst().envelope();
            assertEquals("default", first.getNamespace());
            assertEquals("/tasks/create", first.getTopic());
            assertEquals("containerd.events.TaskCreate", first.getEvent().getTypeUrl(), "bare type URL");
            assertEquals(create, TaskCreate.parseFrom(first.getEvent().getValue()));
            assertTrue(first.getTimestamp().getSeconds() >= before.getEpochSecond());
            assertEquals("default", containerd.forwarded.getFirst().namespaceHeader());

            for (int i = 0; i < 200; i++) {
                Envelope e = containerd.forwarded.get(i + 1).envelope();
                assertEquals("/tasks/start", e.getTopic());
                assertEquals("containerd.events.TaskStart", e.getEvent().getTypeUrl());
                assertEquals(i, TaskStart.parseFrom(e.getEvent().getValue()).getPid(), "in publish order");
            }
            Envelope last = containerd.forwarded.getLast().envelope();
            assertEquals("/tasks/exit", last.getTopic());
            assertEquals("other-ns", last.getNamespace());
            assertEquals(202, publisher.forwardedCount());
            assertEquals(0, publisher.droppedCount());
        }
    }

    @Test
    void whileContainerdIsUnreachable_eventsWait_andGoOutInOrderOnceItListens() throws Exception {
        Path socket = dir.resolve("late.ttrpc");
        try (TtrpcEventPublisher publisher = TtrpcEventPublisher.connect(socket, FAST)) {
            for (int i = 1; i <= 5; i++) {
                publisher.publish("default", TaskStart.newBuilder().setContainerId("c").setPid(i).build());
            }
            Thread.sleep(400); // several failed attempts
            assertEquals(0, publisher.forwardedCount());
            try (FakeContainerdEvents containerd = new FakeContainerdEvents(socket)) {
                waitFor(() -> containerd.forwarded.size() == 5);
                for (int i = 0; i < 5; i++) {
                    assertEquals(i + 1, TaskStart.parseFrom(containerd.forwarded.get(i).envelope().getEvent().getValue())
                            .getPid());
                }
            }
        }
    }

    @Test
    void containerdRestart_isRiddenOut() throws Exception {
        Path socket = dir.resolve("restart.ttrpc");
        try (TtrpcEventPublisher publisher = TtrpcEventPublisher.connect(socket, FAST)) {
            try (FakeContainerdEvents containerd = new FakeContainerdEvents(socket)) {
                publisher.publish("default", TaskStart.newBuilder().setPid(1).build());
                waitFor(() -> containerd.forwarded.size() == 1);
            }
            publisher.publish("default", TaskStart.newBuilder().setPid(2).build());
            publisher.publish("default", TaskStart.newBuilder().setPid(3).build());
            Thread.sleep(200);
            try (FakeContainerdEvents containerd = new FakeContainerdEvents(socket)) {
                waitFor(() -> containerd.forwarded.size() == 2);
                assertEquals(List.of(2, 3), containerd.forwarded.stream()
                        .map(f -> parsePid(f.envelope())).toList());
            }
        }
    }

    @Test
    void eventContainerdRejects_isDropped_andTheNextOneGoesOut() throws Exception {
        Path socket = dir.resolve("c.ttrpc");
        try (FakeContainerdEvents containerd = new FakeContainerdEvents(socket);
                TtrpcEventPublisher publisher = TtrpcEventPublisher.connect(socket, FAST)) {
            publisher.publish("default", "no-slash", TaskStart.newBuilder().setPid(1).build());
            publisher.publish("default", TaskStart.newBuilder().setPid(2).build());
            waitFor(() -> containerd.forwarded.size() == 1);
            assertEquals(2, parsePid(containerd.forwarded.getFirst().envelope()));
            waitFor(() -> publisher.droppedCount() == 1);
        }
    }

    @Test
    void eventsOlderThanMaxAge_areDropped_soTheQueueNeverStallsForever() throws Exception {
        Path socket = dir.resolve("never.ttrpc");
        try (TtrpcEventPublisher publisher = TtrpcEventPublisher.connect(socket,
                FAST.withMaxEventAge(Duration.ofMillis(300)))) {
            publisher.publish("default", TaskStart.newBuilder().setPid(1).build());
            publisher.publish("default", TaskStart.newBuilder().setPid(2).build());
            waitFor(() -> publisher.droppedCount() == 2);
            assertEquals(0, publisher.forwardedCount());
        }
    }

    @Test
    void fullQueue_refusesNewEventsWithoutBlocking() {
        Path socket = dir.resolve("never.ttrpc");
        try (TtrpcEventPublisher publisher = TtrpcEventPublisher.connect(socket, FAST.withQueueCapacity(3))) {
            int accepted = 0;
            for (int i = 0; i < 10; i++) {
                if (publisher.publish("default", TaskStart.newBuilder().setPid(i).build())) {
                    accepted++;
                }
            }
            // one may already be in the sender's hands, the queue holds three more
            assertTrue(accepted == 3 || accepted == 4, "accepted " + accepted);
            assertEquals(10 - accepted, publisher.droppedCount());
            publisher.close(Duration.ZERO);
            assertEquals(10, publisher.droppedCount(), "what was still queued at close is counted as dropped");
        }
    }

    @Test
    void close_deliversWhatIsQueued_thenRefusesMore() throws Exception {
        Path socket = dir.resolve("c.ttrpc");
        try (FakeContainerdEvents containerd = new FakeContainerdEvents(socket)) {
            TtrpcClient client = TtrpcClient.builder(socket).build();
            TtrpcEventPublisher publisher = new TtrpcEventPublisher(client, FAST);
            for (int i = 0; i < 50; i++) {
                publisher.publish("default", TaskStart.newBuilder().setPid(i).build());
            }
            publisher.close(Duration.ofSeconds(10));
            assertEquals(50, containerd.forwarded.size());
            assertFalse(publisher.publish("default", TaskStart.getDefaultInstance()));
            client.close();
        }
    }

    @Test
    void topics_followContainerdsNames_andNonTaskEventsNeedAnExplicitTopic() {
        assertEquals("/tasks/exec-started",
                EventTopics.topicOf(io.jshim.proto.containerd.events.TaskExecStarted.getDefaultInstance()));
        assertEquals("/tasks/oom", EventTopics.topicOf(io.jshim.proto.containerd.events.TaskOOM.getDefaultInstance()));
        assertThrows(IllegalArgumentException.class,
                () -> EventTopics.topicOf(io.jshim.proto.containerd.types.Mount.getDefaultInstance()));
    }

    private static int parsePid(Envelope envelope) {
        try {
            return TaskStart.parseFrom(envelope.getEvent().getValue()).getPid();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 15 s");
            }
            Thread.sleep(10);
        }
    }
}
