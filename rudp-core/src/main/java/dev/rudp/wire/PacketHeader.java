package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/**
 * The header every datagram starts with:
 *
 * <pre>
 * version (u8 = 1) | type (u8) | destination connection id (u64) | type-specific body ...
 * </pre>
 *
 * DATA packets continue with the packet number (u64) and frames.
 */
public final class PacketHeader {
    /** The only version this implementation speaks. */
    public static final int VERSION = 1;
    /** Bytes of version, type and connection ID. */
    public static final int SIZE = 10;
    /** Bytes of a DATA packet's header including the packet number. */
    public static final int DATA_HEADER_SIZE = SIZE + 8;

    private PacketHeader() {
    }

    public static void encode(ByteBuf out, PacketType type, long destinationId) {
        out.writeByte(VERSION);
        out.writeByte(type.code());
        out.writeLong(destinationId);
    }

    /** The packet type of a datagram, or null if its version or type is unknown or it is too short. */
    public static PacketType peekType(ByteBuf in) {
        if (in.readableBytes() < SIZE || in.getUnsignedByte(in.readerIndex()) != VERSION) {
            return null;
        }
        return PacketType.of(in.getUnsignedByte(in.readerIndex() + 1));
    }

    /** The destination connection ID; call after {@link #peekType} returned non-null. */
    public static long peekDestinationId(ByteBuf in) {
        return in.getLong(in.readerIndex() + 2);
    }
}
