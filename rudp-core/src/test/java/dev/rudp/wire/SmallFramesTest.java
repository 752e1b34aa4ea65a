package dev.rudp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** MAX_DATA, CLOSE and ACK_FREQUENCY frames, and the frame and packet type tables. */
class SmallFramesTest {

    @Test
    void maxDataGoldenBytesAndRoundTrip() {
        assertEquals("05800f4240", Bytes.encode(out -> MaxDataFrame.encode(out, 1_000_000)));
        assertEquals(5, MaxDataFrame.size(1_000_000));
        for (long v : new long[] {0, 63, 64, 1 << 20, Varint.MAX}) {
            ByteBuf out = Unpooled.buffer();
            try {
                MaxDataFrame.encode(out, v);
                assertEquals(MaxDataFrame.size(v), out.readableBytes());
                assertEquals(FrameType.MAX_DATA.code(), out.readUnsignedByte());
                assertEquals(v, MaxDataFrame.decode(out));
            } finally {
                out.release();
            }
        }
    }

    @Test
    void maxDataTruncationsAreInvalid() {
        ByteBuf full = Bytes.hex("800f4240");
        try {
            for (int n = 0; n < full.readableBytes(); n++) {
                assertEquals(Varint.INVALID, MaxDataFrame.decode(full.slice(0, n)), "cut to " + n);
            }
        } finally {
            full.release();
        }
    }

    @Test
    void ackFrequencyGoldenBytesRoundTripAndClamp() {
        assertEquals("07054040", Bytes.encode(out -> AckFrequencyFrame.encode(out, 5, 64)));
        assertEquals(4, AckFrequencyFrame.size(5, 64));
        long[] f = new long[2];
        for (long[] c : new long[][] {{0, 2, 2}, {7, 64, 64}, {Varint.MAX, 256, 256}, {1, 0, 2}, {1, 1, 2}, {1, 1000, 256}}) {
            ByteBuf out = Unpooled.buffer();
            try {
                AckFrequencyFrame.encode(out, c[0], (int) c[1]);
                assertEquals(FrameType.ACK_FREQUENCY.code(), out.readUnsignedByte());
                assertTrue(AckFrequencyFrame.decode(out, f));
                assertEquals(c[0], f[0]);
                assertEquals(c[2], f[1], "threshold " + c[1] + " is read within the bounds");
                assertFalse(out.isReadable());
            } finally {
                out.release();
            }
        }
    }

    @Test
    void ackFrequencyTruncationsAreInvalid() {
        ByteBuf full = Bytes.hex("054040");
        try {
            for (int n = 0; n < full.readableBytes(); n++) {
                assertFalse(AckFrequencyFrame.decode(full.slice(0, n), new long[2]), "cut to " + n);
                assertFalse(AckFrequencyFrame.decode(full.slice(0, n), null), "cut to " + n + ", checked only");
            }
            assertTrue(AckFrequencyFrame.decode(full.duplicate(), null));
        } finally {
            full.release();
        }
    }

    @Test
    void closeGoldenBytes() {
        CloseFrame f = new CloseFrame(2, "bad");
        assertEquals("0602036261 64".replace(" ", ""), Bytes.encode(f::encode));
        assertEquals(6, f.size());
        assertEquals("060000", Bytes.encode(new CloseFrame(0, null)::encode));
    }

    @Test
    void closeRoundTripsUtf8() {
        CloseFrame f = new CloseFrame(300, "d\u00e9j\u00e0 vu \u2713");
        ByteBuf out = Unpooled.buffer();
        try {
            f.encode(out);
            assertEquals(f.size(), out.readableBytes());
            assertEquals(FrameType.CLOSE.code(), out.readUnsignedByte());
            CloseFrame d = CloseFrame.decode(out);
            assertNotNull(d);
            assertEquals(300, d.code());
            assertEquals(f.reason(), d.reason());
            assertFalse(out.isReadable());
        } finally {
            out.release();
        }
    }

    @Test
    void longReasonsAreCut() {
        CloseFrame f = new CloseFrame(1, "x".repeat(1000));
        ByteBuf out = Unpooled.buffer();
        try {
            f.encode(out);
            assertEquals(f.size(), out.readableBytes());
            assertEquals(1 + 1 + 2 + CloseFrame.MAX_REASON, out.readableBytes());
            out.skipBytes(1);
            CloseFrame d = CloseFrame.decode(out);
            assertNotNull(d);
            assertEquals("x".repeat(CloseFrame.MAX_REASON), d.reason());
        } finally {
            out.release();
        }
    }

