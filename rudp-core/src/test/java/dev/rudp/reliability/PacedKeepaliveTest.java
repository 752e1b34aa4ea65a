package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.RudpErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/**
 * A connection whose pacing rate is so low that one packet takes longer than the keepalive
 * interval (BBR's bandwidth estimate collapsed this far for a starved flow in {@link FairnessTest}'s
 * shallow-queue runs). The keepalive PING then waits for the pacer like any other packet; the
 * timer must not keep reporting the keepalive as due meanwhile, or the event loop spins on a
 * deadline in the past until the pacer lets the PING go.
 */
class PacedKeepaliveTest {
    private static final long MS = 1_000_000;
    private static final long S = 1_000_000_000;
    private static final int DATAGRAM = 1200;

    /** A controller with a wide-open window and a fixed, tiny pacing rate. */
    private static final class Crawl implements CongestionController {
        @Override
        public void onPacketSent(long nowNanos, int bytes) {
        }

        @Override
        public void onPacketAcked(long nowNanos, int bytes, long timeSentNanos, RttEstimator rtt, boolean appLimited) {
        }

        @Override
        public void onCongestionEvent(long nowNanos, long newestLostSentNanos) {
        }

        @Override
        public void onPersistentCongestion(long nowNanos) {
        }

        @Override
        public long congestionWindow() {
            return 1 << 30;
        }

        @Override
        public long pacingRate(RttEstimator rtt) {
            return 100; // bytes per second: a 1200-byte packet every 12 s, longer than the keepalive
        }

        @Override
        public boolean inSlowStart() {
            return false;
        }

        @Override
        public void onDatagramSizeChanged(int maxDatagramSize) {
        }
    }

    private static final ReliableConnection.Listener DISCARD = new ReliableConnection.Listener() {
        @Override
        public void onMessage(ByteBuf message, boolean ordered) {
            message.release();
        }

        @Override
        public void onClosed(RudpErrorCode code, String reason, boolean byPeer) {
        }
    };

    @Test
    void shouldNotReportTheKeepaliveDueWhileItsPingWaitsForThePacer() throws Exception {
        EngineConfig config = new EngineConfig(DATAGRAM, 25 * MS, 100 * MS, 0, 10 * S, 1 << 20, 1 << 20, 1 << 20,
                64, 1 << 20, 1 << 20);
        ReliableConnection a = new ReliableConnection(config, new Crawl(), UnpooledByteBufAllocator.DEFAULT, DISCARD, 0);
        ReliableConnection b = new ReliableConnection(config, new NewReno(DATAGRAM), UnpooledByteBufAllocator.DEFAULT,
                DISCARD, 0);
        a.send(Unpooled.wrappedBuffer(new byte[256 * 1024]), true);
        // The initial burst goes out and is acknowledged at once; then the pacer holds the rest for
        // many seconds with nothing in flight, so no probe timer runs either.
        long now = 0;
        exchange(a, b, now);
        now = 30 * MS;
        b.onTimeout(now); // B's delayed ACK
        exchange(a, b, now);
        assertEquals(0, a.stats().bytesInFlight(), "burst acknowledged");
        now = 10 * S + 30 * MS; // keepalive due: last ack-eliciting packet sent at 0, last packet received at 30 ms
        assertTrue(a.nextTimeout() <= now, "keepalive timer");
        int turns = 0;
        long at;
        // What an event loop does: run the timer, send what is allowed, re-arm at nextTimeout.
        while ((at = a.nextTimeout()) <= now) {
            assertTrue(++turns <= 3, "timer still due at " + at + " after " + turns + " turns at " + now
                    + " while the pacer holds the PING");
            a.onTimeout(now);
            exchange(a, b, now);
        }
        assertTrue(at > now && at < Long.MAX_VALUE, "the next wake-up is the pacer's: " + at);
        a.abort(RudpErrorCode.ENDPOINT_CLOSED, "test over", now);
        b.abort(RudpErrorCode.ENDPOINT_CLOSED, "test over", now);
    }

    /** Moves packets both ways with no delay until neither side sends anything more. */
    private static void exchange(ReliableConnection a, ReliableConnection b, long now) {
        for (int i = 0; i < 10_000; i++) {
            if (!deliver(a, b, now) & !deliver(b, a, now)) {
                return;
            }
        }
        throw new AssertionError("packets without end");
    }

    private static boolean deliver(ReliableConnection from, ReliableConnection to, long now) {
        long pn = from.nextPacketNumber();
        ByteBuf out = Unpooled.buffer(DATAGRAM);
        try {
            if (from.writePacket(out, DATAGRAM - 22, 22, now) != ReliableConnection.SENT) {
                return false;
            }
            to.onPacket(pn, out, out.readableBytes() + 22, now);
            return true;
        } finally {
            out.release();
        }
    }
}
