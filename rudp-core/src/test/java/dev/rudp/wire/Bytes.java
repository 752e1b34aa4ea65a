package dev.rudp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.function.Consumer;

/** Small helpers for wire tests: hex in and out, and buffers that are always released. */
final class Bytes {
    private Bytes() {
    }

    /** A buffer holding the bytes of a hex string (spaces allowed). */
    static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }

    /** The readable bytes of {@code buf} as lower-case hex, without consuming them. */
    static String hex(ByteBuf buf) {
        return ByteBufUtil.hexDump(buf);
    }

    /** Runs {@code writer} on a fresh buffer and returns the hex of what it wrote. */
    static String encode(Consumer<ByteBuf> writer) {
        ByteBuf out = Unpooled.buffer();
        try {
            writer.accept(out);
            return hex(out);
        } finally {
            out.release();
        }
    }

    /** The readable bytes as an array. */
    static byte[] array(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }
}
