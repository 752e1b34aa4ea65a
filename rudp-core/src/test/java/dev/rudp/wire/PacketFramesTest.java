package dev.rudp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The two passes over a packet's frames: whatever the first pass handed back undecoded, the second
 * must see each frame exactly as a fresh decode of it, in order, with the reader index past it.
 */
class PacketFramesTest {
    private static final ByteBuf MESSAGE = Unpooled.copiedBuffer("hello world", StandardCharsets.US_ASCII);

    private static void message(ByteBuf out, boolean ordered, long id, int offset, int length) {
        MessageFrame.encode(out, ordered, id, MESSAGE, offset, length);
    }

    private static void ack(ByteBuf out, long largest) {
        AckFrame f = new AckFrame().reset(25);
        f.addRange(largest - 3, largest);
        f.encode(out, 1);
    }

    /** The second pass as ReliableConnection makes it: every frame, what it read. */
    private static List<String> secondPass(PacketFrames frames, ByteBuf packet) {
        List<String> seen = new ArrayList<>();
        while (packet.isReadable()) {
            FrameType type = FrameType.of(packet.readUnsignedByte());
            switch (type) {
                case PADDING, PING -> seen.add(type.name());
                case ACK -> {
                    AckFrame a = frames.ack(packet);
                    seen.add("ACK " + a.low(0) + "-" + a.largestAcked() + " delay " + a.ackDelayMicros());
                }
                case MESSAGE_ORDERED, MESSAGE_UNORDERED -> {
                    MessageFrame m = frames.message(packet, type == FrameType.MESSAGE_ORDERED);
                    seen.add((m.ordered() ? "ordered " : "unordered ") + m.messageId() + " @" + m.offset() + " "
                            + m.data().toString(StandardCharsets.US_ASCII));
                }
                case MAX_DATA -> seen.add("MAX_DATA " + MaxDataFrame.decode(packet));
                default -> throw new AssertionError(type);
            }
        }
        return seen;
    }

    private static List<String> bothPasses(PacketFrames frames, ByteBuf packet) {
        try {
            assertTrue(frames.wellFormed(packet.duplicate()), "well formed");
            return secondPass(frames, packet);
        } finally {
            packet.release();
        }
    }

    @Test
    void aDataPacketsOnlyMessageIsHandedBackAsDecoded() {
        PacketFrames frames = new PacketFrames();
        ByteBuf packet = Unpooled.buffer();
        packet.writeByte(FrameType.PING.code());
        message(packet, true, 7, 6, 5);
        packet.writeByte(FrameType.PADDING.code());
        assertEquals(List.of("PING", "ordered 7 @6 world", "PADDING"), bothPasses(frames, packet));
    }

    @Test
    void severalMessagesAreEachDecodedInTurn() {
        PacketFrames frames = new PacketFrames();
        ByteBuf packet = Unpooled.buffer();
        message(packet, true, 1, 0, 5);
        message(packet, false, 2, 6, 5);
        message(packet, true, 3, 5, 1);
        assertEquals(List.of("ordered 1 @0 hello", "unordered 2 @6 world", "ordered 3 @5  "),
                bothPasses(frames, packet));
    }

    @Test
    void anAckBesideAMessageAndTwoAcksAfterIt() {
        PacketFrames frames = new PacketFrames();
        ByteBuf one = Unpooled.buffer();
        ack(one, 40);
        message(one, false, 9, 0, 11);
        MaxDataFrame.encode(one, 1 << 20);
        assertEquals(List.of("ACK 37-40 delay 25", "unordered 9 @0 hello world", "MAX_DATA 1048576"),
                bothPasses(frames, one));
        ByteBuf two = Unpooled.buffer();
        ack(two, 10);
        ack(two, 20);
        assertEquals(List.of("ACK 7-10 delay 25", "ACK 17-20 delay 25"), bothPasses(frames, two));
    }

    @Test
    void aMalformedPacketLeavesNothingForTheNextOne() {
        PacketFrames frames = new PacketFrames();
        ByteBuf good = Unpooled.buffer();
        message(good, true, 1, 0, 5);
        assertTrue(frames.wellFormed(good.duplicate()));
        ByteBuf truncated = Unpooled.buffer();
        message(truncated, true, 2, 6, 5);
        truncated.writerIndex(truncated.writerIndex() - 1);
        assertFalse(frames.wellFormed(truncated.duplicate()), "a fragment cut short");
        assertFalse(frames.wellFormed(Unpooled.EMPTY_BUFFER), "no frames");
        truncated.release();
        good.release();

        // the next packet's message sits where the good one's ended: it must be decoded, not skipped to
        ByteBuf next = Unpooled.buffer();
        next.writeBytes(new byte[] {(byte) FrameType.PADDING.code(), (byte) FrameType.PADDING.code()});
        message(next, false, 4, 6, 5);
        assertEquals(List.of("PADDING", "PADDING", "unordered 4 @6 world"), bothPasses(frames, next));
    }

    @Test
    void theSameFlyweightsComeBack() {
        PacketFrames frames = new PacketFrames();
        ByteBuf a = Unpooled.buffer();
        message(a, true, 1, 0, 5);
        ByteBuf b = Unpooled.buffer();
        message(b, true, 2, 6, 5);
        try {
            assertTrue(frames.wellFormed(a.duplicate()));
            a.readUnsignedByte();
            MessageFrame first = frames.message(a, true);
            assertEquals(a.writerIndex(), a.readerIndex(), "the reader index is past the frame");
            assertTrue(frames.wellFormed(b.duplicate()));
            b.readUnsignedByte();
            assertSame(first, frames.message(b, true), "no frame object per packet");
            assertEquals(2, first.messageId());
        } finally {
            a.release();
            b.release();
        }
    }
}
