package dev.rudp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    private final Checksum checksum = new Checksum();

    @Test
    void goldenCrc32cCheckValue() {
        // The CRC-32C check value: CRC of the ASCII digits "123456789" is 0xE3069283.
        ByteBuf buf = Unpooled.copiedBuffer("123456789", StandardCharsets.US_ASCII);
        try {
            checksum.append(buf);
            assertEquals("313233343536373839" + "e3069283", Bytes.hex(buf));
            assertTrue(checksum.verifyAndStrip(buf));
            assertEquals("123456789", buf.toString(StandardCharsets.US_ASCII));
        } finally {
            buf.release();
        }
    }

    private static ByteBuf samplePacket() {
        ByteBuf p = Unpooled.buffer();
        PacketHeader.encode(p, PacketType.DATA, 0x1234_5678_9abc_def0L);
        p.writeLong(77);
        MaxDataFrame.encode(p, 123_456);
        p.writeBytes("some payload bytes".getBytes(StandardCharsets.US_ASCII));
        return p;
    }

    @Test
    void detectsEverySingleBitFlip() {
        ByteBuf p = samplePacket();
        try {
            checksum.append(p);
            int n = p.readableBytes();
            for (int i = 0; i < n; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    ByteBuf copy = p.copy();
                    try {
                        copy.setByte(i, copy.getByte(i) ^ (1 << bit));
                        assertFalse(checksum.verifyAndStrip(copy), "flip of byte " + i + " bit " + bit);
                        assertEquals(n, copy.readableBytes(), "a corrupt packet is left unchanged");
                    } finally {
                        copy.release();
                    }
                }
            }
            assertTrue(checksum.verifyAndStrip(p));
            assertEquals(n - Checksum.SIZE, p.readableBytes());
        } finally {
            p.release();
        }
    }

    @Test
    void everyTruncationIsRejected() {
        ByteBuf p = samplePacket();
        try {
            checksum.append(p);
            for (int n = 0; n < p.readableBytes(); n++) {
                ByteBuf prefix = p.slice(0, n);
                assertFalse(checksum.verifyAndStrip(prefix), "cut to " + n);
                assertEquals(n, prefix.readableBytes());
            }
        } finally {
            p.release();
        }
    }

    @Test
    void worksFromANonZeroReaderIndexAndOnCompositeAndDirectBuffers() {
        ByteBuf body = samplePacket();
        ByteBuf direct = Unpooled.directBuffer();
        CompositeByteBuf composite = Unpooled.compositeBuffer();
        ByteBuf offset = Unpooled.buffer();
        try {
            ByteBuf reference = body.copy();
            checksum.append(reference);
            String expected = Bytes.hex(reference);
            reference.release();

            direct.writeBytes(body, body.readerIndex(), body.readableBytes());
            checksum.append(direct);
            assertEquals(expected, Bytes.hex(direct));
            assertTrue(checksum.verifyAndStrip(direct));

            composite.addComponent(true, body.copy(0, 7));
            composite.addComponent(true, body.copy(7, body.readableBytes() - 7));
            checksum.append(composite);
            assertEquals(expected, Bytes.hex(composite));
            assertTrue(checksum.verifyAndStrip(composite));

            offset.writeBytes(new byte[] {9, 9, 9});
            offset.writeBytes(body, body.readerIndex(), body.readableBytes());
            offset.skipBytes(3);
            checksum.append(offset);
            assertEquals(expected, Bytes.hex(offset));
            assertTrue(checksum.verifyAndStrip(offset));
        } finally {
            body.release();
            direct.release();
            composite.release();
            offset.release();
        }
    }

    @Test
    void garbageNeverThrowsAndRarelyPasses() {
        Random random = new Random(23);
        int passed = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[5 + random.nextInt(60)];
            random.nextBytes(b);
            ByteBuf in = Unpooled.wrappedBuffer(b);
            try {
                if (checksum.verifyAndStrip(in)) {
                    passed++;
                }
            } finally {
                in.release();
            }
        }
        assertEquals(0, passed);
    }
}
