package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CubicTest {
    private static final int MDS = 1200;
    private static final long MS = 1_000_000;

    /** Grows the window in slow start to {@code segments}, then loses a packet: returns the time. */
    private static long lossAt(Cubic cc, int segments, long now) {
        RttEstimator rtt = new RttEstimator(100 * MS);
        while (cc.congestionWindow() < (long) segments * MDS) {
            cc.onPacketAcked(now, MDS, now - 100 * MS, rtt, false);
        }
        cc.onCongestionEvent(now, now - MS);
        return now;
    }

    /**
     * Acknowledges a full window every RTT, one segment at a time spread over the RTT, for
     * {@code rounds} rounds; packets were sent after the loss, so recovery is over.
     */
    private static long rounds(Cubic cc, RttEstimator rtt, long start, long rttNanos, int rounds) {
        long now = start;
        for (int r = 0; r < rounds; r++) {
            long n = cc.congestionWindow() / MDS;
            for (int i = 0; i < n; i++) {
                now += rttNanos / n;
                cc.onPacketAcked(now, MDS, now - rttNanos, rtt, false);
            }
        }
        return now;
    }

    private static RttEstimator rtt(long nanos) {
        RttEstimator rtt = new RttEstimator(nanos);
        rtt.onSample(nanos, 0);
        return rtt;
    }

    @Test
    void startsWithTheInitialWindowInSlowStart() {
        Cubic cc = new Cubic(MDS);
        assertEquals(NewReno.initialWindow(MDS), cc.congestionWindow());
        assertTrue(cc.inSlowStart());
        assertEquals(HyStart.Phase.SLOW_START, cc.hyStartPhase());
    }

    @Test
    void lossKeepsBetaOfTheWindowAndRemembersWmax() {
        Cubic cc = new Cubic(MDS);
        lossAt(cc, 100, 1000 * MS);
        long w = cc.congestionWindow();
        assertEquals(0.7 * 100 * MDS, w, MDS);
        assertEquals(100 * MDS, cc.wMax(), MDS);
        assertFalse(cc.inSlowStart());
        assertEquals(HyStart.Phase.DONE, cc.hyStartPhase());
        // A second loss from the same flight is the same congestion event.
        cc.onCongestionEvent(1001 * MS, 999 * MS);
        assertEquals(w, cc.congestionWindow());
    }

    @Test
    void windowFollowsTheCubicFunction() {
        Cubic cc = new Cubic(MDS);
        long lossTime = lossAt(cc, 100, 1000 * MS);
        RttEstimator rtt = rtt(100 * MS);
        double wMax = cc.wMax();
        // The first ack after recovery starts the epoch: K = cbrt(W_max (1 - beta) / C), in segments.
        long t0 = lossTime + 100 * MS;
        cc.onPacketAcked(t0, MDS, t0 - 50 * MS, rtt, false);
        double k = Math.cbrt(wMax / MDS * (1 - Cubic.BETA) / Cubic.C);
        assertEquals(k, cc.k(), 0.01);
        assertEquals(0.7 * wMax, cc.wCubic(0), MDS);
        assertEquals(wMax, cc.wCubic(k), 1e-6);
        assertEquals(wMax + Cubic.C * 8 * MDS, cc.wCubic(k + 2), 1e-6);

        // Driven by acks, the window tracks W_cubic one RTT ahead: concave up to W_max, then convex.
        long now = rounds(cc, rtt, t0, 100 * MS, 20);
        double t = (now - t0) / 1e9;
        assertEquals(cc.wCubic(t + 0.1), cc.congestionWindow(), 0.03 * wMax, "at t=" + t);
        assertTrue(cc.congestionWindow() < wMax, cc.congestionWindow() + " " + cc.wCubic(t + 0.1) + " t=" + t);
        now = rounds(cc, rtt, now, 100 * MS, (int) Math.round((k - t) * 10));
        assertEquals(wMax, cc.congestionWindow(), 0.03 * wMax, "plateau at K");
        now = rounds(cc, rtt, now, 100 * MS, 20);
        t = (now - t0) / 1e9;
        assertEquals(cc.wCubic(t + 0.1), cc.congestionWindow(), 0.03 * wMax, "probing beyond W_max at t=" + t);
        assertTrue(cc.congestionWindow() > wMax + 3 * MDS, "convex: C (t - K)^3 is 3.7 segments at K + 2.1 s");
    }

    @Test
    void renoFriendlyRegionRulesSmallWindowsOnShortPaths() {
        Cubic cc = new Cubic(MDS);
        long lossTime = lossAt(cc, 20, 1000 * MS);
        RttEstimator rtt = rtt(10 * MS);
        long t0 = lossTime + 10 * MS;
        long now = rounds(cc, rtt, t0, 10 * MS, 50);
        double t = (now - t0) / 1e9;
        // Cubic alone would still be below W_max (K is 2.5 s); Reno gains alpha = 0.53 segments per
        // RTT up to the old maximum (about 12 rounds), then one segment per RTT.
        assertTrue(cc.wCubic(t) < 20 * MDS);
        long segments = cc.congestionWindow() / MDS;
        assertTrue(segments >= 52 && segments <= 60, "window " + segments + " segments after 50 RTTs");
    }

    @Test
    void fastConvergenceLowersWmaxWhenLossStrikesBelowIt() {
        Cubic cc = new Cubic(MDS);
        long now = lossAt(cc, 100, 1000 * MS);
        RttEstimator rtt = rtt(100 * MS);
        now = rounds(cc, rtt, now + 100 * MS, 100 * MS, 10); // back towards 100, not there yet
        double w = cc.congestionWindow();
        assertTrue(w < 100 * MDS);
        cc.onCongestionEvent(now, now - MS);
        assertEquals(w * (1 + Cubic.BETA) / 2, cc.wMax(), 1);
        assertEquals((long) (w * Cubic.BETA), cc.congestionWindow(), 1);
    }

    @Test
    void appLimitedAcksDoNotGrowTheWindowNorCountTime() {
        Cubic cc = new Cubic(MDS);
        long now = lossAt(cc, 100, 1000 * MS);
        RttEstimator rtt = rtt(100 * MS);
        long w = cc.congestionWindow();
        for (int i = 1; i <= 100; i++) {
            cc.onPacketAcked(now + i * 100 * MS, MDS, now + i * 100 * MS - 50 * MS, rtt, true);
        }
        assertEquals(w, cc.congestionWindow());
    }

    @Test
    void persistentCongestionCollapsesThenSlowStartsToSsthresh() {
        Cubic cc = new Cubic(MDS);
        long now = lossAt(cc, 100, 1000 * MS);
        long ssthresh = cc.congestionWindow();
        cc.onPersistentCongestion(now);
        assertEquals(2 * MDS, cc.congestionWindow());
        assertTrue(cc.inSlowStart());
        RttEstimator rtt = rtt(100 * MS);
        cc.onPacketAcked(now + MS, MDS, now, rtt, false);
        assertEquals(3 * MDS, cc.congestionWindow(), "slow start grows by every acked byte");
        rounds(cc, rtt, now + MS, 100 * MS, 8);
        assertFalse(cc.inSlowStart());
        assertTrue(cc.congestionWindow() >= ssthresh);
    }

    @Test
    void pacesAtTwiceTheWindowInSlowStartAndAQuarterAboveAfter() {
        Cubic cc = new Cubic(MDS);
        RttEstimator rtt = rtt(100 * MS);
        assertEquals((long) (2.0 * cc.congestionWindow() * 10), cc.pacingRate(rtt), 1);
        lossAt(cc, 100, 1000 * MS);
        assertEquals((long) (1.25 * cc.congestionWindow() * 10), cc.pacingRate(rtt), 1);
    }

    /** HyStart++: a round whose minimum RTT rises by an eighth (at least 4 ms) ends slow start. */
    @Test
    void hyStartLeavesSlowStartWhenTheDelayRisesThenConfirmsForFiveRounds() {
        Cubic cc = new Cubic(MDS);
        RttEstimator rtt = rtt(40 * MS);
        long now = 0;
        for (int round = 0; round < 4; round++) {
            now = slowStartRound(cc, rtt, now, 40 * MS);
            assertEquals(HyStart.Phase.SLOW_START, cc.hyStartPhase(), "round " + round);
        }
        long before = cc.congestionWindow();
        now = slowStartRound(cc, rtt, now, 46 * MS); // +6 ms > max(4 ms, 40/8 = 5 ms)
        assertEquals(HyStart.Phase.CONSERVATIVE, cc.hyStartPhase());
        assertTrue(cc.inSlowStart());
        long grown = cc.congestionWindow() - before;
        assertTrue(grown < before / 2, "growth slowed in the round that detected the rise: " + grown);
        long w = cc.congestionWindow();
        now = slowStartRound(cc, rtt, now, 46 * MS);
        assertEquals(w + (w / MDS) * MDS / HyStart.CSS_GROWTH_DIVISOR, cc.congestionWindow(), MDS,
                "a quarter of slow start's growth");
        for (int round = 0; round < HyStart.CSS_ROUNDS; round++) {
            now = slowStartRound(cc, rtt, now, 46 * MS);
        }
        assertEquals(HyStart.Phase.DONE, cc.hyStartPhase());
        assertFalse(cc.inSlowStart(), "congestion avoidance without a loss");
        assertEquals(cc.congestionWindow(), cc.wMax(), 0.01 * cc.wMax(), "probing starts at the exit window (K = 0)");
    }

    @Test
    void hyStartReturnsToSlowStartWhenTheDelayFallsBack() {
        Cubic cc = new Cubic(MDS);
        RttEstimator rtt = rtt(40 * MS);
        long now = 0;
        for (int round = 0; round < 3; round++) {
            now = slowStartRound(cc, rtt, now, 40 * MS);
        }
        now = slowStartRound(cc, rtt, now, 50 * MS);
        assertEquals(HyStart.Phase.CONSERVATIVE, cc.hyStartPhase());
        slowStartRound(cc, rtt, now, 41 * MS);
        assertEquals(HyStart.Phase.SLOW_START, cc.hyStartPhase(), "the rise was jitter");
        assertTrue(cc.inSlowStart());
    }

    /** Sends a window's worth of packets 1 us apart, then acknowledges each after {@code rttNanos}. */
    private static long slowStartRound(Cubic cc, RttEstimator rtt, long start, long rttNanos) {
        long n = cc.congestionWindow() / MDS;
        for (int i = 0; i < n; i++) {
            cc.onPacketSent(start + i * 1000, MDS);
        }
        for (int i = 0; i < n; i++) {
            long sent = start + i * 1000;
            cc.onPacketAcked(sent + rttNanos, MDS, sent, rtt, false);
        }
        return start + rttNanos + n * 1000;
    }
}
