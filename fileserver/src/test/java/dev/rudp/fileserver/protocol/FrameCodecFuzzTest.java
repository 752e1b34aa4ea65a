package dev.rudp.fileserver.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rudp.testing.FuzzBounds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz targets for the file protocol's frame codec: any message a peer sends (a client to the server, a
 * server to a client, a peer on a peer link) and every request and reply the two sides build.
 * Decoding raises only {@link ProtocolException}, costs a bounded amount of heap per input byte, and
 * what decodes encodes back to bytes that decode to the same frame.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameCodecFuzzTest {

    /** Raw bytes from the network, as one whole message. */
    @FuzzTest
    void decode(byte[] input) throws Exception {
        Frame[] decoded = new Frame[1];
        FuzzBounds.boundedAllocation(input.length, 64 << 10, 64, () -> {
            try {
                decoded[0] = FrameCodec.decodeFrame(Unpooled.wrappedBuffer(input));
            } catch (ProtocolException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            }
        });
        Frame f = decoded[0];
        if (f instanceof Data d) {
            try {
                assertEquals(input.length - FrameCodec.DATA_HEADER, d.content().readableBytes());
                assertTrue(d.offset() >= 0);
            } finally {
                d.release();
            }
        } else if (f != null) {
            ByteBuf out = FuzzBounds.buffer();
            FrameCodec.encodeControl(f, out);
            Frame again = FrameCodec.decodeFrame(out);
            assertSameFrame(f, again);
            ByteBuf twice = FuzzBounds.buffer();
            FrameCodec.encodeControl(again, twice);
            assertTrue(ByteBufUtil.equals(out.readerIndex(0), twice), "encoding is not stable");
        }
        // The same bytes through the codec as a pipeline sees them: a frame, or a DecoderException whose
        // cause is the ProtocolException, and the message released either way.
        EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(b -> b));
        try {
            ch.writeInbound(Unpooled.copiedBuffer(input));
            Object o = ch.readInbound();
            assertEquals(f == null ? null : f.getClass(), o == null ? null : o.getClass());
            io.netty.util.ReferenceCountUtil.release(o);
        } catch (DecoderException e) {
            assertInstanceOf(ProtocolException.class, e.getCause());
            assertTrue(f == null, "the pipeline refused what decodeFrame accepted");
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** Every operation's request and every status's reply, built from fuzzed fields, round trip. */
    @FuzzTest
    void roundTrip(FuzzedDataProvider data) throws Exception {
        long id = data.consumeLong();
        if (data.consumeBoolean()) {
            Op op = data.pickValue(Op.values());
            List<String> args = strings(data, data.consumeInt(0, 8));
            long[] nums = longs(data, data.consumeInt(0, 8));
            Request r = new Request(id, op, args, nums);
            ByteBuf out = FuzzBounds.buffer();
            FrameCodec.encodeControl(r, out);
            Request back = (Request) FrameCodec.decodeFrame(out);
            assertEquals(id, back.id());
            assertEquals(op, back.op());
            assertEquals(expected(args), back.args());
            assertArrayEquals(nums, back.nums());
        } else {
            Status status = data.pickValue(Status.values());
            String message = data.consumeString(300);
            List<String> lines = strings(data, data.consumeInt(0, 8));
            long[] nums = longs(data, data.consumeInt(0, 8));
            List<FileEntry> entries = new ArrayList<>();
            for (int i = data.consumeInt(0, 6); i > 0; i--) {
                entries.add(new FileEntry(data.consumeString(100), (char) data.consumeInt(0, 255), data.consumeLong(),
                        data.consumeLong(), data.consumeInt(0, 0xFFFF)));
            }
            Reply r = new Reply(id, status, message, lines, nums, entries);
            ByteBuf out = FuzzBounds.buffer();
            FrameCodec.encodeControl(r, out);
            Reply back = (Reply) FrameCodec.decodeFrame(out);
            assertEquals(id, back.id());
            assertEquals(status, back.status());
            assertEquals(utf8(message), back.message());
            assertEquals(expected(lines), back.lines());
            assertArrayEquals(nums, back.nums());
            assertEquals(entries.size(), back.entries().size());
            for (int i = 0; i < entries.size(); i++) {
                FileEntry a = entries.get(i);
                FileEntry b = back.entries().get(i);
                assertEquals(new FileEntry(utf8(a.name()), a.type(), a.size(), a.mtimeMillis(), a.mode()), b);
            }
        }
    }

    private static List<String> strings(FuzzedDataProvider data, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(data.consumeString(200));
        }
        return out;
    }

    private static long[] longs(FuzzedDataProvider data, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = data.consumeLong();
        }
        return out;
    }

    /** What a string becomes on the wire: UTF-8, a lone surrogate as '?'. */
    private static String utf8(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    private static List<String> expected(List<String> in) {
        List<String> out = new ArrayList<>();
        in.forEach(s -> out.add(utf8(s)));
        return out;
    }

    private static void assertSameFrame(Frame a, Frame b) {
        assertEquals(a.getClass(), b.getClass());
        assertEquals(a.id(), b.id());
        if (a instanceof Request x && b instanceof Request y) {
            assertEquals(x.op(), y.op());
            assertEquals(x.args(), y.args());
            assertArrayEquals(x.nums(), y.nums());
        } else if (a instanceof Reply x && b instanceof Reply y) {
            assertEquals(x.status(), y.status());
            assertEquals(x.message(), y.message());
            assertEquals(x.lines(), y.lines());
            assertArrayEquals(x.nums(), y.nums());
            assertEquals(x.entries(), y.entries());
        }
    }

    /** Found while writing the target: 65536 arguments were written as a count of 0, another frame. */
    @Test
    void countsThatDoNotFitTheirFieldAreRefused() {
        List<String> many = java.util.Collections.nCopies(65_536, "a");
        ByteBuf out = FuzzBounds.buffer();
        assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.encodeControl(new Request(1, Op.RM, many, new long[0]), out));
        assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.encodeControl(new Reply(1, Status.OK, "", List.of(), new long[65_536], List.of()), out));
        assertEquals(0, out.readableBytes(), "a refused frame left bytes behind");
    }
}
