package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NewRenoTest {
    private static final int MDS = 1200;
    private static final long MS = 1_000_000;
    private final RttEstimator rtt = new RttEstimator(100 * MS);

    @Test
    void initialWindowIsTenDatagramsAtLeast14720() {
        assertEquals(14_720, NewReno.initialWindow(1200));
        assertEquals(15_000, NewReno.initialWindow(1500));
        NewReno cc = new NewReno(MDS);
        assertEquals(14_720, cc.congestionWindow());
        assertTrue(cc.inSlowStart());
    }

    @Test
    void slowStartGrowsByEveryAckedByte() {
        NewReno cc = new NewReno(MDS);
        for (int i = 0; i < 10; i++) {
            cc.onPacketAcked(i * MS, MDS, 0, rtt, false);
        }
        assertEquals(14_720 + 10 * MDS, cc.congestionWindow());
    }

    @Test
    void appLimitedAcksDoNotGrowTheWindow() {
        NewReno cc = new NewReno(MDS);
        cc.onPacketAcked(MS, MDS, 0, rtt, true);
        assertEquals(14_720, cc.congestionWindow());
    }

    @Test
    void oneReductionPerRecoveryPeriod() {
        NewReno cc = new NewReno(MDS);
        cc.onPacketAcked(MS, 1280, 0, rtt, false); // window 16000
        cc.onCongestionEvent(100 * MS, 50 * MS);
        assertEquals(8000, cc.congestionWindow());
        assertFalse(cc.inSlowStart());
        // losses of packets sent before recovery started do not reduce again
        cc.onCongestionEvent(150 * MS, 90 * MS);
        cc.onCongestionEvent(160 * MS, 100 * MS);
        assertEquals(8000, cc.congestionWindow());
        // acks of packets sent before recovery started do not grow the window
        cc.onPacketAcked(170 * MS, MDS, 99 * MS, rtt, false);
        assertEquals(8000, cc.congestionWindow());
        // a loss of a packet sent after recovery started is a new event
        cc.onCongestionEvent(300 * MS, 101 * MS);
        assertEquals(4000, cc.congestionWindow());
    }

    @Test
    void windowNeverFallsBelowTwoDatagrams() {
        NewReno cc = new NewReno(MDS);
        for (int i = 1; i <= 10; i++) {
            cc.onCongestionEvent(i * 100 * MS, i * 100 * MS - 1);
        }
        assertEquals(2 * MDS, cc.congestionWindow());
    }

    @Test
    void congestionAvoidanceAddsOneDatagramPerWindowAcked() {
        NewReno cc = new NewReno(MDS);
        cc.onPacketAcked(MS, 1280, 0, rtt, false); // window 16000
        cc.onCongestionEvent(10 * MS, 5 * MS); // window 8000 = ssthresh
        long t = 20 * MS;
        int acked = 0;
        while (acked + MDS < 8000) {
            cc.onPacketAcked(t, MDS, 11 * MS, rtt, false);
            acked += MDS;
            assertEquals(8000, cc.congestionWindow(), "less than a window acknowledged");
        }
        cc.onPacketAcked(t, MDS, 11 * MS, rtt, false);
        assertEquals(8000 + MDS, cc.congestionWindow());
    }

    @Test
    void persistentCongestionCollapsesToTheMinimumAndSlowStartsAgain() {
        NewReno cc = new NewReno(MDS);
        cc.onPacketAcked(MS, 1280, 0, rtt, false);
        cc.onCongestionEvent(100 * MS, 50 * MS);
        cc.onPersistentCongestion(100 * MS);
        assertEquals(2 * MDS, cc.congestionWindow());
        assertTrue(cc.inSlowStart());
        cc.onPacketAcked(300 * MS, MDS, 200 * MS, rtt, false);
        assertEquals(3 * MDS, cc.congestionWindow());
    }

    @Test
    void pacingRateIsAGainTimesWindowPerRtt() {
        NewReno cc = new NewReno(MDS);
        rtt.onSample(100 * MS, 0);
        assertEquals(2 * 14_720 * 10, cc.pacingRate(rtt), 1.0, "slow start: 2x window per 100 ms");
        cc.onCongestionEvent(MS, 0);
        assertEquals((long) (1.25 * 7360 * 10), cc.pacingRate(rtt));
    }
}
