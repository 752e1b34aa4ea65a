package dev.rudp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketHeaderTest {
    private static final String GOLDEN = "01" + "04" + "0102030405060708";

    @Test
    void goldenBytes() {
        assertEquals(GOLDEN, Bytes.encode(out -> PacketHeader.encode(out, PacketType.DATA, 0x0102030405060708L)));
        assertEquals(10, PacketHeader.SIZE);
        assertEquals(18, PacketHeader.DATA_HEADER_SIZE);
    }

    @Test
    void peeksWithoutConsuming() {
        ByteBuf in = Bytes.hex("aaaa" + GOLDEN + "ff");
        try {
            in.skipBytes(2);
            assertEquals(PacketType.DATA, PacketHeader.peekType(in));
            assertEquals(0x0102030405060708L, PacketHeader.peekDestinationId(in));
            assertEquals(2, in.readerIndex());
        } finally {
            in.release();
        }
    }

    @Test
    void everyTypeRoundTrips() {
        for (PacketType t : PacketType.values()) {
            ByteBuf out = Unpooled.buffer();
            try {
                PacketHeader.encode(out, t, -1L);
                assertEquals(PacketHeader.SIZE, out.readableBytes());
                assertEquals(t, PacketHeader.peekType(out));
                assertEquals(-1L, PacketHeader.peekDestinationId(out));
            } finally {
                out.release();
            }
        }
    }

    @Test
    void everyTruncationIsRejected() {
        ByteBuf full = Bytes.hex(GOLDEN);
        try {
            for (int n = 0; n < full.readableBytes(); n++) {
                assertNull(PacketHeader.peekType(full.slice(0, n)), "cut to " + n);
            }
        } finally {
            full.release();
        }
    }

    @Test
    void unknownVersionOrTypeIsRejected() {
        assertPeek(null, "02" + "04" + "0102030405060708");
        assertPeek(null, "00" + "04" + "0102030405060708");
        assertPeek(null, "01" + "00" + "0102030405060708");
        assertPeek(null, "01" + "06" + "0102030405060708");
        assertPeek(null, "01" + "ff" + "0102030405060708");
        assertPeek(PacketType.RESET, "01" + "05" + "0102030405060708");
    }

    private static void assertPeek(PacketType expected, String hex) {
        ByteBuf in = Bytes.hex(hex);
        try {
            assertEquals(expected, PacketHeader.peekType(in), hex);
        } finally {
            in.release();
        }
    }

    @Test
    void garbageNeverThrows() {
        Random random = new Random(17);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(24)];
            random.nextBytes(b);
            if (b.length > 0 && random.nextBoolean()) {
                b[0] = 1;
            }
            ByteBuf in = Unpooled.wrappedBuffer(b);
            try {
                if (PacketHeader.peekType(in) != null) {
                    PacketHeader.peekDestinationId(in);
                }
            } finally {
                in.release();
            }
        }
    }
}
