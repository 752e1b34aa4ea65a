package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.wire.AckFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loss detection with a manual clock: every time below is passed in explicitly. */
class LossDetectorTest {
    private static final long MS = 1_000_000;
    private static final long MAX_ACK_DELAY = 25 * MS;
    private static final int SIZE = 1200;

    private final RttEstimator rtt = new RttEstimator(100 * MS);
    private final NewReno cc = new NewReno(SIZE);
    private final List<Long> acked = new ArrayList<>();
    private final List<Long> lost = new ArrayList<>();
    private final List<Long> spurious = new ArrayList<>();
    private final LossDetector loss = new LossDetector(rtt, cc, MAX_ACK_DELAY, new LossDetector.Listener() {
        @Override
        public void onPacketAcked(SentPacket p, long nowNanos) {
            acked.add(p.packetNumber);
        }

        @Override
        public void onPacketLost(SentPacket p, long nowNanos) {
            lost.add(p.packetNumber);
        }

        @Override
        public void onSpuriousLoss(SentPacket p) {
            spurious.add(p.packetNumber);
        }
    });

    private long send(long now) {
        SentPacket p = loss.log().append(now);
        p.size = SIZE;
        p.ackEliciting = true;
        p.inFlight = true;
        loss.onPacketSent(p);
        return p.packetNumber;
    }

    /** Acknowledges the given inclusive ranges, listed high to low. */
    private boolean ack(long now, long delayMicros, long... lowHigh) {
        AckFrame f = new AckFrame().reset(delayMicros);
        for (int i = 0; i < lowHigh.length; i += 2) {
            assertTrue(f.addRange(lowHigh[i], lowHigh[i + 1]));
        }
        return loss.onAck(f, now, false);
    }

    @Test
    void ackRetiresPacketsAndTakesAnRttSample() {
        send(0);
        send(MS);
        assertEquals(2 * SIZE, loss.bytesInFlight());
        assertTrue(loss.hasAckElicitingOutstanding());
        assertTrue(ack(51 * MS, 0, 0, 1));
        assertEquals(List.of(0L, 1L), sorted(acked));
        assertEquals(0, loss.bytesInFlight());
        assertFalse(loss.hasAckElicitingOutstanding());
        assertEquals(50 * MS, rtt.latestRtt(), "sampled on the largest newly acknowledged packet");
        assertEquals(1, loss.largestAcked());
        assertEquals(0, loss.timerDeadline(), "nothing left to time");
        assertEquals(0, loss.log().size(), "acknowledged packets leave the log");
    }

    @Test
    void ackDelayIsSubtractedButCappedAtTheMaxAckDelay() {
        send(0);
        ack(100 * MS, 0, 0, 0);
        send(200 * MS);
        ack(330 * MS, 100_000, 1, 1); // 100 ms claimed, 25 ms allowed: adjusted 105 ms
        assertEquals(130 * MS, rtt.latestRtt());
        assertEquals((7 * 100 + 105) * MS / 8, rtt.smoothedRtt());
    }

    @Test
    void absurdAckDelayFromThePeerCannotWreckTheRttEstimate() {
        send(0);
        ack(100 * MS, 0, 0, 0);
        send(200 * MS);
        // 2^54 microseconds: multiplied by 1000 this overflows a long
        ack(300 * MS, 1L << 54, 1, 1);
        assertEquals(100 * MS, rtt.minRtt());
        assertTrue(rtt.smoothedRtt() >= 90 * MS && rtt.smoothedRtt() <= 110 * MS, "srtt " + rtt.smoothedRtt());
        assertTrue(loss.probeTimeout() < 1_000 * MS, "pto " + loss.probeTimeout());
    }

    @Test
    void ackOfAPacketNeverSentIsAViolation() {
        send(0);
        assertFalse(ack(MS, 0, 1, 1));
        assertTrue(ack(MS, 0, 0, 0));
    }

    @Test
    void packetThresholdIsThree() {
        for (int i = 0; i < 5; i++) {
            send(i * 10_000L); // all within a few microseconds: no time threshold
        }
        ack(20 * MS, 0, 4, 4);
        assertEquals(List.of(0L, 1L), lost, "4 - 1 >= 3 but 4 - 2 < 3");
        assertEquals(3 * SIZE, loss.bytesInFlight() + SIZE);
        // the others get a loss timer at 9/8 of the RTT after they were sent
        long lossDelay = rtt.lossDelay();
        assertEquals(20_000L + lossDelay, loss.timerDeadline());
        assertFalse(loss.onTimeout(20_000L + lossDelay), "the loss timer, not a probe timeout");
        assertEquals(List.of(0L, 1L, 2L), lost, "pn 3 was sent 10 us later: not yet");
        assertEquals(30_000L + lossDelay, loss.timerDeadline());
        assertFalse(loss.onTimeout(30_000L + lossDelay));
        assertEquals(List.of(0L, 1L, 2L, 3L), lost);
        assertEquals(0, loss.timerDeadline());
    }

    @Test
    void timeThresholdIsNineEighthsOfTheRtt() {
        send(0);
        send(MS);
        ack(9 * MS, 0, 1, 1); // sample 8 ms: srtt 8, loss delay 9 ms
        assertEquals(9 * MS, rtt.lossDelay());
        assertEquals(List.of(0L), lost, "pn 0 was sent 9 ms ago: exactly on the threshold is lost");
    }

