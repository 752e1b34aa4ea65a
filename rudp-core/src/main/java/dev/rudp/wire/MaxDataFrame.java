package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/**
 * Flow-control credit: {@code type (0x05) | max data (v)}. The receiver allows the sender to
 * start messages until the sum of their lengths reaches {@code max data}.
 */
public final class MaxDataFrame {
    private MaxDataFrame() {
    }

    public static int size(long maxData) {
        return 1 + Varint.size(maxData);
    }

    public static void encode(ByteBuf out, long maxData) {
        out.writeByte(FrameType.MAX_DATA.code());
        Varint.write(out, maxData);
    }

    /** Decodes the body; returns {@link Varint#INVALID} when truncated. */
    public static long decode(ByteBuf in) {
        return Varint.read(in);
    }

    /** As {@link #decode(ByteBuf)}, at the cursor. */
    public static long decode(WireReader in) {
        return Varint.read(in);
    }
}
