package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rudp.RudpErrorCode;
import dev.rudp.testing.FuzzBounds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target for one connection's engine fed hostile DATA packets: packet numbers and frames from the
 * fuzzer, the clock moving on, timers firing and the engine's own packets drained in between, as
 * the codec drives it. The engine must never throw, must keep what it holds for reassembly within its
 * window, and must give back every buffer it took once it is closed (its allocator counts them).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EngineFuzzTest {
    private static final int WINDOW = 64 << 10;
    private static final long MS = 1_000_000L;

    @FuzzTest
    void packets(FuzzedDataProvider data) {
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false, true);
        EngineConfig config = new EngineConfig(1200, 25 * MS, 100 * MS, 30_000 * MS, 5_000 * MS, WINDOW, 4L * WINDOW,
                WINDOW, 64, WINDOW, WINDOW);
        long[] delivered = new long[1];
        ReliableConnection c = new ReliableConnection(config, new NewReno(1200), alloc,
                new ReliableConnection.Listener() {
                    @Override
                    public void onMessage(ByteBuf message, boolean ordered) {
                        delivered[0] += message.readableBytes();
                        c0(message);
                    }

                    @Override
                    public void onClosed(RudpErrorCode code, String reason, boolean byPeer) {
                    }
                }, 0);
        long now = 0;
        // Something in flight, so that ACK frames have packets to acknowledge.
        try {
            c.send(Unpooled.wrappedBuffer(new byte[3000]), true);
            c.send(Unpooled.wrappedBuffer(new byte[10]), false);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        ByteBuf out = FuzzBounds.buffer();
        for (int round = 0; round < 64 && data.remainingBytes() > 0; round++) {
            long pn = data.consumeBoolean() ? round : data.consumeLong();
            byte[] frames = data.consumeBytes(data.consumeInt(0, 1400));
            now += data.consumeInt(0, 200) * MS;
            c.onPacket(pn, Unpooled.wrappedBuffer(frames), frames.length + 22, now);
            if (data.consumeBoolean()) {
                c.onConsumed(data.consumeLong(0, WINDOW));
            }
            c.onReadBatchEnd();
            if (c.nextTimeout() <= now) {
                c.onTimeout(now);
            }
            for (int i = 0; i < 16; i++) {
                out.clear();
                if (c.writePacket(out, 1200 - 22, 22, now) != ReliableConnection.SENT) {
                    break;
                }
                assertTrue(out.readableBytes() <= 1200 - 22, "a packet over its room: " + out.readableBytes());
            }
            long held = alloc.metric().usedHeapMemory();
            assertTrue(held <= 4L * WINDOW + (1 << 16), "reassembly holds " + held + " bytes");
        }
        c.abort(RudpErrorCode.ENDPOINT_CLOSED, "fuzz input done", now);
        assertEquals(ReliableConnection.State.CLOSED, c.state());
        assertEquals(0, alloc.metric().usedHeapMemory(), "buffers not released after the connection closed");
    }

    private static void c0(ByteBuf message) {
        message.release();
    }
}
