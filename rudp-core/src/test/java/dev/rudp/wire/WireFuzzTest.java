package dev.rudp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rudp.testing.FuzzBounds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz targets for the rudp wire format: the packet header and checksum trailer, every frame type, and
 * the handshake bodies with their transport parameters. Decoders here never throw: they return a
 * failure value. What decodes must encode back to the same value, and an input costs at most a few
 * hundred bytes of heap per byte. Inputs: {@code src/test/resources/dev/rudp/wire/WireFuzzTestInputs/}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireFuzzTest {

    /** The header every datagram starts with, and the CRC32C trailer of plaintext mode. */
    @FuzzTest
    void packetHeader(byte[] input) throws Exception {
        FuzzBounds.boundedAllocation(input.length, 64 << 10, 8, () -> {
            ByteBuf in = Unpooled.wrappedBuffer(input);
            PacketType type = PacketHeader.peekType(in);
            boolean plausible = input.length >= PacketHeader.SIZE && input[0] == PacketHeader.VERSION;
            if (!plausible) {
                assertNull(type);
            }
            if (type != null) {
                long dcid = PacketHeader.peekDestinationId(in);
                ByteBuf again = FuzzBounds.buffer();
                PacketHeader.encode(again, type, dcid);
                assertArrayEquals(java.util.Arrays.copyOf(input, PacketHeader.SIZE), ByteBufUtil.getBytes(again));
            }
            assertEquals(0, in.readerIndex(), "peeking consumed bytes");

            Checksum checksum = new Checksum();
            ByteBuf packet = FuzzBounds.copy(input);
            boolean valid = checksum.verifyAndStrip(packet);
            if (valid) {
                assertEquals(input.length - Checksum.SIZE, packet.readableBytes());
                ByteBuf resealed = FuzzBounds.copy(ByteBufUtil.getBytes(packet));
                checksum.append(resealed);
                assertArrayEquals(input, ByteBufUtil.getBytes(resealed));
            } else {
                assertEquals(input.length, packet.readableBytes(), "a refused packet was changed");
            }
            ByteBuf sealed = FuzzBounds.copy(input);
            checksum.append(sealed);
            assertTrue(checksum.verifyAndStrip(sealed), "a sealed packet does not verify");
            assertArrayEquals(input, ByteBufUtil.getBytes(sealed));
        });
    }

    /**
     * A DATA packet's frames, decoded in a row as the engine does. Every frame that decodes is encoded
     * again and must decode to the same value.
     */
    @FuzzTest
    void frames(byte[] input) throws Exception {
        // The decoders alone, measured; then again with the round trips, which allocate for themselves.
        FuzzBounds.boundedAllocation(input.length, 64 << 10, 16, () -> walk(input, false));
        walk(input, true);
    }

    private static void walk(byte[] input, boolean check) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        AckFrame ack = new AckFrame();
        MessageFrame message = new MessageFrame();
        long[] frequency = new long[2];
        while (in.isReadable()) {
            FrameType type = FrameType.of(in.readUnsignedByte());
            if (type == null) {
                return;
            }
            boolean ok = switch (type) {
                case PADDING, PING -> true;
                case ACK -> ack.decode(in) && (!check || checkAck(ack));
                case MESSAGE_ORDERED, MESSAGE_UNORDERED -> message.decode(in, type == FrameType.MESSAGE_ORDERED)
                        && (!check || checkMessage(message));
                case MAX_DATA -> {
                    long v = MaxDataFrame.decode(in);
                    yield check ? checkMaxData(v) : v >= 0;
                }
                case CLOSE -> {
                    CloseFrame c = CloseFrame.decode(in);
                    yield check ? checkClose(c) : c != null;
                }
                case ACK_FREQUENCY -> AckFrequencyFrame.decode(in, frequency) && (!check || checkAckFrequency(frequency));
            };
            if (!ok) {
                return;
            }
        }
    }

    private static boolean checkAckFrequency(long[] f) {
        assertTrue(f[0] >= 0 && f[0] <= Varint.MAX, "sequence " + f[0]);
        assertTrue(f[1] >= AckFrequencyFrame.MIN_THRESHOLD && f[1] <= AckFrequencyFrame.MAX_THRESHOLD, "threshold " + f[1]);
        ByteBuf out = Unpooled.buffer();
        try {
            AckFrequencyFrame.encode(out, f[0], (int) f[1]);
            assertEquals(AckFrequencyFrame.size(f[0], (int) f[1]), out.readableBytes());
            out.skipBytes(1);
            long[] again = new long[2];
            assertTrue(AckFrequencyFrame.decode(out, again), "a re-encoded ACK_FREQUENCY does not decode");
            assertArrayEquals(f, again);
        } finally {
            out.release();
        }
        return true;
    }

    private static boolean checkAck(AckFrame ack) {
        int n = ack.rangeCount();
        assertTrue(n >= 1 && n <= AckFrame.MAX_RANGES, "range count " + n);
        for (int i = 0; i < n; i++) {
            assertTrue(ack.low(i) >= 0 && ack.low(i) <= ack.high(i), "range " + i);
            if (i > 0) {
                assertTrue(ack.high(i) < ack.low(i - 1) - 1, "ranges " + (i - 1) + " and " + i + " touch");
            }
        }
        assertTrue(ack.ackDelayMicros() >= 0);
        ByteBuf out = FuzzBounds.buffer();
        ack.encode(out, n);
        assertEquals(ack.encodedSize(n), out.readableBytes(), "encodedSize disagrees with encode");
        assertEquals(FrameType.ACK.code(), out.readUnsignedByte());
        AckFrame again = new AckFrame();
        assertTrue(again.decode(out), "a re-encoded ACK does not decode");
        assertEquals(0, out.readableBytes());
        assertEquals(n, again.rangeCount());
        assertEquals(ack.ackDelayMicros(), again.ackDelayMicros());
        for (int i = 0; i < n; i++) {
            assertEquals(ack.low(i), again.low(i));
            assertEquals(ack.high(i), again.high(i));
        }
        // The builder side accepts exactly these ranges, high to low.
        AckFrame built = new AckFrame().reset(ack.ackDelayMicros());
        for (int i = 0; i < n; i++) {
            assertTrue(built.addRange(ack.low(i), ack.high(i)), "addRange refused a decoded range");
        }
        return true;
    }

    private static boolean checkMessage(MessageFrame m) {
        long n = m.data().readableBytes();
        assertTrue(m.messageId() >= 0 && m.offset() >= 0 && m.offset() + n <= m.messageLength());
        assertTrue(n > 0 || m.messageLength() == 0, "an empty fragment of a non-empty message");
        if (m.messageLength() <= 65_536) {
            ByteBuf whole = FuzzBounds.buffer().writeZero((int) m.messageLength());
            whole.setBytes((int) m.offset(), m.data(), m.data().readerIndex(), (int) n);
            ByteBuf out = FuzzBounds.buffer();
            MessageFrame.encode(out, m.ordered(), m.messageId(), whole, (int) m.offset(), (int) n);
            assertEquals(MessageFrame.overhead(m.messageId(), m.messageLength(), m.offset(), (int) n) + n,
                    out.readableBytes(), "overhead disagrees with encode");
            int t = out.readUnsignedByte();
            assertEquals(m.ordered() ? FrameType.MESSAGE_ORDERED.code() : FrameType.MESSAGE_UNORDERED.code(), t);
            MessageFrame again = new MessageFrame();
            assertTrue(again.decode(out, m.ordered()));
            assertEquals(m.messageId(), again.messageId());
            assertEquals(m.messageLength(), again.messageLength());
            assertEquals(m.offset(), again.offset());
            assertTrue(ByteBufUtil.equals(m.data(), again.data()));
        }
        return true;
    }

    private static boolean checkMaxData(long maxData) {
        if (maxData < 0) {
            assertEquals(Varint.INVALID, maxData);
            return false;
        }
        assertTrue(maxData <= Varint.MAX);
        ByteBuf out = FuzzBounds.buffer();
        MaxDataFrame.encode(out, maxData);
        assertEquals(MaxDataFrame.size(maxData), out.readableBytes());
        out.skipBytes(1);
        assertEquals(maxData, MaxDataFrame.decode(out));
        return true;
    }

    private static boolean checkClose(CloseFrame close) {
        if (close == null) {
            return false;
        }
        assertTrue(close.code() >= 0 && close.code() <= Varint.MAX);
        ByteBuf out = FuzzBounds.buffer();
        close.encode(out);
        assertEquals(close.size(), out.readableBytes());
        out.skipBytes(1);
        CloseFrame again = CloseFrame.decode(out);
        assertNotNull(again, "a re-encoded CLOSE does not decode");
        assertEquals(close.code(), again.code());
        // A reason that was not UTF-8 comes back with replacement characters, which may be cut at 256 bytes.
        assertTrue(again.reason().getBytes(StandardCharsets.UTF_8).length <= CloseFrame.MAX_REASON);
        assertTrue(close.reason().startsWith(again.reason()), "the reason changed, not only shortened");
        return true;
    }

    /**
     * Handshake bodies after the header: the first byte picks INITIAL (token and parameters), ACCEPT
     * (server id, reset token, parameters) or RESET (reset token).
     */
    @FuzzTest
    void handshake(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        FuzzBounds.boundedAllocation(input.length, 64 << 10, 16, () -> {
            ByteBuf in = Unpooled.wrappedBuffer(input, 1, input.length - 1);
            switch (Math.floorMod(input[0], 3)) {
                case 0 -> {
                    byte[] token = Handshake.decodeToken(in);
                    if (token == null) {
                        return;
                    }
                    assertTrue(token.length <= Handshake.MAX_TOKEN_SIZE);
                    TransportParameters params = TransportParameters.decode(in);
                    if (params == null) {
                        return;
                    }
                    checkParams(params);
                    ByteBuf out = FuzzBounds.buffer();
                    Handshake.encodeInitial(out, token, params, Handshake.MIN_DATAGRAM_SIZE);
                    assertEquals(Handshake.MIN_DATAGRAM_SIZE, out.readableBytes(), "an INITIAL not padded to 1200");
                    assertArrayEquals(token, Handshake.decodeToken(out));
                    assertEquals(params, TransportParameters.decode(out));
                    while (out.isReadable()) {
                        assertEquals(0, out.readByte(), "padding is zeros");
                    }
                }
                case 1 -> {
                    if (in.readableBytes() < 8 + Handshake.RESET_TOKEN_SIZE) {
                        return;
                    }
                    long serverId = in.readLong();
                    byte[] reset = Handshake.decodeResetToken(in);
                    assertNotNull(reset);
                    TransportParameters params = TransportParameters.decode(in);
                    if (params == null) {
                        return;
                    }
                    checkParams(params);
                    ByteBuf out = FuzzBounds.buffer();
                    Handshake.encodeAccept(out, serverId, reset, params);
                    assertEquals(serverId, out.readLong());
                    assertArrayEquals(reset, Handshake.decodeResetToken(out));
                    assertEquals(params, TransportParameters.decode(out));
                    assertEquals(0, out.readableBytes());
                }
                default -> {
                    byte[] reset = Handshake.decodeResetToken(in);
                    assertEquals(input.length - 1 >= Handshake.RESET_TOKEN_SIZE, reset != null);
                }
            }
        });
    }

    private static void checkParams(TransportParameters p) {
        assertTrue(p.idleTimeoutMillis() >= 0);
        assertTrue(p.maxDatagramSize() >= Handshake.MIN_DATAGRAM_SIZE && p.maxDatagramSize() <= 0xFFFF);
        assertTrue(p.initialMaxData() >= 0 && p.maxMessageSize() >= 0);
        ByteBuf out = FuzzBounds.buffer();
        p.encode(out);
        assertEquals(p.size(), out.readableBytes(), "size disagrees with encode");
    }
}
