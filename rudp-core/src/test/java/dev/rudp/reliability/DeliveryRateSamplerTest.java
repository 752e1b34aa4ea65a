package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.wire.AckFrame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryRateSamplerTest {
    private static final long MS = 1_000_000;
    private static final int SIZE = 1200;

    /** A sender with one packet a millisecond, each acknowledged alone 40 ms after it left. */
    private static final class Flow {
        final DeliveryRateSampler sampler = new DeliveryRateSampler();
        final ArrayDeque<SentPacket> inFlight = new ArrayDeque<>();
        long pn;

        void send(long now, boolean appLimited) {
            SentPacket p = new SentPacket();
            p.reset(pn++, now);
            p.size = SIZE;
            p.inFlight = true;
            sampler.onPacketSent(p, (long) inFlight.size() * SIZE, appLimited);
            inFlight.add(p);
        }

        RateSample ackOldest(long now) {
            sampler.beginAck();
            sampler.onPacketAcked(inFlight.poll(), now);
            return sampler.endAck(now, 40 * MS);
        }
    }

    @Test
    void steadyFlowMeasuresTheSendingRate() {
        Flow f = new Flow();
        RateSample rs = null;
        for (long t = 0; t <= 200 * MS; t += MS) {
            f.send(t, false);
            if (t >= 40 * MS) {
                rs = f.ackOldest(t);
            }
        }
        assertTrue(rs.valid());
        assertFalse(rs.appLimited());
        assertEquals(SIZE * 1000L, rs.deliveryRate(), SIZE, "one packet per millisecond");
        assertEquals(40 * MS, rs.rttNanos());
        assertEquals(SIZE, rs.newlyAcked());
        assertEquals(f.sampler.delivered(), rs.totalDelivered());
    }

    @Test
    void intervalsShorterThanTheMinRttAreDiscarded() {
        Flow f = new Flow();
        f.send(0, false);
        f.send(0, false);
        RateSample rs = f.ackOldest(10 * MS); // a 10 ms interval on a 40 ms path: ACK compression
        assertFalse(rs.valid());
        assertEquals(SIZE, rs.newlyAcked(), "still counts what was delivered");
    }

    @Test
    void packetsSentWhileOutOfDataGiveAppLimitedSamplesUntilTheyAreDelivered() {
        Flow f = new Flow();
        for (long t = 0; t < 10 * MS; t += MS) {
            f.send(t, t == 9 * MS); // the application ran dry after the tenth packet
        }
        f.send(12 * MS, false); // sent in the app-limited period: still marked
        for (int i = 0; i < 10; i++) {
            RateSample rs = f.ackOldest(50 * MS + i * MS);
            assertEquals(i == 9, rs.appLimited(), "packet " + i);
        }
        assertTrue(f.ackOldest(62 * MS).appLimited());
        // The period ended: everything in flight at its start was delivered.
        f.send(63 * MS, false);
        assertFalse(f.ackOldest(103 * MS).appLimited());
    }

    /** The loss detector feeds the controller per packet lost and once per ACK frame, after loss detection. */
    @Test
    void lossDetectorReportsEachLossThenTheAckSample() {
        List<String> events = new ArrayList<>();
        CongestionController recorder = new CongestionController() {
            @Override
            public void onPacketSent(long nowNanos, int bytes) {
            }

            @Override
            public void onPacketAcked(long now, int bytes, long timeSent, RttEstimator rtt, boolean appLimited) {
                events.add("acked");
            }

            @Override
            public void onCongestionEvent(long nowNanos, long newestLostSentNanos) {
                events.add("congestion");
            }

            @Override
            public void onPersistentCongestion(long nowNanos) {
                events.add("persistent");
            }

            @Override
            public long congestionWindow() {
                return Long.MAX_VALUE;
            }

            @Override
            public long pacingRate(RttEstimator rtt) {
                return Long.MAX_VALUE;
            }

            @Override
            public boolean inSlowStart() {
                return false;
            }

            @Override
            public void onDatagramSizeChanged(int maxDatagramSize) {
            }

            @Override
            public void onPacketLost(long nowNanos, int bytes, long timeSentNanos) {
                events.add("lost");
            }

            @Override
            public void onAckProcessed(long now, RateSample rs, long bytesInFlight, RttEstimator rtt) {
                events.add("ack newlyAcked=" + rs.newlyAcked() + " newlyLost=" + rs.newlyLost() + " inFlight="
                        + bytesInFlight + " rtt=" + rs.rttNanos() / MS);
            }
        };
        LossDetector loss = new LossDetector(new RttEstimator(100 * MS), recorder, 25 * MS,
                new LossDetector.Listener() {
                    @Override
                    public void onPacketAcked(SentPacket p, long nowNanos) {
                    }

                    @Override
                    public void onPacketLost(SentPacket p, long nowNanos) {
                    }

                    @Override
                    public void onSpuriousLoss(SentPacket p) {
                    }
                });
        for (int i = 0; i < 6; i++) {
            SentPacket p = loss.log().append(i * MS);
            p.size = SIZE;
            p.ackEliciting = true;
            p.inFlight = true;
            loss.onPacketSent(p);
        }
        AckFrame ack = new AckFrame().reset(0);
        assertTrue(ack.addRange(2, 5));
        assertTrue(loss.onAck(ack, 45 * MS, false));
        // 0 and 1 are three packets behind the largest acknowledged: lost, each reported, then the event.
        assertEquals(List.of("acked", "acked", "acked", "acked", "lost", "lost", "congestion",
                "ack newlyAcked=4800 newlyLost=2400 inFlight=0 rtt=40"), events);
    }
}
