package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.wire.AckFrame;
import org.junit.jupiter.api.Test;

class AckTrackerTest {
    private static final long MS = 1_000_000;
    private final AckTracker acks = new AckTracker(25 * MS);

    private void receive(long pn, boolean ackEliciting, long now) {
        assertTrue(acks.onPacketNumber(pn), "pn " + pn + " is new");
        acks.onPacketProcessed(pn, ackEliciting, false, now);
    }

    @Test
    void duplicatesAreRefused() {
        assertFalse(acks.hasReceived());
        receive(0, true, 0);
        receive(1, false, 0);
        assertFalse(acks.onPacketNumber(0));
        assertFalse(acks.onPacketNumber(1));
        assertTrue(acks.onPacketNumber(2));
        assertTrue(acks.hasReceived());
    }

    @Test
    void nonElicitingPacketsNeedNoAck() {
        receive(0, false, 0);
        receive(1, false, 0);
        receive(2, false, 0);
        assertFalse(acks.ackPending());
        assertFalse(acks.ackDue(100 * MS));
        assertEquals(0, acks.ackDeadline());
    }

    @Test
    void oneElicitingPacketIsAckedAfterTheMaxAckDelay() {
        receive(0, true, 10 * MS);
        assertTrue(acks.ackPending());
        assertFalse(acks.ackDue(10 * MS));
        assertEquals(35 * MS, acks.ackDeadline());
        assertFalse(acks.ackDue(35 * MS - 1));
        assertTrue(acks.ackDue(35 * MS));
        // a second packet does not push the deadline back... it makes the ack immediate
        acks.onAckSent();
        assertFalse(acks.ackPending());
        receive(1, true, 40 * MS);
        receive(2, false, 50 * MS);
        assertEquals(65 * MS, acks.ackDeadline(), "deadline counts from the first unacknowledged packet");
    }

    @Test
    void everySecondElicitingPacketIsAckedAtOnce() {
        receive(0, true, 0);
        assertFalse(acks.ackDue(0));
        receive(1, true, 0);
        assertTrue(acks.ackDue(0));
        assertTrue(acks.ackDeadline() <= 0 + 1, "due now");
        acks.onAckSent();
        receive(2, true, 0);
        assertFalse(acks.ackDue(0));
        receive(3, true, 0);
        assertTrue(acks.ackDue(0));
    }

    @Test
    void reorderingAndGapsAreAckedAtOnce() {
        receive(0, true, 0);
        acks.onAckSent();
        receive(2, true, 0); // gap: 1 missing
        assertTrue(acks.ackDue(0));
        acks.onAckSent();
        receive(1, true, 0); // fills the hole late
        assertTrue(acks.ackDue(0));
        acks.onAckSent();
        receive(3, true, 0); // in order again
        assertFalse(acks.ackDue(0));
    }

    @Test
    void readBurstEndAcksWhatWaitsUntilThePeerSetsAThreshold() {
        receive(0, true, 0);
        acks.onReadBatchEnd();
        assertTrue(acks.ackDue(0), "without a threshold, each read burst is acknowledged");
        acks.onAckSent();
        acks.onAckFrequency(0, 8);
        receive(1, true, 0);
        acks.onReadBatchEnd();
        assertFalse(acks.ackDue(0), "with one, a burst of fewer packets waits");
        assertEquals(25 * MS, acks.ackDeadline(), "though never past the max ack delay");
        assertTrue(acks.ackDue(25 * MS));
    }

    @Test
    void thresholdCountsAckElicitingPacketsAndPingOrReorderingStillAckAtOnce() {
        acks.onAckFrequency(3, 4);
        for (long pn = 0; pn < 6; pn++) {
            receive(pn, pn % 2 == 0, 0); // the odd ones are not ack-eliciting: not counted
            assertFalse(acks.ackDue(0), "packet " + pn);
        }
        receive(6, true, 0);
        assertTrue(acks.ackDue(0), "the fourth ack-eliciting packet");
        acks.onAckSent();
        assertTrue(acks.onPacketNumber(7));
        acks.onPacketProcessed(7, true, true, 0);
        assertTrue(acks.ackDue(0), "a PING is acknowledged at once");
        acks.onAckSent();
        receive(9, true, 0);
        assertTrue(acks.ackDue(0), "a gap is acknowledged at once");
    }

    @Test
    void staleThresholdsAreIgnoredAndALowerOneAppliesToWhatWaits() {
        acks.onAckFrequency(5, 16);
        acks.onAckFrequency(4, 2); // reordered: older than the one applied
        receive(0, true, 0);
        receive(1, true, 0);
        assertFalse(acks.ackDue(0), "the newer threshold of 16 holds");
        acks.onAckFrequency(6, 2);
        assertTrue(acks.ackDue(0), "two wait, and the new threshold is two");
    }

    @Test
    void fillWritesNewestRangesFirstWithTheDelaySinceTheLargest() {
        receive(0, true, 0);
        receive(1, true, 0);
        receive(5, true, 10 * MS);
        receive(3, true, 12 * MS);
        receive(8, true, 20 * MS);
        receive(9, false, 21 * MS);
        AckFrame f = new AckFrame();
        assertEquals(4, acks.fill(f, 24 * MS));
        assertEquals(4, f.rangeCount());
        assertEquals(9, f.largestAcked());
        assertEquals(3_000, f.ackDelayMicros());
        assertEquals(8, f.low(0));
        assertEquals(5, f.low(1));
        assertEquals(5, f.high(1));
        assertEquals(3, f.low(2));
        assertEquals(0, f.low(3));
        assertEquals(1, f.high(3));
    }

    @Test
    void oldDelayedPacketDoesNotResetTheAckDelayClock() {
        receive(10, true, 10 * MS);
        receive(4, true, 30 * MS);
        AckFrame f = new AckFrame();
        acks.fill(f, 31 * MS);
        assertEquals(21_000, f.ackDelayMicros(), "delay measured from the largest, not the latest");
    }

    @Test
    void ackCarriesAtMostTheNewestRanges() {
        for (int i = 0; i < 100; i++) {
            receive(2L * i, true, 0);
        }
        AckFrame f = new AckFrame();
        assertEquals(AckTracker.MAX_SENT_RANGES, acks.fill(f, 0));
        assertEquals(198, f.largestAcked());
        assertEquals(198 - 2 * (AckTracker.MAX_SENT_RANGES - 1), f.low(AckTracker.MAX_SENT_RANGES - 1));
    }

    @Test
    void historyIsBoundedAndOldPacketsAreTreatedAsSeen() {
        for (int i = 0; i < AckTracker.MAX_TRACKED_RANGES + 10; i++) {
            receive(2L * i + 100, true, 0);
        }
        assertFalse(acks.onPacketNumber(0), "older than the remembered history");
        assertFalse(acks.onPacketNumber(101), "forgotten range counted as received");
        assertTrue(acks.onPacketNumber(2L * (AckTracker.MAX_TRACKED_RANGES + 10) + 100));
        assertTrue(acks.onPacketNumber(2L * (AckTracker.MAX_TRACKED_RANGES + 5) + 101), "a recent hole");
    }
}
