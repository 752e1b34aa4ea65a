package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RFC 9002 section 5 worked through with round numbers. */
class RttEstimatorTest {
    private static final long MS = 1_000_000;

    @Test
    void beforeTheFirstSampleUsesTheInitialRtt() {
        RttEstimator rtt = new RttEstimator(333 * MS);
        assertFalse(rtt.hasSample());
        assertEquals(333 * MS, rtt.smoothedRtt());
        assertEquals(333 * MS / 2, rtt.rttVar());
        assertEquals(333 * MS, rtt.latestRtt());
        assertEquals(333 * MS, rtt.minRtt());
        // PTO = srtt + max(4 rttvar, granularity) + max ack delay = 333 + 666 + 25
        assertEquals(1024 * MS, rtt.probeTimeout(25 * MS));
        assertEquals(333 * MS * 9 / 8, rtt.lossDelay());
    }

    @Test
    void firstSampleIgnoresAckDelay() {
        RttEstimator rtt = new RttEstimator(333 * MS);
        rtt.onSample(100 * MS, 10 * MS);
        assertTrue(rtt.hasSample());
        assertEquals(100 * MS, rtt.smoothedRtt());
        assertEquals(50 * MS, rtt.rttVar());
        assertEquals(100 * MS, rtt.minRtt());
        assertEquals(100 * MS, rtt.latestRtt());
        assertEquals((100 + 200 + 25) * MS, rtt.probeTimeout(25 * MS));
    }

    @Test
    void laterSamplesSmoothAndSubtractAckDelayOnlyAboveMinRtt() {
        RttEstimator rtt = new RttEstimator(333 * MS);
        rtt.onSample(100 * MS, 10 * MS);
        // 120 >= min 100 + delay 10: adjusted 110; rttvar = (3*50 + 10)/4 = 40; srtt = (7*100 + 110)/8 = 101.25
        rtt.onSample(120 * MS, 10 * MS);
        assertEquals(40 * MS, rtt.rttVar());
        assertEquals(101_250_000, rtt.smoothedRtt());
        assertEquals(100 * MS, rtt.minRtt());
        assertEquals(120 * MS, rtt.latestRtt());
        // 105 < 100 + 10: the delay is not subtracted; rttvar = (3*40 + 3.75)/4; srtt = (7*101.25 + 105)/8
        rtt.onSample(105 * MS, 10 * MS);
        assertEquals(30_937_500, rtt.rttVar());
        assertEquals(101_718_750, rtt.smoothedRtt());
        // a new minimum
        rtt.onSample(80 * MS, 0);
        assertEquals(80 * MS, rtt.minRtt());
        assertEquals(80 * MS, rtt.latestRtt());
    }

    @Test
    void lossDelayIsNineEighthsOfTheLargerOfSmoothedAndLatest() {
        RttEstimator rtt = new RttEstimator(333 * MS);
        rtt.onSample(80 * MS, 0);
        assertEquals(90 * MS, rtt.lossDelay());
        rtt.onSample(160 * MS, 0); // srtt = (7*80 + 160)/8 = 90, latest 160
        assertEquals(90 * MS, rtt.smoothedRtt());
        assertEquals(180 * MS, rtt.lossDelay());
    }

    @Test
    void granularityIsTheFloor() {
        RttEstimator rtt = new RttEstimator(333 * MS);
        rtt.onSample(100_000, 0); // 0.1 ms
        rtt.onSample(100_000, 0);
        assertEquals(RttEstimator.GRANULARITY_NANOS, rtt.lossDelay());
        assertEquals(100_000 + RttEstimator.GRANULARITY_NANOS, rtt.probeTimeout(0));
    }

    @Test
    void nonPositiveSamplesAreClamped() {
        RttEstimator rtt = new RttEstimator(333 * MS);
        rtt.onSample(-5, 0);
        assertEquals(1, rtt.latestRtt());
        assertEquals(1, rtt.minRtt());
        assertTrue(rtt.smoothedRtt() > 0);
    }
}
