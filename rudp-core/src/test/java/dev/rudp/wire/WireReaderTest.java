package dev.rudp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireReaderTest {
    /** The same bytes in each kind of buffer a packet arrives in: an array at an offset, direct, a slice. */
    private static List<ByteBuf> packets(byte[] bytes) {
        byte[] padded = new byte[bytes.length + 7];
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        ByteBuf heapAtOffset = Unpooled.wrappedBuffer(padded).slice(3, bytes.length);
        ByteBuf direct = Unpooled.directBuffer(bytes.length + 4).writeZero(4).writeBytes(bytes).skipBytes(4);
        ByteBuf slice = Unpooled.directBuffer(bytes.length + 5).writeZero(5).writeBytes(bytes).slice(5, bytes.length);
        return List.of(heapAtOffset, direct, slice);
    }

    @Test
    void readsTheSameFromArraysAndDirectBuffers() {
        ByteBuf encoded = Unpooled.buffer();
        encoded.writeByte(0xAB);
        encoded.writeLong(0x0102_0304_0506_0708L);
        Varint.write(encoded, 63);
        Varint.write(encoded, 16_000);
        Varint.write(encoded, 1L << 29);
        Varint.write(encoded, Varint.MAX);
        encoded.writeBytes(new byte[] {9, 8, 7});
        byte[] bytes = new byte[encoded.readableBytes()];
        encoded.readBytes(bytes);
        for (ByteBuf packet : packets(bytes)) {
            int readerIndex = packet.readerIndex();
            WireReader r = WireReader.of(packet);
            assertEquals(bytes.length, r.readableBytes());
            assertEquals(0xAB, r.peekUnsignedByte());
            assertEquals(0xAB, r.readUnsignedByte());
            assertEquals(0x0102_0304_0506_0708L, r.readBigEndian(8));
            assertEquals(63, Varint.read(r));
            assertEquals(16_000, Varint.read(r));
            assertEquals(1L << 29, Varint.read(r));
            assertEquals(Varint.MAX, Varint.read(r));
            ByteBuf tail = r.readSlice(3);
            assertEquals(7, tail.getByte(2));
            assertFalse(r.isReadable());
            assertEquals(Varint.INVALID, Varint.read(r), "nothing left");
            assertEquals(readerIndex, packet.readerIndex(), "the packet's own index is left alone");
            packet.release();
        }
    }

    @Test
    void aTruncatedVarintIsInvalidAndMovesNothing() {
        for (ByteBuf packet : packets(new byte[] {(byte) 0x80, 1, 2})) { // a 4-byte varint with 3 bytes
            WireReader r = WireReader.of(packet);
            assertEquals(Varint.INVALID, Varint.read(r));
            assertEquals(packet.readerIndex(), r.position());
            packet.release();
        }
    }

    @Test
    void readsPastTheEndThrowAndPositionsStayInside() {
        for (ByteBuf packet : packets(new byte[] {1, 2, 3, 4})) {
            WireReader r = WireReader.of(packet);
            int start = r.position();
            assertThrows(IndexOutOfBoundsException.class, () -> r.readBigEndian(5));
            assertThrows(IndexOutOfBoundsException.class, () -> r.readSlice(5));
            assertThrows(IndexOutOfBoundsException.class, () -> r.position(start + 5));
            assertEquals(start, r.position(), "a refused read moves nothing");
            r.skipBytes(4);
            assertThrows(IndexOutOfBoundsException.class, r::readUnsignedByte);
            assertThrows(IndexOutOfBoundsException.class, r::peekUnsignedByte);
            r.position(start);
            assertTrue(r.isReadable());
            packet.release();
        }
    }
}
