package dev.rudp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AckFrameTest {

    /** Ranges [95, 100], [90, 92], [80, 80] with a 10 us delay, worked out by hand. */
    private static final String GOLDEN = "02" // type
            + "4064" // largest acked 100 (two-byte varint)
            + "0a" // ack delay 10 us
            + "02" // two more ranges
            + "05" // first range: 100 - 95
            + "01" + "02" // gap 95 - 92 - 2 = 1, length 92 - 90 = 2
            + "08" + "00"; // gap 90 - 80 - 2 = 8, length 0

    private static AckFrame sample() {
        AckFrame f = new AckFrame().reset(10);
        assertTrue(f.addRange(95, 100));
        assertTrue(f.addRange(90, 92));
        assertTrue(f.addRange(80, 80));
        return f;
    }

    @Test
    void goldenBytes() {
        AckFrame f = sample();
        assertEquals(GOLDEN, Bytes.encode(out -> f.encode(out, 3)));
        assertEquals(GOLDEN.length() / 2, f.encodedSize(3));
    }

    @Test
    void decodesGoldenBytes() {
        ByteBuf in = Bytes.hex(GOLDEN);
        try {
            assertEquals(FrameType.ACK.code(), in.readUnsignedByte());
            AckFrame f = new AckFrame();
            assertTrue(f.decode(in));
            assertFalse(in.isReadable());
            assertEquals(3, f.rangeCount());
            assertEquals(100, f.largestAcked());
            assertEquals(10, f.ackDelayMicros());
            assertEquals(95, f.low(0));
            assertEquals(100, f.high(0));
            assertEquals(90, f.low(1));
            assertEquals(92, f.high(1));
            assertEquals(80, f.low(2));
            assertEquals(80, f.high(2));
        } finally {
            in.release();
        }
    }

    @Test
    void encodesOnlyTheRequestedRanges() {
        AckFrame f = sample();
        String two = Bytes.encode(out -> f.encode(out, 2));
        assertEquals("02" + "4064" + "0a" + "01" + "05" + "0102", two);
        assertEquals(two.length() / 2, f.encodedSize(2));
        assertThrows(IllegalArgumentException.class, () -> f.encode(Unpooled.EMPTY_BUFFER, 0));
        assertThrows(IllegalArgumentException.class, () -> f.encode(Unpooled.EMPTY_BUFFER, 4));
    }

    @Test
    void addRangeRefusesOverlapAdjacencyAndDisorder() {
        AckFrame f = new AckFrame().reset(0);
        assertTrue(f.addRange(10, 20));
        assertFalse(f.addRange(15, 25), "overlap");
        assertFalse(f.addRange(5, 9), "adjacent: no gap");
        assertFalse(f.addRange(30, 40), "above the previous range");
        assertFalse(f.addRange(3, 2), "empty");
        assertFalse(f.addRange(-2, 2), "negative");
        assertTrue(f.addRange(0, 8));
        assertEquals(2, f.rangeCount());
    }

    @Test
    void fullFrameRoundTripsAndRefusesMore() {
        AckFrame f = new AckFrame().reset(123_456);
        long top = 1_000_000_000L;
        for (int i = 0; i < AckFrame.MAX_RANGES; i++) {
            assertTrue(f.addRange(top - 10L * i - 3, top - 10L * i));
        }
        assertFalse(f.addRange(0, 1));
        ByteBuf out = Unpooled.buffer();
        try {
            f.encode(out, AckFrame.MAX_RANGES);
            assertEquals(f.encodedSize(AckFrame.MAX_RANGES), out.readableBytes());
            out.skipBytes(1);
            AckFrame d = new AckFrame();
            assertTrue(d.decode(out));
            assertEquals(AckFrame.MAX_RANGES, d.rangeCount());
            assertEquals(123_456, d.ackDelayMicros());
            for (int i = 0; i < AckFrame.MAX_RANGES; i++) {
                assertEquals(f.low(i), d.low(i));
                assertEquals(f.high(i), d.high(i));
            }
        } finally {
            out.release();
        }
    }

    @Test
    void randomFramesRoundTrip() {
        Random random = new Random(1);
        AckFrame d = new AckFrame();
        for (int iter = 0; iter < 2_000; iter++) {
            AckFrame f = new AckFrame().reset(random.nextInt(1 << 20));
            long high = random.nextInt(1 << 30);
            int n = 1 + random.nextInt(40);
            for (int i = 0; i < n; i++) {
                long low = Math.max(0, high - random.nextInt(100));
                if (!f.addRange(low, high)) {
                    break;
                }
                high = low - 2 - random.nextInt(1000);
                if (high < 0) {
                    break;
                }
            }
            ByteBuf out = Unpooled.buffer();
            try {
                int ranges = f.rangeCount();
                f.encode(out, ranges);
                assertEquals(f.encodedSize(ranges), out.readableBytes());
                out.skipBytes(1);
                assertTrue(d.decode(out));
                assertEquals(ranges, d.rangeCount());
                for (int i = 0; i < ranges; i++) {
                    assertEquals(f.low(i), d.low(i));
                    assertEquals(f.high(i), d.high(i));
                }
            } finally {
                out.release();
            }
        }
    }

    @Test
    void everyTruncationIsRejected() {
        ByteBuf full = Bytes.hex(GOLDEN);
        try {
            full.skipBytes(1);
            AckFrame f = new AckFrame();
            for (int n = 0; n < full.readableBytes(); n++) {
                assertFalse(f.decode(full.slice(full.readerIndex(), n)), "cut to " + n);
            }
        } finally {
            full.release();
        }
    }

    @Test
    void inconsistentFramesAreRejected() {
        AckFrame f = new AckFrame();
        // first range longer than the largest acknowledged packet number
        assertDecode(false, f, "05" + "00" + "00" + "06");
        // a gap that goes below zero: [4, 5] then gap 3 -> high = 4 - 3 - 2 < 0
        assertDecode(false, f, "05" + "00" + "01" + "01" + "03" + "00");
        // a range length that goes below zero: [4, 5] then gap 0 -> high 2, length 3 -> low -1
        assertDecode(false, f, "05" + "00" + "01" + "01" + "00" + "03");
        // exactly reaching zero is fine
        assertDecode(true, f, "05" + "00" + "01" + "01" + "00" + "02");
        assertEquals(0, f.low(1));
        // announcing MAX_RANGES extra ranges (one too many)
        assertDecode(false, f, "05" + "00" + "4100" + "00");
    }

    private static void assertDecode(boolean expected, AckFrame f, String hex) {
        ByteBuf in = Bytes.hex(hex);
        try {
            assertEquals(expected, f.decode(in), hex);
        } finally {
            in.release();
        }
    }

    @Test
    void garbageNeverThrows() {
        Random random = new Random(3);
        AckFrame f = new AckFrame();
        for (int i = 0; i < 50_000; i++) {
            byte[] b = new byte[random.nextInt(64)];
            random.nextBytes(b);
            if (i % 2 == 0 && b.length > 3) {
                b[2] = (byte) random.nextInt(8); // plausible small range counts too
            }
            ByteBuf in = Unpooled.wrappedBuffer(b);
            try {
                if (f.decode(in)) {
                    assertTrue(f.rangeCount() >= 1 && f.rangeCount() <= AckFrame.MAX_RANGES);
                    for (int r = 0; r < f.rangeCount(); r++) {
                        assertTrue(f.low(r) >= 0 && f.low(r) <= f.high(r));
                        if (r > 0) {
                            assertTrue(f.high(r) < f.low(r - 1) - 1, "ranges must be disjoint and ordered");
                        }
                    }
                }
            } finally {
                in.release();
            }
        }
    }
}
