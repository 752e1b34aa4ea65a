package dev.rudp.wire;

import io.netty.buffer.ByteBuf;
import java.util.function.Function;

/**
 * A read cursor over a received packet, for the decoders of rudp's frames and of DTLS records: plain
 * array reads when the packet is in a heap buffer (the DTLS handler reads each datagram from an array,
 * and hands every record up in an array of its own), the buffer's own reads otherwise. The packet's
 * reader index is left alone; {@link #position} is the cursor's.
 *
 * <p>Why not the {@link ByteBuf} reads: a client runs rudp in C1-compiled code, which inlines no virtual
 * call, so each read of a packet through Netty is a chain of calls (bounds, reference count, a slice's
 * parent). At Ethernet-sized packets those chains were a sixth of a client's event loop; decoding a data
 * packet's frames took 255-333 ns in C1 code, and 91 ns through this class ({@code
 * PacketFramesBenchmark}). This class is final and its reads are small, so C1 inlines them.
 *
 * <p>Not thread-safe; reusable through {@link #reset}.
 */
public final class WireReader {
    private ByteBuf buf;
    /** {@link #buf}'s backing array, or null when it has none. */
    private byte[] array;
    /** Where {@link #buf}'s index 0 is in {@link #array}. */
    private int base;
    private int pos;
    private int end;

    /** Points the cursor at {@code packet}'s readable bytes. */
    public WireReader reset(ByteBuf packet) {
        this.buf = packet;
        this.array = packet.hasArray() ? packet.array() : null;
        this.base = array == null ? 0 : packet.arrayOffset();
        this.pos = packet.readerIndex();
        this.end = packet.writerIndex();
        return this;
    }

    /** A cursor over {@code packet}'s readable bytes. */
    public static WireReader of(ByteBuf packet) {
        return new WireReader().reset(packet);
    }

    /**
     * Runs {@code decoder} over {@code in}'s readable bytes and moves {@code in}'s reader index to where
     * it stopped: the {@link ByteBuf} form of each decoder, for callers off the per-packet path.
     */
    public static <T> T readFrom(ByteBuf in, Function<WireReader, T> decoder) {
        WireReader r = of(in);
        T value = decoder.apply(r);
        in.readerIndex(r.position());
        return value;
    }

    /** The cursor's index in the packet. */
    public int position() {
        return pos;
    }

    /** Moves the cursor to {@code index}, within the readable bytes it was reset to. */
    public void position(int index) {
        if (index < 0 || index > end) {
            throw new IndexOutOfBoundsException("position " + index + " past " + end);
        }
        pos = index;
    }

    public boolean isReadable() {
        return pos < end;
    }

    public int readableBytes() {
        return end - pos;
    }

    /** The next byte, unsigned, without moving the cursor. */
    public int peekUnsignedByte() {
        return getUnsignedByte(pos);
    }

    public int readUnsignedByte() {
        int b = getUnsignedByte(pos);
        pos++;
        return b;
    }

    /** {@code n} (at most 8) bytes as a big-endian unsigned number. */
    public long readBigEndian(int n) {
        long v = getBigEndian(pos, n);
        pos += n;
        return v;
    }

    public void skipBytes(int n) {
        checkIndex(pos, n);
        pos += n;
    }

    /** The next {@code n} bytes as a slice of the packet (not retained); the cursor moves past them. */
    public ByteBuf readSlice(int n) {
        checkIndex(pos, n);
        ByteBuf slice = buf.slice(pos, n);
        pos += n;
        return slice;
    }

    /** The position just past the readable bytes the cursor was reset to. */
    public int limit() {
        return end;
    }

    /** The packet the cursor reads. */
    public ByteBuf buffer() {
        return buf;
    }

    /** The packet's backing array, or null when it has none (see {@link #arrayIndex}). */
    public byte[] array() {
        return array;
    }

    /** Where the packet's {@code index} is in {@link #array()}. */
    public int arrayIndex(int index) {
        checkIndex(index, 0);
        return base + index;
    }

    /** The unsigned byte at {@code index}, an index in the packet; the cursor stays put. */
    public int getUnsignedByte(int index) {
        checkIndex(index, 1);
        return array != null ? array[base + index] & 0xFF : buf.getUnsignedByte(index);
    }

    /** The big-endian unsigned 16 bits at {@code index}; the cursor stays put. */
    public int getUnsignedShort(int index) {
        return (int) getBigEndian(index, 2);
    }

    /** {@code n} (at most 8) bytes at {@code index} as a big-endian unsigned number; the cursor stays put. */
    public long getBigEndian(int index, int n) {
        checkIndex(index, n);
        long v = 0;
        if (array != null) {
            for (int i = base + index, last = i + n; i < last; i++) {
                v = v << 8 | (array[i] & 0xFF);
            }
        } else {
            for (int i = index, last = i + n; i < last; i++) {
                v = v << 8 | buf.getUnsignedByte(i);
            }
        }
        return v;
    }

    /** Copies {@code length} bytes at {@code index} into {@code dst}; the cursor stays put. */
    public void getBytes(int index, byte[] dst, int dstIndex, int length) {
        checkIndex(index, length);
        if (array != null) {
            System.arraycopy(array, base + index, dst, dstIndex, length);
        } else {
            buf.getBytes(index, dst, dstIndex, length);
        }
    }

    private void checkIndex(int index, int n) {
        if (index < 0 || n < 0 || index > end - n) {
            throw new IndexOutOfBoundsException(n + " bytes at " + index + " wanted, the packet ends at " + end);
        }
    }
}
