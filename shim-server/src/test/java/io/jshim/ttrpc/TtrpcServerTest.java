package io.jshim.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.StringValue;
import io.jshim.proto.containerd.task.v2.ConnectRequest;
import io.jshim.proto.containerd.task.v2.ConnectResponse;
import io.jshim.proto.google.rpc.Status;
import io.jshim.proto.ttrpc.Request;
import io.jshim.proto.ttrpc.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The server on a real unix socket: routing, errors, concurrency, limits, deadlines, shutdown. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TtrpcServerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private TestServices services;
    private TtrpcServer server;
    private TtrpcClient client;
    private Path socket;

    @BeforeEach
    void start() throws Exception {
        services = new TestServices();
        socket = dir.resolve("ttrpc.sock");
        server = TtrpcServer.builder(services.registry()).build().start(socket);
        client = TtrpcClient.builder(socket).build();
    }

    @AfterEach
    void stop() {
        services.release.countDown();
        client.close();
        server.close();
    }

    @Test
    void unaryCall_roundTripsTypedMessages() throws Exception {
        ConnectResponse response = client.call(TestServices.TASK_V2, "Connect",
                ConnectRequest.newBuilder().setId("abcd").build(), ConnectResponse.parser(), WAIT);
        assertEquals(4242, response.getShimPid());
        assertEquals(4, response.getTaskPid());
    }

    @Test
    void oneDefinition_servesTaskV2AndV3() throws Exception {
        for (String service : List.of(TestServices.TASK_V2, TestServices.TASK_V3)) {
            ConnectResponse response = client.call(service, "Connect", ConnectRequest.newBuilder().setId("x").build(),
                    ConnectResponse.parser(), WAIT);
            assertEquals(service, response.getVersion(), "handler sees the name it was called under");
        }
    }

    @Test
    void socket_isOnlyForItsOwner() throws Exception {
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(socket)));
    }

    @Test
    void unknownService_isUnimplementedWithGoTtrpcMessage() {
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> client.call("containerd.task.v9.Task", "Create", new byte[0], WAIT));
        assertEquals(Code.UNIMPLEMENTED, e.code());
        assertEquals(12, e.code().value());
        assertEquals("service containerd.task.v9.Task", e.getMessage());
    }

    @Test
    void unknownMethod_isUnimplementedWithGoTtrpcMessage() {
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> client.call(TestServices.TASK_V2, "Checkpoint", new byte[0], WAIT));
        assertEquals(Code.UNIMPLEMENTED, e.code());
        assertEquals("method Checkpoint", e.getMessage());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "not-found           | NOT_FOUND           | container abc: not found",
        "already-exists      | ALREADY_EXISTS      | id exec1: already exists",
        "failed-precondition | FAILED_PRECONDITION | container abc init process is not running: failed precondition",
        "invalid-argument    | INVALID_ARGUMENT    | bad signal 99: invalid argument",
        "not-implemented     | UNIMPLEMENTED       | checkpoint: not implemented",
        "internal            | INTERNAL            | broken invariant",
        "deadline            | DEADLINE_EXCEEDED   | context deadline exceeded",
        "illegal-argument    | INVALID_ARGUMENT    | negative width",
        "no-such-file        | NOT_FOUND           | /run/x",
        "plain               | UNKNOWN             | cannot start a running process",
    })
    void handlerErrors_becomeStatusCodesContainerdUnderstands(String kind, Code code, String message) {
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> client.call(TestServices.TEST, "Fail", StringValue.of(kind), Empty.parser(), WAIT));
        assertEquals(code, e.code());
        assertEquals(message, e.getMessage());
    }

    @Test
    void unparsablePayload_isInternalAsInGoTtrpc() {
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> client.call(TestServices.TASK_V2, "Connect", new byte[] {(byte) 0xff, 0x01}, WAIT));
        assertEquals(Code.INTERNAL, e.code());
        assertTrue(e.getMessage().startsWith("ttrpc: error unmarshalling payload: "), e.getMessage());
    }

    @Test
    void emptyResponse_isAResponseFrameWithNoDataAtAll() throws Exception {
        try (RawConnection raw = RawConnection.connect(socket)) {
            raw.writeRequest(1, request(TestServices.TEST, "Empty", new byte[0]));
            Frame frame = raw.readFrame(WAIT);
            assertEquals(Frame.response(1, new byte[0]), frame, "Go servers omit status and payload on success");
        }
    }

    @Test
    void thousandCalls_completeOnOneConnection_whileAnotherCallOnItBlocks() throws Exception {
        CompletableFuture<byte[]> blocked = client.callAsync(TestServices.TEST, "Block",
                Empty.getDefaultInstance().toByteArray(), Duration.ofSeconds(50), java.util.Map.of());
        assertTrue(services.blockedEntered.await(10, TimeUnit.SECONDS), "blocking call started");

        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            calls.add(client.callAsync(TestServices.TEST, "Echo", ("call " + i).getBytes(), WAIT, java.util.Map.of()));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 1000; i++) {
            assertEquals("call " + i, new String(calls.get(i).join()));
        }
        assertFalse(blocked.isDone(), "the blocking call is still waiting");
        assertEquals(1, server.connectionCount(), "all of it on one connection");

        services.release.countDown();
        assertEquals("released", StringValue.parseFrom(blocked.get(10, TimeUnit.SECONDS)).getValue());
    }

    @Test
    void deadlineFromTimeoutNano_isEnforcedByTheServer_andInterruptsTheHandler() throws Exception {
        try (RawConnection raw = RawConnection.connect(socket)) {
            long started = System.nanoTime();
            raw.writeRequest(1, request(TestServices.TEST, "SleepInterruptibly",
                    StringValue.of("30000").toByteArray()).toBuilder()
                    .setTimeoutNano(TimeUnit.MILLISECONDS.toNanos(200)).build());
            Response response = raw.readResponse(1, WAIT);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(status(Code.DEADLINE_EXCEEDED, "context deadline exceeded"), response.getStatus());
            assertTrue(tookMs >= 150 && tookMs < 5000, "answered at the deadline, took " + tookMs + " ms");
            assertTrue(services.interrupted.await(5, TimeUnit.SECONDS), "handler was interrupted");
        }
    }

    @Test
    void negativeTimeoutNano_isAlreadyExpired() throws Exception {
        try (RawConnection raw = RawConnection.connect(socket)) {
            raw.writeRequest(1, request(TestServices.TEST, "Echo", new byte[] {1}).toBuilder()
                    .setTimeoutNano(-1).build());
            assertEquals(Code.DEADLINE_EXCEEDED.value(), raw.readResponse(1, WAIT).getStatus().getCode());
        }
    }

    @Test
    void clientTimeout_isDeadlineExceeded() {
        long started = System.nanoTime();
        TtrpcException e = assertThrows(TtrpcException.class, () -> client.call(TestServices.TEST,
                "SleepInterruptibly", StringValue.of("30000"), StringValue.parser(), Duration.ofMillis(300)));
        assertEquals(Code.DEADLINE_EXCEEDED, e.code());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void oversizedFrame_getsResourceExhausted_andTheConnectionStaysUsable() throws Exception {
        try (RawConnection raw = RawConnection.connect(socket)) {
            long length = Frame.MAX_DATA_LENGTH + 1L;
            raw.write(RawConnection.header(length, 1, MessageType.REQUEST, (byte) 0));
            raw.write(new byte[(int) length]);
            Response response = raw.readResponse(1, WAIT);
            assertEquals(status(Code.RESOURCE_EXHAUSTED,
                    "message length 4194305 exceed maximum message size of 4194304"), response.getStatus());

            raw.writeRequest(3, request(TestServices.TEST, "Echo", "still here".getBytes()));
            assertEquals("still here", raw.readResponse(3, WAIT).getPayload().toStringUtf8());
        }
    }

    @Test
    void requestOfExactlyTheLimit_isServed() throws Exception {
        Request empty = request(TestServices.TEST, "Discard", new byte[0]);
        int payloadSize = Frame.MAX_DATA_LENGTH - empty.getSerializedSize() - 1 - 4; // tag + 4-byte varint length
        Request request = request(TestServices.TEST, "Discard", new byte[payloadSize]);
        assertEquals(Frame.MAX_DATA_LENGTH, request.getSerializedSize());
        try (RawConnection raw = RawConnection.connect(socket)) {
            raw.writeRequest(1, request);
            assertFalse(raw.readResponse(1, WAIT).hasStatus());
        }
    }

    @Test
    void oversizedResponse_isResourceExhaustedOnItsStream() throws Exception {
        byte[] big = new byte[Frame.MAX_DATA_LENGTH - 100];
        TtrpcException e = assertThrows(TtrpcException.class, () -> client.call(TestServices.TEST, "Grow", big, WAIT));
        assertEquals(Code.RESOURCE_EXHAUSTED, e.code());
        assertEquals("message length 4194409 exceed maximum message size of 4194304", e.getMessage());
        assertEquals("ok", new String(client.call(TestServices.TEST, "Echo", "ok".getBytes(), WAIT)));
    }

    @Test
    void truncatedFrame_closesOnlyThatConnection() throws Exception {
        assertEquals("before", new String(client.call(TestServices.TEST, "Echo", "before".getBytes(), WAIT)));
        try (RawConnection raw = RawConnection.connect(socket)) {
            raw.write(RawConnection.header(100, 1, MessageType.REQUEST, (byte) 0));
            raw.write(new byte[10]);
            raw.shutdownOutput();
            assertTrue(raw.closedByPeerWithin(WAIT), "server closed the truncated connection");
        }
        assertEquals("after", new String(client.call(TestServices.TEST, "Echo", "after".getBytes(), WAIT)));
        waitFor(() -> server.connectionCount() == 1);
    }

    @Test
    void randomGarbageOnOneConnection_neverDisturbsAnother() throws Exception {
        java.util.Random random = new java.util.Random(0x7712_0003L);
        for (int round = 0; round < 20; round++) {
            byte[] garbage = new byte[1 + random.nextInt(64 * 1024)];
            random.nextBytes(garbage);
            try (RawConnection raw = RawConnection.connect(socket)) {
                try {
                    raw.write(garbage);
                    raw.shutdownOutput();
                } catch (java.io.IOException e) {
                    // the server may already have answered and the peer closed; either is fine
                }
                assertEquals("round " + round, new String(client.call(TestServices.TEST, "Echo",
                        ("round " + round).getBytes(), WAIT)));
            }
        }
        waitFor(() -> server.connectionCount() == 1);
        assertEquals("still serving", new String(client.call(TestServices.TEST, "Echo", "still serving".getBytes(), WAIT)));
    }

    @ParameterizedTest(name = "stream {0} type {1}")
    @CsvSource({
        "2, 1, StreamID must be odd for client initiated streams",
        "0, 1, StreamID must be odd for client initiated streams",
        "5, 3, StreamID is no longer active",
    })
    void badStreams_getInvalidArgumentAndTheConnectionGoesOn(int streamId, byte type, String message) throws Exception {
        try (RawConnection raw = RawConnection.connect(socket)) {
            raw.writeFrame(streamId, type, (byte) 0, request(TestServices.TEST, "Echo", new byte[0]).toByteArray());
            assertEquals(status(Code.INVALID_ARGUMENT, message), raw.readResponse(streamId, WAIT).getStatus());
            raw.writeRequest(7, request(TestServices.TEST, "Echo", "ok".getBytes()));
            assertEquals("ok", raw.readResponse(7, WAIT).getPayload().toStringUtf8());
        }
    }

    @Test
    void reusedOrDecreasingStreamId_isRejectedAsTtrpc12Does() throws Exception {
        try (RawConnection raw = RawConnection.connect(socket)) {
            raw.writeRequest(5, request(TestServices.TEST, "Echo", "a".getBytes()));
            assertEquals("a", raw.readResponse(5, WAIT).getPayload().toStringUtf8());
            for (int id : new int[] {5, 3}) {
                raw.writeRequest(id, request(TestServices.TEST, "Echo", "b".getBytes()));
                assertEquals(status(Code.INVALID_ARGUMENT, "StreamID cannot be re-used and must increment"),
                        raw.readResponse(id, WAIT).getStatus());
            }
        }
    }

    @Test
    void garbageRequestPayload_isInvalidArgument() throws Exception {
        try (RawConnection raw = RawConnection.connect(socket)) {
            raw.writeFrame(1, MessageType.REQUEST, (byte) 0, new byte[] {(byte) 0xff, (byte) 0xff, 0x7f});
            Status status = raw.readResponse(1, WAIT).getStatus();
            assertEquals(Code.INVALID_ARGUMENT.value(), status.getCode());
            assertTrue(status.getMessage().startsWith("unmarshal request error: "), status.getMessage());
        }
    }

    @Test
    void unknownFrameTypes_andStrayResponses_areIgnored() throws Exception {
        try (RawConnection raw = RawConnection.connect(socket)) {
            raw.writeFrame(1, (byte) 0x7f, (byte) 0, new byte[] {1, 2, 3});
            raw.writeFrame(3, MessageType.RESPONSE, (byte) 0, new byte[0]);
            raw.writeRequest(5, request(TestServices.TEST, "Echo", "next".getBytes()));
            assertEquals("next", raw.readResponse(5, WAIT).getPayload().toStringUtf8());
        }
    }

    @Test
    void streamingFlagsOnAUnaryMethod_areServedAsUnary() throws Exception {
        try (RawConnection raw = RawConnection.connect(socket)) {
            raw.writeFrame(1, MessageType.REQUEST, Frame.FLAG_REMOTE_CLOSED,
                    request(TestServices.TEST, "Echo", "x".getBytes()).toByteArray());
            assertEquals("x", raw.readResponse(1, WAIT).getPayload().toStringUtf8());
        }
    }

    @Test
    void gracefulShutdown_drainsCallsInFlight() throws Exception {
        CompletableFuture<byte[]> slow = client.callAsync(TestServices.TEST, "SleepUninterruptibly",
                StringValue.of("700").toByteArray(), WAIT, java.util.Map.of());
        waitFor(() -> server.callsInFlight() == 1);
        TtrpcClient idle = TtrpcClient.builder(socket).build();
        idle.call(TestServices.TEST, "Echo", new byte[0], WAIT);

        long started = System.nanoTime();
        assertTrue(server.shutdown(Duration.ofSeconds(10)), "drained within the grace period");
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(300), "waited for the slow call");

        assertEquals("slept 700", StringValue.parseFrom(slow.get(5, TimeUnit.SECONDS)).getValue());
        assertEquals(1, services.sleepersFinished.get());
        assertFalse(Files.exists(socket), "socket file removed");
        assertEquals(0, server.connectionCount());
        TtrpcException refused = assertThrows(TtrpcException.class,
                () -> idle.call(TestServices.TEST, "Echo", new byte[0], Duration.ofSeconds(1)));
        assertEquals(Code.UNAVAILABLE, refused.code());
        idle.close();
    }

    @Test
    void shutdownPastItsGrace_interruptsWhatIsLeft() throws Exception {
        CompletableFuture<byte[]> stuck = client.callAsync(TestServices.TEST, "SleepInterruptibly",
                StringValue.of("30000").toByteArray(), null, java.util.Map.of());
        waitFor(() -> server.callsInFlight() == 1);
        assertFalse(server.shutdown(Duration.ofMillis(200)));
        assertTrue(services.interrupted.await(5, TimeUnit.SECONDS));
        TtrpcException e = assertThrows(TtrpcException.class, () -> {
            try {
                stuck.join();
            } catch (java.util.concurrent.CompletionException ce) {
                throw ce.getCause();
            }
        });
        assertEquals("ttrpc: closed", e.getMessage());
    }

    static Request request(String service, String method, byte[] payload) {
        return Request.newBuilder().setService(service).setMethod(method).setPayload(ByteString.copyFrom(payload))
                .build();
    }

    static Status status(Code code, String message) {
        return Status.newBuilder().setCode(code.value()).setMessage(message).build();
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.sleep(10);
        }
    }
}