    @Test
    void timeThresholdDeclaresLossWhenTheTimerFires() {
        send(0);
        send(MS);
        ack(17 * MS, 0, 1, 1); // sample 16 ms -> loss delay 18 ms
        assertTrue(lost.isEmpty());
        assertEquals(18 * MS, loss.timerDeadline());
        assertFalse(loss.onTimeout(18 * MS));
        assertEquals(List.of(0L), lost);
        assertEquals(0, loss.bytesInFlight());
    }

    @Test
    void probeTimeoutBacksOffExponentially() {
        send(0);
        long pto = rtt.probeTimeout(MAX_ACK_DELAY);
        assertEquals((100 + 200 + 25) * MS, pto);
        assertEquals(pto, loss.timerDeadline());
        assertTrue(loss.onTimeout(pto));
        assertEquals(1, loss.ptoCount());
        assertEquals(2 * pto, loss.timerDeadline());
        assertTrue(loss.onTimeout(2 * pto));
        assertEquals(4 * pto, loss.timerDeadline());
        assertTrue(loss.onTimeout(4 * pto));
        assertEquals(8 * pto, loss.timerDeadline());
        assertTrue(lost.isEmpty(), "a probe timeout declares nothing lost");
        // an ack resets the backoff
        send(5 * pto);
        ack(5 * pto + 100 * MS, 0, 1, 1);
        assertEquals(0, loss.ptoCount());
    }

    @Test
    void everyHoleIsFoundInOnePass() {
        for (int i = 0; i < 30; i++) {
            send(i * 1000L);
        }
        // every even packet arrived, every odd one was lost
        AckFrame f = new AckFrame().reset(0);
        for (int i = 28; i >= 0; i -= 2) {
            f.addRange(i, i);
        }
        long windowBefore = cc.congestionWindow();
        assertTrue(loss.onAck(f, 50 * MS, false));
        List<Long> expected = new ArrayList<>();
        for (long pn = 1; pn <= 25; pn += 2) {
            expected.add(pn);
        }
        assertEquals(expected, lost, "all holes at least three below the largest, at once");
        assertTrue(cc.congestionWindow() < windowBefore + 15 * SIZE, "one reduction");
        assertEquals(1, lostReductions(windowBefore));
    }

    private int lostReductions(long windowBefore) {
        // slow start grew by 15 acked packets, then one halving
        return cc.congestionWindow() == Math.max((windowBefore + 15 * SIZE) / 2, 2 * SIZE) ? 1 : 0;
    }

    @Test
    void lateAckOfALostPacketIsReportedAsSpurious() {
        for (int i = 0; i < 5; i++) {
            send(i * 1000L);
        }
        ack(20 * MS, 0, 4, 4);
        assertEquals(List.of(0L, 1L), lost);
        acked.clear();
        ack(21 * MS, 0, 4, 4, 0, 2);
        assertEquals(List.of(0L, 1L), sorted(spurious));
        assertEquals(List.of(0L, 1L, 2L), sorted(acked), "its fragments are acknowledged after all");
    }

    @Test
    void persistentCongestionCollapsesTheWindow() {
        send(0);
        ack(100 * MS, 0, 0, 0); // rtt sample 100 ms: pto = 100 + 200 + 25 = 325 ms
        long pto = rtt.probeTimeout(MAX_ACK_DELAY);
        send(200 * MS); // 1
        send(300 * MS); // 2
        long late = 200 * MS + 6 * pto; // 3: the lost span exceeds three PTOs, even after this ack's sample
        send(late);
        send(late + MS); // 4
        send(late + 2 * MS); // 5
        send(late + 3 * MS); // 6
        ack(late + 4 * MS, 0, 6, 6);
        assertEquals(List.of(1L, 2L, 3L), lost);
        assertEquals(2 * SIZE, cc.congestionWindow());
    }

    @Test
    void lossesWithinAShortSpanAreNotPersistentCongestion() {
        send(0);
        ack(100 * MS, 0, 0, 0);
        for (int i = 0; i < 6; i++) {
            send(200 * MS + i * MS);
        }
        ack(210 * MS, 0, 6, 6);
        assertEquals(List.of(1L, 2L, 3L), lost);
        assertTrue(cc.congestionWindow() > 2 * SIZE);
    }

    @Test
    void lostPacketsAreForgottenAfterAWhile() {
        for (int i = 0; i < 5; i++) {
            send(i * 1000L);
        }
        ack(20 * MS, 0, 4, 4);
        assertEquals(5, loss.log().size());
        loss.onTimeout(loss.timerDeadline());
        send(2_000 * MS);
        ack(2_100 * MS, 0, 5, 5);
        assertEquals(0, loss.log().size());
    }

    @Test
    void oldestOutstandingAndAbandonAll() {
        send(0);
        send(MS);
        send(2 * MS);
        ack(10 * MS, 0, 0, 0);
        assertEquals(1, loss.oldestOutstanding().packetNumber);
        loss.abandonAll();
        assertEquals(0, loss.bytesInFlight());
        assertFalse(loss.hasAckElicitingOutstanding());
        assertEquals(0, loss.log().size());
        assertEquals(0, loss.timerDeadline());
        assertEquals(3, loss.log().nextPacketNumber(), "numbers keep counting up");
    }

    /** The order of callbacks within one ACK is not part of the contract. */
    private static List<Long> sorted(List<Long> values) {
        return values.stream().sorted().toList();
    }
}
