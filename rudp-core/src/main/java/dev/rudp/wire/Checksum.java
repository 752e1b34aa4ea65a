package dev.rudp.wire;

import io.netty.buffer.ByteBuf;
import java.util.zip.CRC32C;

/**
 * The plaintext-mode integrity trailer: CRC32C (u32) of every byte before it. The JDK's CRC32C
 * is a hardware intrinsic, so this costs little per packet. One instance per thread.
 */
public final class Checksum {
    /** Bytes the trailer adds. */
    public static final int SIZE = 4;

    private final CRC32C crc = new CRC32C();

    private int compute(ByteBuf buf, int index, int length) {
        crc.reset();
        if (buf.nioBufferCount() == 1) {
            crc.update(buf.internalNioBuffer(index, length));
        } else {
            for (java.nio.ByteBuffer b : buf.nioBuffers(index, length)) {
                crc.update(b);
            }
        }
        return (int) crc.getValue();
    }

    /** Appends the checksum of the bytes from {@code from} to the writer index (one packet in a batch buffer). */
    public void append(ByteBuf buf, int from) {
        buf.writeInt(compute(buf, from, buf.writerIndex() - from));
    }

    /** Appends the checksum of the readable bytes. */
    public void append(ByteBuf packet) {
        append(packet, packet.readerIndex());
    }

    /**
     * Checks the trailer and, if it matches, removes it from the readable bytes. Returns false for
     * a corrupt or too-short packet, leaving the buffer unchanged.
     */
    public boolean verifyAndStrip(ByteBuf packet) {
        int n = packet.readableBytes() - SIZE;
        if (n < 0) {
            return false;
        }
        int expected = packet.getInt(packet.readerIndex() + n);
        if (compute(packet, packet.readerIndex(), n) != expected) {
            return false;
        }
        packet.writerIndex(packet.readerIndex() + n);
        return true;
    }
}
