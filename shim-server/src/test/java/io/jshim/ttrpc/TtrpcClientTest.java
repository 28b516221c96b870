package io.jshim.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against a server made of plain JDK sockets that records what arrived. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TtrpcClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void streamIds_areOddAndStrictlyIncreasingOnTheWire_evenWithManyCallingThreads() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (RecordingServer server = new RecordingServer(socket);
                TtrpcClient client = TtrpcClient.builder(socket).build();
                ExecutorService callers = Executors.newFixedThreadPool(16)) {
            List<Future<byte[]>> calls = new ArrayList<>();
            for (int i = 0; i < 800; i++) {
                byte[] payload = ("p" + i).getBytes();
                calls.add(callers.submit(() -> client.call("svc", "Echo", payload, WAIT)));
            }
            for (int i = 0; i < calls.size(); i++) {
                assertEquals("p" + i, new String(calls.get(i).get()));
            }
            assertEquals(800, server.received.size());
            long previous = -1;
            for (RecordingServer.Received r : server.received) {
                long id = Integer.toUnsignedLong(r.streamId());
                assertEquals(1, id % 2, "odd id");
                assertTrue(id > previous, "ids increase in arrival order: " + previous + " then " + id);
                previous = id;
            }
            assertEquals(1, server.received.getFirst().streamId());
            assertEquals(1599, previous, "no id skipped");
            assertEquals(1, server.connections());
        }
    }

    @Test
    void timeout_isSentAsTimeoutNano_andEnforcedLocally() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (RecordingServer server = new RecordingServer(socket);
                TtrpcClient client = TtrpcClient.builder(socket).build()) {
            long started = System.nanoTime();
            TtrpcException e = assertThrows(TtrpcException.class,
                    () -> client.call("svc", "Silent", new byte[0], Duration.ofMillis(300)));
            long took = System.nanoTime() - started;
            assertEquals(Code.DEADLINE_EXCEEDED, e.code());
            assertEquals("context deadline exceeded", e.getMessage());
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(250) && took < TimeUnit.SECONDS.toNanos(5), "took " + took);

            long sent = server.received.getFirst().request().getTimeoutNano();
            assertTrue(sent > TimeUnit.MILLISECONDS.toNanos(200) && sent <= TimeUnit.MILLISECONDS.toNanos(300),
                    "timeout_nano " + sent);

            client.call("svc", "Echo", new byte[0], null);
            assertEquals(0, server.received.getLast().request().getTimeoutNano(), "no deadline, no timeout_nano");
            // the late call did not disturb the connection
            assertEquals("ok", new String(client.call("svc", "Echo", "ok".getBytes(), WAIT)));
        }
    }

    @Test
    void metadata_isSentAsKeyValues() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (RecordingServer server = new RecordingServer(socket);
                TtrpcClient client = TtrpcClient.builder(socket).build()) {
            client.call("svc", "Echo", new byte[0], WAIT, Map.of("containerd-namespace-ttrpc", "k8s.io"));
            var kv = server.received.getFirst().request().getMetadata(0);
            assertEquals("containerd-namespace-ttrpc", kv.getKey());
            assertEquals("k8s.io", kv.getValue());
        }
    }

    @Test
    void droppedConnection_failsPendingCallsWithTtrpcClosed_andTheNextCallReconnectsFromStreamOne() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (RecordingServer server = new RecordingServer(socket);
                TtrpcClient client = TtrpcClient.builder(socket).build()) {
            client.call("svc", "Echo", new byte[0], WAIT);
            client.call("svc", "Echo", new byte[0], WAIT);
            CompletableFuture<byte[]> pending = client.callAsync("svc", "Silent", new byte[0], WAIT, Map.of());
            TtrpcServerTest.waitFor(() -> server.received.size() == 3);

            server.dropConnections();
            CompletionException e = assertThrows(CompletionException.class, pending::join);
            assertEquals(Code.UNAVAILABLE, ((TtrpcException) e.getCause()).code());
            assertEquals("ttrpc: closed", e.getCause().getMessage());

            TtrpcServerTest.waitFor(() -> !client.isConnected());
            assertEquals("again", new String(client.call("svc", "Echo", "again".getBytes(), WAIT)));
            assertEquals(2, server.connections());
            RecordingServer.Received last = server.received.getLast();
            assertEquals(2, last.connection());
            assertEquals(1, last.streamId(), "a new connection starts at stream 1");
        }
    }

    @Test
    void unreachableServer_isUnavailable_thenReconnectsWithBackoffOnceItListens() throws Exception {
        Path socket = dir.resolve("late.sock");
        try (TtrpcClient client = TtrpcClient.builder(socket)
                .reconnectBackoff(Duration.ofMillis(200), Duration.ofMillis(800)).build()) {
            TtrpcException first = assertThrows(TtrpcException.class,
                    () -> client.call("svc", "Echo", new byte[0], WAIT));
            assertEquals(Code.UNAVAILABLE, first.code());
            assertTrue(first.getMessage().startsWith("ttrpc: dial " + socket), first.getMessage());

            // within the backoff window a call whose deadline is shorter fails fast, without dialling
            long started = System.nanoTime();
            TtrpcException backingOff = assertThrows(TtrpcException.class,
                    () -> client.call("svc", "Echo", new byte[0], Duration.ofMillis(10)));
            assertEquals(Code.UNAVAILABLE, backingOff.code());
            assertTrue(System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(100));

            try (RecordingServer server = new RecordingServer(socket)) {
                // a call with time to spare waits out the backoff and gets through
                assertEquals("up", new String(client.call("svc", "Echo", "up".getBytes(), WAIT)));
                assertTrue(client.isConnected());
            }
        }
    }

    @Test
    void closedClient_refusesCalls() {
        Path socket = dir.resolve("none.sock");
        TtrpcClient client = TtrpcClient.builder(socket).build();
        client.close();
        TtrpcException e = assertThrows(TtrpcException.class, () -> client.call("svc", "Echo", new byte[0], WAIT));
        assertEquals("ttrpc: closed", e.getMessage());
        assertFalse(client.isConnected());
    }

    @Test
    void requestOverTheLimit_isRefusedBeforeItIsSent() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (RecordingServer server = new RecordingServer(socket);
                TtrpcClient client = TtrpcClient.builder(socket).build()) {
            TtrpcException e = assertThrows(TtrpcException.class,
                    () -> client.call("svc", "Echo", new byte[Frame.MAX_DATA_LENGTH], WAIT));
            assertEquals(Code.RESOURCE_EXHAUSTED, e.code());
            assertEquals("ok", new String(client.call("svc", "Echo", "ok".getBytes(), WAIT)));
            assertEquals(1, server.received.size());
        }
    }
}
