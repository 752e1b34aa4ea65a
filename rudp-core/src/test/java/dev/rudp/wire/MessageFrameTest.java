package dev.rudp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageFrameTest {
    private static final String WORLD = "03" // ordered
            + "01" // message id 1
            + "0b" // message length 11
            + "06" // offset 6
            + "05" // fragment length 5
            + "776f726c64"; // "world"

    @Test
    void goldenBytesForAFragment() {
        ByteBuf msg = Unpooled.copiedBuffer("hello world", StandardCharsets.US_ASCII);
        try {
            assertEquals(WORLD, Bytes.encode(out -> MessageFrame.encode(out, true, 1, msg, 6, 5)));
            assertEquals(WORLD.length() / 2 - 5, MessageFrame.overhead(1, 11, 6, 5));
            assertEquals(0, msg.readerIndex(), "the message is not consumed");
        } finally {
            msg.release();
        }
    }

    @Test
    void goldenBytesForAWholeUnorderedMessage() {
        ByteBuf msg = Unpooled.copiedBuffer("hello world", StandardCharsets.US_ASCII);
        try {
            String expected = "04" + "412c" + "0b" + "00" + "0b" + "68656c6c6f20776f726c64";
            assertEquals(expected, Bytes.encode(out -> MessageFrame.encode(out, false, 300, msg, 0, 11)));
            assertEquals(expected.length() / 2 - 11, MessageFrame.overhead(300, 11, 0, 11));
        } finally {
            msg.release();
        }
    }

    @Test
    void encodesFromTheReaderIndex() {
        ByteBuf msg = Unpooled.copiedBuffer("xxhello world", StandardCharsets.US_ASCII);
        try {
            msg.skipBytes(2);
            assertEquals(WORLD, Bytes.encode(out -> MessageFrame.encode(out, true, 1, msg, 6, 5)));
        } finally {
            msg.release();
        }
    }

    @Test
    void decodesGoldenBytesAsASliceOfThePacket() {
        ByteBuf in = Bytes.hex(WORLD + "ff");
        try {
            assertEquals(FrameType.MESSAGE_ORDERED.code(), in.readUnsignedByte());
            MessageFrame f = new MessageFrame();
            assertTrue(f.decode(in, true));
            assertTrue(f.ordered());
            assertEquals(1, f.messageId());
            assertEquals(11, f.messageLength());
            assertEquals(6, f.offset());
            assertEquals("world", f.data().toString(StandardCharsets.US_ASCII));
            assertEquals(1, in.readableBytes(), "stops after the fragment");
            assertEquals(1, f.data().refCnt(), "the slice shares the packet's count, not retained");
        } finally {
            in.release();
        }
    }

    @Test
    void emptyMessageRoundTrips() {
        ByteBuf out = Unpooled.buffer();
        try {
            MessageFrame.encode(out, false, 0, Unpooled.EMPTY_BUFFER, 0, 0);
            assertEquals("0400000000", Bytes.hex(out));
            out.skipBytes(1);
            MessageFrame f = new MessageFrame();
            assertTrue(f.decode(out, false));
            assertFalse(f.ordered());
            assertEquals(0, f.messageLength());
            assertEquals(0, f.data().readableBytes());
        } finally {
            out.release();
        }
    }

    @Test
    void randomFragmentsRoundTrip() {
        Random random = new Random(5);
        MessageFrame f = new MessageFrame();
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = new byte[1 + random.nextInt(5000)];
            random.nextBytes(bytes);
            ByteBuf msg = Unpooled.wrappedBuffer(bytes);
            ByteBuf out = Unpooled.buffer();
            try {
                long id = random.nextLong() & Varint.MAX >>> random.nextInt(62);
                int off = random.nextInt(bytes.length);
                int len = 1 + random.nextInt(bytes.length - off);
                boolean ordered = random.nextBoolean();
                MessageFrame.encode(out, ordered, id, msg, off, len);
                assertEquals(MessageFrame.overhead(id, bytes.length, off, len) + len, out.readableBytes());
                assertEquals(ordered ? 3 : 4, out.readUnsignedByte());
                assertTrue(f.decode(out, ordered));
                assertEquals(id, f.messageId());
                assertEquals(bytes.length, f.messageLength());
                assertEquals(off, f.offset());
                assertEquals(ByteBufUtil.hexDump(bytes, off, len), ByteBufUtil.hexDump(f.data()));
            } finally {
                msg.release();
                out.release();
            }
        }
    }

    @Test
    void everyTruncationIsRejected() {
        ByteBuf full = Bytes.hex(WORLD);
        try {
            full.skipBytes(1);
            MessageFrame f = new MessageFrame();
            for (int n = 0; n < full.readableBytes(); n++) {
                assertFalse(f.decode(full.slice(full.readerIndex(), n), true), "cut to " + n);
            }
        } finally {
            full.release();
        }
    }

    @Test
    void fragmentsOutsideTheirMessageAreRejected() {
        MessageFrame f = new MessageFrame();
        assertDecode(false, f, "01" + "0b" + "07" + "05" + "776f726c64"); // 7 + 5 > 11
        assertDecode(false, f, "01" + "0b" + "00" + "00"); // empty fragment of a non-empty message
        assertDecode(false, f, "01" + "04" + "00" + "05" + "776f726c64"); // longer than the message
        assertDecode(true, f, "01" + "0b" + "06" + "05" + "776f726c64");
    }

    private static void assertDecode(boolean expected, MessageFrame f, String hex) {
        ByteBuf in = Bytes.hex(hex);
        try {
            assertEquals(expected, f.decode(in, true), hex);
        } finally {
            in.release();
        }
    }

    @Test
    void garbageNeverThrows() {
        Random random = new Random(11);
        MessageFrame f = new MessageFrame();
        for (int i = 0; i < 50_000; i++) {
            byte[] b = new byte[random.nextInt(48)];
            random.nextBytes(b);
            ByteBuf in = Unpooled.wrappedBuffer(b);
            try {
                if (f.decode(in, random.nextBoolean())) {
                    assertTrue(f.offset() + f.data().readableBytes() <= f.messageLength());
                }
            } finally {
                in.release();
            }
        }
    }
}
