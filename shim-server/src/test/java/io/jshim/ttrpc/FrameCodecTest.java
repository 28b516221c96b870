package io.jshim.ttrpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.proto.containerd.task.v2.ConnectRequest;
import io.jshim.proto.containerd.task.v2.ConnectResponse;
import io.jshim.proto.ttrpc.KeyValue;
import io.jshim.proto.ttrpc.Request;
import io.jshim.proto.ttrpc.Response;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Framing: header layout, the 4 MiB limit, partial and garbled input, truncation (shim-v2-protocol.md §2.1). */
class FrameCodecTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void connectRequestExample_matchesTheProtocolNotesByteForByte() {
        // shared/docs/shim-v2-protocol.md §2.2: Connect on stream 1 with namespace metadata
        Request request = Request.newBuilder()
                .setService("containerd.task.v2.Task")
                .setMethod("Connect")
                .setPayload(ConnectRequest.newBuilder().setId("abc").build().toByteString())
                .addMetadata(KeyValue.newBuilder().setKey("containerd-namespace-ttrpc").setValue("k8s.io"))
                .build();
        byte[] wire = encode(Frame.request(1, request.toByteArray()));

        String expected = "0000004f" + "00000001" + "01" + "00"
                + "0a17" + HEX.formatHex("containerd.task.v2.Task".getBytes())
                + "1207" + HEX.formatHex("Connect".getBytes())
                + "1a05" + "0a03" + HEX.formatHex("abc".getBytes())
                + "2a24" + "0a1a" + HEX.formatHex("containerd-namespace-ttrpc".getBytes())
                + "1206" + HEX.formatHex("k8s.io".getBytes());
        assertEquals(expected, HEX.formatHex(wire));
    }

    @Test
    void connectResponseExample_decodesAsTheProtocolNotesSay() throws Exception {
        byte[] wire = HEX.parseHex("00000008000000010200" + "120608922110e121");
        List<Object> decoded = decode(wire);

        Frame frame = assertInstanceOf(Frame.class, decoded.getFirst());
        assertEquals(1, frame.streamId());
        assertEquals(MessageType.RESPONSE, frame.type());
        Response response = Response.parseFrom(frame.data());
        assertEquals(false, response.hasStatus());
        ConnectResponse connect = ConnectResponse.parseFrom(response.getPayload());
        assertEquals(4242, connect.getShimPid());
        assertEquals(4321, connect.getTaskPid());
    }

    @Test
    void errorResponseExample_roundTrips() throws Exception {
        // §2.2: NOT_FOUND on stream 3
        String message = "container not created: not found";
        byte[] data = ServerCall.failure(Errdefs.notFound("container not created").toStatus()).toByteArray();
        byte[] wire = encode(Frame.response(3, data));
        assertEquals("00000026" + "00000003" + "0200" + "0a24" + "0805" + "1220" + HEX.formatHex(message.getBytes()),
                HEX.formatHex(wire));
    }

    @Test
    void header_isBigEndianLengthStreamTypeFlags() {
        byte[] wire = encode(new Frame(0x01020305, (byte) 0x03, (byte) 0x05, new byte[] {9, 8, 7}));
        assertEquals("00000003" + "01020305" + "03" + "05" + "090807", HEX.formatHex(wire));
    }

    @Test
    void streamIdAboveTwoToThe31_isKeptUnsigned() {
        Frame frame = (Frame) decode(encode(Frame.request(0xFFFF_FFFF, new byte[0]))).getFirst();
        assertEquals("4294967295", Integer.toUnsignedString(frame.streamId()));
    }

    @Test
    void frameSplitAtEveryByte_decodesOnce() {
        byte[] wire = encode(Frame.request(7, "hello ttrpc".getBytes()));
        for (int cut = 0; cut <= wire.length; cut++) {
            EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
            channel.writeInbound(Unpooled.wrappedBuffer(wire, 0, cut));
            if (cut < wire.length) {
                assertNull(channel.readInbound(), "nothing before the last byte, cut at " + cut);
                channel.writeInbound(Unpooled.wrappedBuffer(wire, cut, wire.length - cut));
            }
            assertEquals(Frame.request(7, "hello ttrpc".getBytes()), channel.readInbound());
            assertNull(channel.readInbound());
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void emptyData_isAFrameOfItsOwn() {
        List<Object> frames = decode(concat(encode(Frame.response(1, new byte[0])), encode(Frame.response(3, new byte[0]))));
        assertEquals(List.of(Frame.response(1, new byte[0]), Frame.response(3, new byte[0])), frames);
    }

    @Test
    void exactlyFourMebibytes_isAccepted() {
        byte[] data = new byte[Frame.MAX_DATA_LENGTH];
        data[data.length - 1] = 42;
        Frame frame = (Frame) decode(encode(Frame.request(1, data))).getFirst();
        assertEquals(Frame.MAX_DATA_LENGTH, frame.data().length);
        assertEquals(42, frame.data()[data.length - 1]);
    }

    @Test
    void oversizedFrame_isSkippedThenReportedAndTheNextFrameStillDecodes() {
        long length = Frame.MAX_DATA_LENGTH + 1L;
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(RawConnection.header(length, 5, MessageType.REQUEST, (byte) 0)));
        // the body arrives in pieces; the report comes only once all of it has been skipped
        int chunk = 1 << 20;
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(chunk, left);
            assertNull(channel.readInbound());
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[n]));
            left -= n;
        }
        OversizedFrame oversized = channel.readInbound();
        assertEquals(new OversizedFrame(5, MessageType.REQUEST, length), oversized);
        assertEquals("message length 4194305 exceed maximum message size of 4194304", oversized.statusMessage());

        channel.writeInbound(Unpooled.wrappedBuffer(encode(Frame.request(7, new byte[] {1}))));
        assertEquals(Frame.request(7, new byte[] {1}), channel.readInbound());
        channel.finishAndReleaseAll();
    }

    @Test
    void largestAnnouncedLength_isSkippedWithoutBuffering() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(RawConnection.header(0xFFFF_FFFFL, 9, MessageType.REQUEST, (byte) 0)));
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[1 << 20]));
        assertNull(channel.readInbound());
        assertEquals(0, cumulatedBytes(channel), "skipped bytes must not be kept");
        assertThrows(TruncatedFrameException.class, channel::finish);
    }

    @Test
    void connectionClosedInsideAFrame_isATruncatedFrame() {
        for (byte[] partial : List.of(
                HEX.parseHex("0000"), // inside the header
                RawConnection.header(100, 1, MessageType.REQUEST, (byte) 0), // header only
                concat(RawConnection.header(100, 1, MessageType.REQUEST, (byte) 0), new byte[10]), // half a body
                RawConnection.header(Frame.MAX_DATA_LENGTH + 10L, 1, MessageType.REQUEST, (byte) 0))) { // while skipping
            EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
            channel.writeInbound(Unpooled.wrappedBuffer(partial));
            assertThrows(TruncatedFrameException.class, channel::finish, HEX.formatHex(partial));
        }
    }

    @Test
    void encoder_refusesMoreThanFourMebibytes() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder());
        EncoderException e = assertThrows(EncoderException.class,
                () -> channel.writeOutbound(Frame.response(1, new byte[Frame.MAX_DATA_LENGTH + 1])));
        assertEquals("message length 4194305 exceed maximum message size of 4194304", e.getMessage());
    }

    /** Random valid frame sequences in random slices decode to exactly the frames that were encoded. */
    @Test
    void fuzz_randomFramesInRandomSlices_roundTrip() {
        Random random = new Random(0x7712_0001L);
        for (int round = 0; round < 300; round++) {
            List<Object> sent = new ArrayList<>();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            int frames = 1 + random.nextInt(20);
            for (int i = 0; i < frames; i++) {
                int size = switch (random.nextInt(10)) {
                    case 0 -> 0;
                    case 1 -> random.nextInt(70_000);
                    default -> random.nextInt(200);
                };
                byte[] data = new byte[size];
                random.nextBytes(data);
                Frame frame = new Frame(random.nextInt(), (byte) random.nextInt(), (byte) random.nextInt(), data);
                sent.add(frame);
                wire.writeBytes(encode(frame));
            }
            assertEquals(sent, decodeInSlices(wire.toByteArray(), random), "round " + round);
        }
    }

    /**
     * Garbage in any slicing never throws, never buffers more than one frame, and yields the same result as
     * a reference parser reading the same bytes in one piece.
     */
    @Test
    void fuzz_garbledInput_isParsedConsistentlyAndNeverThrows() {
        Random random = new Random(0x7712_0002L);
        for (int round = 0; round < 500; round++) {
            byte[] garbage = new byte[random.nextInt(4096)];
            random.nextBytes(garbage);
            // small lengths make frames complete within the garbage more often
            for (int i = 0; i + 4 <= garbage.length && random.nextBoolean(); i += 1 + random.nextInt(64)) {
                garbage[i] = 0;
                garbage[i + 1] = 0;
                garbage[i + 2] = random.nextBoolean() ? 0 : garbage[i + 2];
            }
            EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
            List<Object> decoded = new ArrayList<>();
            int offset = 0;
            while (offset < garbage.length) {
                int n = Math.min(garbage.length - offset, 1 + random.nextInt(300));
                channel.writeInbound(Unpooled.wrappedBuffer(garbage, offset, n));
                offset += n;
                for (Object o; (o = channel.readInbound()) != null; ) {
                    decoded.add(o);
                }
                assertTrue(cumulatedBytes(channel) <= Frame.HEADER_LENGTH + Frame.MAX_DATA_LENGTH);
            }
            assertEquals(referenceParse(garbage), decoded, "round " + round);
            channel.close();
        }
    }

    /** A straightforward second reading of the framing rules, to compare the decoder against. */
    private static List<Object> referenceParse(byte[] bytes) {
        List<Object> out = new ArrayList<>();
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        while (in.readableBytes() >= Frame.HEADER_LENGTH) {
            long length = in.readUnsignedInt();
            int stream = in.readInt();
            byte type = in.readByte();
            byte flags = in.readByte();
            if (length > Frame.MAX_DATA_LENGTH) {
                if (in.readableBytes() < length) {
                    break;
                }
                in.skipBytes((int) length);
                out.add(new OversizedFrame(stream, type, length));
            } else {
                if (in.readableBytes() < length) {
                    break;
                }
                byte[] data = new byte[(int) length];
                in.readBytes(data);
                out.add(new Frame(stream, type, flags, data));
            }
        }
        return out;
    }

    private static List<Object> decodeInSlices(byte[] wire, Random random) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        List<Object> decoded = new ArrayList<>();
        int offset = 0;
        while (offset < wire.length) {
            int n = Math.min(wire.length - offset, 1 + random.nextInt(random.nextBoolean() ? 16 : 9000));
            channel.writeInbound(Unpooled.wrappedBuffer(wire, offset, n));
            offset += n;
            for (Object o; (o = channel.readInbound()) != null; ) {
                decoded.add(o);
            }
        }
        channel.finishAndReleaseAll();
        return decoded;
    }

    private static int cumulatedBytes(EmbeddedChannel channel) {
        return channel.pipeline().get(FrameDecoder.class).bufferedBytes();
    }

    static byte[] encode(Frame frame) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder());
        channel.writeOutbound(frame);
        ByteBuf out = channel.readOutbound();
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        channel.finishAndReleaseAll();
        return bytes;
    }

    private static List<Object> decode(byte[] wire) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(wire));
        List<Object> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            out.add(o);
        }
        channel.finishAndReleaseAll();
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void frameData_isCompared_byContent() {
        assertArrayEquals(new byte[] {1, 2}, new Frame(1, MessageType.DATA, (byte) 0, new byte[] {1, 2}).data());
        assertEquals(new Frame(1, MessageType.DATA, (byte) 0, new byte[] {1, 2}),
                new Frame(1, MessageType.DATA, (byte) 0, new byte[] {1, 2}));
    }
}
