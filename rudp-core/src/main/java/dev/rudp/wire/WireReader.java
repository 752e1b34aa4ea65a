package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/**
 * A read cursor over a received packet for the decoders of this package: plain array reads when the
 * packet is in a heap buffer (the DTLS record path hands every record up in an array of its own), the
 * buffer's own reads otherwise. The packet's reader index is left alone; {@link #position} is the
 * cursor's.
 *
 * <p>Why not the {@link ByteBuf} reads: a client runs rudp in C1-compiled code, which inlines no virtual
 * call, so each {@code getByte} of a packet is a chain of calls (bounds, reference count, the view's
 * parent). At Ethernet-sized packets those chains were a sixth of a client's event loop, and decoding a
 * data packet's frames took 0.7 us in C1 code ({@code PacketFramesBenchmark}). This class is final and its
 * reads are small, so C1 inlines them.
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
        check(1);
        return array != null ? array[base + pos] & 0xFF : buf.getUnsignedByte(pos);
    }

    public int readUnsignedByte() {
        check(1);
        int p = pos++;
        return array != null ? array[base + p] & 0xFF : buf.getUnsignedByte(p);
    }

    /** {@code n} (at most 8) bytes as a big-endian unsigned number. */
    public long readBigEndian(int n) {
        check(n);
        long v = 0;
        if (array != null) {
            for (int i = base + pos, last = i + n; i < last; i++) {
                v = v << 8 | (array[i] & 0xFF);
            }
        } else {
            for (int i = pos, last = i + n; i < last; i++) {
                v = v << 8 | buf.getUnsignedByte(i);
            }
        }
        pos += n;
        return v;
    }

    public void skipBytes(int n) {
        check(n);
        pos += n;
    }

    /** The next {@code n} bytes as a slice of the packet (not retained); the cursor moves past them. */
    public ByteBuf readSlice(int n) {
        check(n);
        ByteBuf slice = buf.slice(pos, n);
        pos += n;
        return slice;
    }

    private void check(int n) {
        if (n < 0 || end - pos < n) {
            throw new IndexOutOfBoundsException(n + " bytes wanted, " + (end - pos) + " left");
        }
    }
}
