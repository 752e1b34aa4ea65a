package dev.rudp.fileserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.protocol.Data;
import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.FrameCodec;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import dev.rudp.fileserver.protocol.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    @Test
    void requestHasGoldenBytes() {
        ByteBuf buf = Unpooled.buffer();
        try {
            FrameCodec.encodeControl(Request.of(7, Op.GET, List.of("a"), 5L), buf);
            assertEquals("01" + "01" + "0000000000000007" + "000a" + "0001" + "00000001" + "61" + "0001"
                    + "0000000000000005", ByteBufUtil.hexDump(buf));
        } finally {
            buf.release();
        }
    }

    @Test
    void controlFramesRoundTrip() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(b -> b));
        Reply r = new Reply(9, Status.NOT_FOUND, "no such file: é.txt", List.of("x", ""), new long[] {1L << 40, -1},
                List.of(new FileEntry("d", 'd', 4096, 123456789L, 0755)));
        assertTrue(ch.writeOutbound(r));
        ByteBuf wire = ch.readOutbound();
        assertTrue(ch.writeInbound(wire));
        Reply back = ch.readInbound();
        assertEquals(r.id(), back.id());
        assertEquals(r.status(), back.status());
        assertEquals(r.message(), back.message());
        assertEquals(r.lines(), back.lines());
        assertArrayEquals(r.nums(), back.nums());
        assertEquals(r.entries(), back.entries());
        assertFalse(ch.finish());
    }

    @Test
    void dataFramesCarryTheirOffsetAndAreWrappedForBulkDelivery() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(b -> new Wrapped(b)));
        ch.writeOutbound(new Data(3, 1L << 33, Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8)));
        Wrapped w = ch.readOutbound();
        assertTrue(ch.writeInbound(w.buf));
        Data d = ch.readInbound();
        try {
            assertEquals(3, d.id());
            assertEquals(1L << 33, d.offset());
            assertEquals("hello", d.content().toString(StandardCharsets.UTF_8));
        } finally {
            d.release();
        }
        assertFalse(ch.finish());
    }

    record Wrapped(ByteBuf buf) {
    }

    @Test
    void malformedAndForeignVersionFramesAreRefused() {
        ByteBuf truncated = Unpooled.wrappedBuffer(new byte[] {1, 1, 0, 0});
        ProtocolException e = assertThrows(ProtocolException.class, () -> FrameCodec.decodeFrame(truncated));
        assertEquals(Status.BAD_REQUEST, e.status());
        truncated.release();

        ByteBuf v2 = Unpooled.wrappedBuffer(new byte[] {2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1});
        e = assertThrows(ProtocolException.class, () -> FrameCodec.decodeFrame(v2));
        assertEquals(Status.UNSUPPORTED_VERSION, e.status());
        v2.release();

        EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(b -> b));
        ByteBuf huge = Unpooled.buffer();
        huge.writeByte(1).writeByte(1).writeLong(1).writeShort(1).writeShort(1).writeInt(Integer.MAX_VALUE);
        DecoderException de = assertThrows(DecoderException.class, () -> ch.writeInbound(huge));
        assertInstanceOf(ProtocolException.class, de.getCause());
        assertFalse(ch.finish());
    }
}
