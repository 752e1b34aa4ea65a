package dev.rudp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Copies from the sources the per-packet path meets into the buffers it writes, byte for byte. */
class ByteCopyTest {
    private static final ByteBufAllocator POOL = ByteBufAllocator.DEFAULT;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] bytes(ByteBuf b, int from, int n) {
        byte[] out = new byte[n];
        b.getBytes(from, out);
        return out;
    }

    @Test
    void aRangeAcrossACompositesPartsLandsAfterWhatTheDestinationHeld() {
        byte[] head = random(18, 1);
        byte[] data = random(4000, 2);
        CompositeByteBuf message = POOL.compositeBuffer(2)
                .addComponent(true, POOL.directBuffer(18).writeBytes(head))
                .addComponent(true, POOL.heapBuffer(4000).writeBytes(data));
        byte[] all = new byte[head.length + data.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(data, 0, all, head.length, data.length);
        for (ByteBuf out : List.of(POOL.directBuffer(16), POOL.heapBuffer(16), Unpooled.directBuffer(16))) {
            try {
                out.writeByte(0x7f);
                ByteBuf same = ByteCopy.append(out, message, 5, 1400); // grows the destination
                assertEquals(out, same);
                assertEquals(1401, out.writerIndex());
                assertEquals(0x7f, out.getByte(0));
                assertArrayEquals(Arrays.copyOfRange(all, 5, 1405), bytes(out, 1, 1400));
                ByteCopy.append(out, message, 2000, 100); // inside the data part
                assertArrayEquals(Arrays.copyOfRange(all, 2000, 2100), bytes(out, 1401, 100));
                assertEquals(0, message.readerIndex(), "the source's indexes stay");
            } finally {
                out.release();
            }
        }
        message.release();
    }

    @Test
    void aSliceOfADatagramIsCopiedFromItsOffset() {
        byte[] datagram = random(1472, 3);
        ByteBuf in = POOL.directBuffer(1472).writeBytes(datagram);
        ByteBuf out = POOL.buffer(1400);
        try {
            ByteCopy.append(out, in.slice(13, 1400), 0, 1400);
            assertArrayEquals(Arrays.copyOfRange(datagram, 13, 1413), bytes(out, 0, 1400));
        } finally {
            in.release();
            out.release();
        }
    }

    @Test
    void aRangePastTheSourceIsRefusedAndNothingIsWritten() {
        ByteBuf in = POOL.directBuffer(100).writeZero(100);
        ByteBuf out = POOL.directBuffer(256);
        try {
            assertThrows(IndexOutOfBoundsException.class, () -> ByteCopy.append(out, in, 50, 200));
            assertThrows(IndexOutOfBoundsException.class, () -> ByteCopy.append(out, in, -1, 10));
            assertEquals(0, out.writerIndex());
        } finally {
            in.release();
            out.release();
        }
    }
}
