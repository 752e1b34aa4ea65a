package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/**
 * Buffer-to-buffer copies on the per-packet path, made by the source ({@code src.getBytes(..., dst, ...)}).
 * Netty 4.2's pooled buffer ({@code AdaptivePoolingAllocator}) takes a {@code setBytes}/{@code writeBytes}
 * from another buffer through {@code src.nioBuffer(...)}: two or three {@code ByteBuffer} views per copy,
 * and for a composite source (a frame's header and its data) a new buffer holding both, copied twice.
 * A source's {@code getBytes} into a buffer with a memory address or an array is one
 * {@code Unsafe.copyMemory} per component instead.
 */
public final class ByteCopy {
    private ByteCopy() {
    }

    /** Appends {@code length} bytes of {@code src} from {@code srcIndex} at {@code dst}'s writer index. */
    public static ByteBuf append(ByteBuf dst, ByteBuf src, int srcIndex, int length) {
        dst.ensureWritable(length);
        int at = dst.writerIndex();
        src.getBytes(srcIndex, dst, at, length);
        return dst.writerIndex(at + length);
    }
}
