package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/**
 * QUIC variable-length integers (RFC 9000 section 16): the two high bits of the first byte give
 * the length (1, 2, 4 or 8 bytes); values go up to 2^62 - 1. Used for every field that can grow.
 */
public final class Varint {
    /** Largest encodable value. */
    public static final long MAX = (1L << 62) - 1;
    /** Returned by {@link #read} when the buffer is truncated. */
    public static final long INVALID = -1;

    private Varint() {
    }

    /** Number of bytes {@code value} takes on the wire. */
    public static int size(long value) {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException("varint out of range: " + value);
        }
        if (value < (1 << 6)) {
            return 1;
        }
        if (value < (1 << 14)) {
            return 2;
        }
        if (value < (1L << 30)) {
            return 4;
        }
        return 8;
    }

    /** Writes {@code value} in its shortest form. */
    public static void write(ByteBuf out, long value) {
        switch (size(value)) {
            case 1:
                out.writeByte((int) value);
                break;
            case 2:
                out.writeShort((int) value | 0x4000);
                break;
            case 4:
                out.writeInt((int) value | 0x8000_0000);
                break;
            default:
                out.writeLong(value | 0xC000_0000_0000_0000L);
                break;
        }
    }

    /**
     * Reads a varint, advancing the reader index; returns {@link #INVALID} (and leaves the index
     * unspecified) when the buffer ends inside it.
     */
    public static long read(ByteBuf in) {
        return WireReader.readFrom(in, Varint::read);
    }

    /** As {@link #read(ByteBuf)}, at the cursor; the cursor stays put when the varint is truncated. */
    public static long read(WireReader in) {
        if (!in.isReadable()) {
            return INVALID;
        }
        int len = 1 << (in.peekUnsignedByte() >>> 6);
        if (in.readableBytes() < len) {
            return INVALID;
        }
        return in.readBigEndian(len) & ((1L << (8 * len - 2)) - 1);
    }
}
