package dev.rudp.fileserver.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * A full data chunk's message is 128 KiB exactly: the receiver reassembles each message into one pooled
 * buffer that Netty rounds up to a power of two, so a message a few bytes over 128 KiB (128 KiB of
 * file bytes plus the header) held a 256 KiB buffer.
 */
class DataChunkTest {

    @Test
    void aFullChunksMessageIsOneHundredTwentyEightKibibytes() throws ProtocolException {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(b -> b));
        byte[] bytes = new byte[Data.CHUNK];
        bytes[0] = 1;
        bytes[Data.CHUNK - 1] = 2;
        ch.writeOutbound(new Data(7, 3L * Data.CHUNK, Unpooled.wrappedBuffer(bytes)));
        ByteBuf message = ch.readOutbound();
        try {
            assertEquals(128 << 10, message.readableBytes());
            assertEquals(1, Integer.bitCount(message.readableBytes()), "a power of two");

            Frame decoded = FrameCodec.decodeFrame(message);
            Data d = assertInstanceOf(Data.class, decoded);
            try {
                assertEquals(7, d.id());
                assertEquals(3L * Data.CHUNK, d.offset());
                assertEquals(Data.CHUNK, d.content().readableBytes());
                assertEquals(1, d.content().getByte(d.content().readerIndex()));
                assertEquals(2, d.content().getByte(d.content().writerIndex() - 1));
            } finally {
                d.release();
            }
        } finally {
            message.release();
        }
        ch.finishAndReleaseAll();
    }
}
