package dev.rudp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Handshake bodies and the transport parameters they carry. */
class HandshakeTest {
    private static final TransportParameters PARAMS = new TransportParameters(30_000, 1400, 65_536, 1 << 20);
    /** idle 30000 ms (u32) | 1400 (u16) | 65536 (4-byte varint) | 1048576 (4-byte varint) | flags 0 (varint) */
    private static final String PARAMS_HEX = "00007530" + "0578" + "80010000" + "80100000" + "00";
    private static final byte[] RESET_TOKEN = new byte[16];

    static {
        for (int i = 0; i < 16; i++) {
            RESET_TOKEN[i] = (byte) i;
        }
    }

    @Test
    void parametersGoldenBytes() {
        assertEquals(PARAMS_HEX, Bytes.encode(PARAMS::encode));
        assertEquals(PARAMS_HEX.length() / 2, PARAMS.size());
    }

    @Test
    void parametersRoundTrip() {
        for (TransportParameters p : new TransportParameters[] {PARAMS,
            new TransportParameters(0, 1200, 0, 0),
            new TransportParameters(30_000, 65_507, 1 << 20, 1 << 20, TransportParameters.WHOLE_DATAGRAMS),
            new TransportParameters(Integer.MAX_VALUE, 65_535, Varint.MAX, Varint.MAX, Varint.MAX)}) {
            ByteBuf out = Unpooled.buffer();
            try {
                p.encode(out);
                assertEquals(p.size(), out.readableBytes());
                assertEquals(p, TransportParameters.decode(out));
                assertFalse(out.isReadable());
            } finally {
                out.release();
            }
        }
    }

    @Test
    void parametersOutOfRangeAreRejected() {
        assertParams(null, "80000000" + "0578" + "00" + "00"); // idle above Integer.MAX_VALUE
        assertParams(null, "00000000" + "04af" + "00" + "00"); // datagram 1199 < 1200
        assertParams(new TransportParameters(0, 1200, 0, 0), "00000000" + "04b0" + "00" + "00");
    }

    @Test
    void flagsAreOptionalSoOlderPeersInteroperate() {
        TransportParameters whole = new TransportParameters(0, 1200, 0, 0, TransportParameters.WHOLE_DATAGRAMS);
        assertEquals("00000000" + "04b0" + "00" + "00" + "01", Bytes.encode(whole::encode));
        assertTrue(whole.wholeDatagrams());
        // An older peer's ACCEPT ends after the message size; its INITIAL goes on with zero padding.
        assertParams(new TransportParameters(0, 1200, 0, 0), "00000000" + "04b0" + "00" + "00");
        assertParams(new TransportParameters(0, 1200, 0, 0), "00000000" + "04b0" + "00" + "00" + "000000");
        assertFalse(new TransportParameters(0, 1200, 0, 0).wholeDatagrams());
        assertFalse(new TransportParameters(0, 1200, 0, 0).ackFrequency(), "an older peer gets no ACK_FREQUENCY frames");
        TransportParameters both = new TransportParameters(0, 1200, 0, 0,
                TransportParameters.WHOLE_DATAGRAMS | TransportParameters.ACK_FREQUENCY);
        assertEquals("00000000" + "04b0" + "00" + "00" + "03", Bytes.encode(both::encode));
        assertParams(both, "00000000" + "04b0" + "00" + "00" + "03");
        assertTrue(both.ackFrequency() && both.wholeDatagrams());
        // An older peer reads the fields it knows and leaves the flags unread, as it leaves the padding.
        ByteBuf in = Bytes.hex("00000000" + "04b0" + "00" + "00" + "01");
        try {
            in.readInt();
            in.readShort();
            Varint.read(in);
            Varint.read(in);
            assertEquals(1, in.readableBytes());
        } finally {
            in.release();
        }
    }

    private static void assertParams(TransportParameters expected, String hex) {
        ByteBuf in = Bytes.hex(hex);
        try {
            assertEquals(expected, TransportParameters.decode(in), hex);
        } finally {
            in.release();
        }
    }

    @Test
    void parametersEveryTruncationIsRejected() {
        ByteBuf full = Bytes.hex(PARAMS_HEX);
        try {
            // The flags (the last byte) are optional; everything before them is not.
            for (int n = 0; n < full.readableBytes() - 1; n++) {
                assertNull(TransportParameters.decode(full.slice(0, n)), "cut to " + n);
            }
        } finally {
            full.release();
        }
    }