    @Test
    void reasonsAreCutOnACharacterBoundary() {
        // 255 ASCII bytes then a two-byte character: cutting at 256 bytes would split it
        String reason = "x".repeat(CloseFrame.MAX_REASON - 1) + "\u00e9tait";
        CloseFrame f = new CloseFrame(1, reason);
        ByteBuf out = Unpooled.buffer();
        try {
            f.encode(out);
            assertEquals(f.size(), out.readableBytes());
            out.skipBytes(1);
            CloseFrame d = CloseFrame.decode(out);
            assertEquals("x".repeat(CloseFrame.MAX_REASON - 1), d.reason(), "no half character on the wire");
        } finally {
            out.release();
        }
        CloseFrame emoji = new CloseFrame(1, "y".repeat(CloseFrame.MAX_REASON - 2) + "\ud83d\ude00");
        ByteBuf out2 = Unpooled.buffer();
        try {
            emoji.encode(out2);
            out2.skipBytes(1);
            assertEquals("y".repeat(CloseFrame.MAX_REASON - 2), CloseFrame.decode(out2).reason());
        } finally {
            out2.release();
        }
    }

    @Test
    void overLongReasonIsRejected() {
        ByteBuf in = Unpooled.buffer();
        try {
            Varint.write(in, 0);
            Varint.write(in, CloseFrame.MAX_REASON + 1);
            in.writeZero(CloseFrame.MAX_REASON + 1);
            assertNull(CloseFrame.decode(in));
        } finally {
            in.release();
        }
    }

    @Test
    void closeTruncationsAreRejected() {
        ByteBuf full = Bytes.hex("4102" + "03" + "626164");
        try {
            for (int n = 0; n < full.readableBytes(); n++) {
                assertNull(CloseFrame.decode(full.slice(0, n)), "cut to " + n);
            }
            assertEquals("bad", CloseFrame.decode(full.slice()).reason());
        } finally {
            full.release();
        }
    }

    @Test
    void closeGarbageNeverThrows() {
        Random random = new Random(13);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(40)];
            random.nextBytes(b);
            if (b.length > 1 && random.nextBoolean()) {
                b[1] = (byte) random.nextInt(40); // short reason lengths that may fit
            }
            ByteBuf in = Unpooled.wrappedBuffer(b);
            try {
                CloseFrame f = CloseFrame.decode(in);
                if (f != null) {
                    assertTrue(f.code() >= 0);
                }
            } finally {
                in.release();
            }
        }
    }

    @Test
    void frameTypeTable() {
        for (FrameType t : FrameType.values()) {
            assertEquals(t, FrameType.of(t.code()));
        }
        assertEquals(0x02, FrameType.ACK.code());
        assertFalse(FrameType.ACK.ackEliciting());
        assertFalse(FrameType.PADDING.ackEliciting());
        assertFalse(FrameType.CLOSE.ackEliciting());
        assertTrue(FrameType.PING.ackEliciting());
        assertTrue(FrameType.MESSAGE_ORDERED.ackEliciting());
        assertTrue(FrameType.MESSAGE_UNORDERED.ackEliciting());
        assertTrue(FrameType.MAX_DATA.ackEliciting());
        assertTrue(FrameType.ACK_FREQUENCY.ackEliciting());
        for (int code : new int[] {-1, 8, 0xff, 1000}) {
            assertNull(FrameType.of(code), "code " + code);
        }
    }

    @Test
    void packetTypeTable() {
        for (PacketType t : PacketType.values()) {
            assertEquals(t, PacketType.of(t.code()));
        }
        for (int code : new int[] {-1, 0, 6, 7, 8, 0xff}) {
            assertNull(PacketType.of(code), "code " + code);
        }
    }

    @Test
    void asciiReasonIsExact() {
        ByteBuf out = Unpooled.buffer();
        try {
            new CloseFrame(7, "going away").encode(out);
            out.skipBytes(1);
            CloseFrame d = CloseFrame.decode(out);
            assertEquals("going away", d.reason());
            assertEquals(7, d.code());
            assertEquals("going away".getBytes(StandardCharsets.UTF_8).length, 10);
        } finally {
            out.release();
        }
    }
}