    @Test
    void retryGoldenBytesAndTokenRoundTrip() {
        assertEquals("03010203", Bytes.encode(out -> Handshake.encodeRetry(out, new byte[] {1, 2, 3})));
        ByteBuf in = Bytes.hex("03010203");
        try {
            assertArrayEquals(new byte[] {1, 2, 3}, Handshake.decodeToken(in));
            assertFalse(in.isReadable());
        } finally {
            in.release();
        }
        ByteBuf empty = Bytes.hex("00");
        try {
            assertArrayEquals(new byte[0], Handshake.decodeToken(empty));
        } finally {
            empty.release();
        }
    }

    @Test
    void tokenEveryTruncationAndOverLengthIsRejected() {
        ByteBuf full = Bytes.hex("03010203");
        try {
            for (int n = 0; n < full.readableBytes(); n++) {
                assertNull(Handshake.decodeToken(full.slice(0, n)), "cut to " + n);
            }
        } finally {
            full.release();
        }
        ByteBuf tooLong = Unpooled.buffer();
        try {
            tooLong.writeByte(Handshake.MAX_TOKEN_SIZE + 1);
            tooLong.writeZero(Handshake.MAX_TOKEN_SIZE + 1);
            assertNull(Handshake.decodeToken(tooLong));
        } finally {
            tooLong.release();
        }
    }

    @Test
    void acceptGoldenBytesAndRoundTrip() {
        String expected = "1122334455667788" + "000102030405060708090a0b0c0d0e0f" + PARAMS_HEX;
        assertEquals(expected, Bytes.encode(out -> Handshake.encodeAccept(out, 0x1122334455667788L, RESET_TOKEN, PARAMS)));
        ByteBuf in = Bytes.hex(expected);
        try {
            assertEquals(0x1122334455667788L, in.readLong());
            assertArrayEquals(RESET_TOKEN, Handshake.decodeResetToken(in));
            assertEquals(PARAMS, TransportParameters.decode(in));
            assertFalse(in.isReadable());
        } finally {
            in.release();
        }
    }

    @Test
    void resetTokenEveryTruncationIsRejected() {
        ByteBuf full = Unpooled.wrappedBuffer(RESET_TOKEN);
        try {
            for (int n = 0; n < full.readableBytes(); n++) {
                assertNull(Handshake.decodeResetToken(full.slice(0, n)), "cut to " + n);
            }
        } finally {
            full.release();
        }
    }

    @Test
    void initialIsPaddedAndDecodes() {
        ByteBuf out = Unpooled.buffer();
        try {
            PacketHeader.encode(out, PacketType.INITIAL, 42);
            Handshake.encodeInitial(out, new byte[] {9, 8}, PARAMS, Handshake.MIN_DATAGRAM_SIZE - Checksum.SIZE);
            assertEquals(Handshake.MIN_DATAGRAM_SIZE - Checksum.SIZE, out.readableBytes());
            assertEquals(PacketType.INITIAL, PacketHeader.peekType(out));
            out.skipBytes(PacketHeader.SIZE);
            assertEquals("0209 08".replace(" ", "") + PARAMS_HEX, Bytes.hex(out.slice(out.readerIndex(), 3 + PARAMS.size())));
            assertArrayEquals(new byte[] {9, 8}, Handshake.decodeToken(out));
            assertEquals(PARAMS, TransportParameters.decode(out));
            while (out.isReadable()) {
                assertEquals(0, out.readByte(), "padding is zero");
            }
        } finally {
            out.release();
        }
    }

    @Test
    void garbageNeverThrows() {
        Random random = new Random(19);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(40)];
            random.nextBytes(b);
            ByteBuf in = Unpooled.wrappedBuffer(b);
            try {
                byte[] token = Handshake.decodeToken(in.duplicate());
                assertTrue(token == null || token.length <= Handshake.MAX_TOKEN_SIZE);
                Handshake.decodeResetToken(in.duplicate());
                TransportParameters p = TransportParameters.decode(in.duplicate());
                if (p != null) {
                    assertTrue(p.idleTimeoutMillis() >= 0 && p.maxDatagramSize() >= Handshake.MIN_DATAGRAM_SIZE);
                    assertNotNull(p.toString());
                }
            } finally {
                in.release();
            }
        }
    }
}
