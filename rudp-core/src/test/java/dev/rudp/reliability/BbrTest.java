package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * BBR driven by hand-made delivery-rate samples on a manual clock: one ACK per packet, a round
 * trip per {@link Path#round} call, rates and RTTs chosen by the test.
 */
class BbrTest {
    private static final int MDS = 1200;
    private static final long MS = 1_000_000;
    private static final long MBPS_100 = 12_500_000;

    /** A path the test steers: what each round delivers, at what rate and RTT, with what loss. */
    private static final class Path {
        final Bbr bbr = new Bbr(MDS);
        final RttEstimator rtt = new RttEstimator(40 * MS);
        final RateSample rs = new RateSample();
        long now;
        long delivered;

        /**
         * One round trip: {@code packets} ACKs spread over {@code rttNanos}, each sampling
         * {@code rate}, plus {@code lost} packets declared lost; {@code inflight} after each ACK.
         */
        void round(int packets, long rate, long rttNanos, int lost, long inflight) {
            round(packets, rate, rttNanos, lost, inflight, false);
        }

        /** As above; {@code appLimited}: the sender had nothing more to send (only a trickle). */
        void round(int packets, long rate, long rttNanos, int lost, long inflight, boolean appLimited) {
            long roundStart = delivered;
            for (int i = 0; i < packets; i++) {
                now += rttNanos / packets;
                if (i < lost) {
                    bbr.onPacketLost(now, MDS, now - rttNanos);
                }
                delivered += MDS;
                rs.newlyAcked = MDS;
                rs.priorDelivered = roundStart; // sent while the previous round's data was being acked
                rs.totalDelivered = delivered;
                rs.deliveryRate = rate;
                rs.valid = true;
                rs.appLimited = appLimited;
                rs.rttNanos = rttNanos;
                bbr.onAckProcessed(now, rs, inflight, rtt);
            }
        }

        /** Rounds at a steady rate with the flight at one BDP. */
        void rounds(int n, long rate, long rttNanos) {
            for (int i = 0; i < n; i++) {
                round(packets(rate, rttNanos), rate, rttNanos, 0, rate * rttNanos / 1_000_000_000L);
            }
        }

        static int packets(long rate, long rttNanos) {
            return (int) Math.max(4, rate * rttNanos / 1_000_000_000L / MDS);
        }
    }

    /** Leaves STARTUP and DRAIN on a 100 Mbit/s, 40 ms path. */
    private static Path inProbeBw() {
        Path p = new Path();
        for (long rate = 1_000_000; rate < MBPS_100; rate *= 2) {
            p.rounds(1, rate, 40 * MS);
        }
        p.rounds(4, MBPS_100, 40 * MS);
        assertEquals(Bbr.Mode.PROBE_BW, p.bbr.mode(), "flight at one BDP ends DRAIN at once");
        return p;
    }

    /**
     * Heavy early loss can leave the model at a few KB/s; pacing still allows the smallest window per
     * round trip, or large datagrams would wait seconds each and the model could never recover.
     */
    @Test
    void pacingNeverFallsBelowTheSmallestWindowPerRoundTrip() {
        Path p = new Path();
        p.rtt.onSample(60 * MS, 0);
        for (int i = 0; i < 6; i++) {
            p.round(12, 5_000, 60 * MS, 9, 4 * MDS); // 9 of 12 lost, 5 KB/s delivered
        }
        assertTrue(p.bbr.bandwidth() <= 5_000, "the model collapsed: " + p.bbr.bandwidth());
        long floor = (long) (Bbr.MIN_CWND_PACKETS * MDS * 1e9 / p.rtt.smoothedRtt());
        assertEquals(floor, p.bbr.pacingRate(p.rtt), 1);
        assertTrue(p.bbr.pacingRate(p.rtt) >= 4 * MDS * 1e9 / (60 * MS) * 0.99, "four packets per RTT at least");
    }

    @Test
    void startsInStartupWithTheInitialWindowPacedAtTheStartupGain() {
        Bbr bbr = new Bbr(MDS);
        RttEstimator rtt = new RttEstimator(100 * MS);
        assertEquals(Bbr.Mode.STARTUP, bbr.mode());
        assertTrue(bbr.inSlowStart());
        assertEquals(NewReno.initialWindow(MDS), bbr.congestionWindow());
        assertEquals((long) (Bbr.STARTUP_GAIN * NewReno.initialWindow(MDS) * 10), bbr.pacingRate(rtt), 1);
    }

    @Test
    void startupEndsWhenBandwidthStopsGrowingThenDrainsIntoProbeBw() {
        Path p = new Path();
        for (long rate = 1_000_000; rate < MBPS_100; rate *= 2) {
            p.rounds(1, rate, 40 * MS);
            assertEquals(Bbr.Mode.STARTUP, p.bbr.mode(), "still growing at " + rate);
            assertEquals((long) (Bbr.STARTUP_GAIN * rate), p.bbr.pacingRate(p.rtt), 2);
        }
        // The first round at 100 Mbit/s still grew; three more without 25% growth: the pipe is full.
        for (int i = 0; i < 3; i++) {
            p.round(Path.packets(MBPS_100, 40 * MS), MBPS_100, 40 * MS, 0, 2 * 500_000);
            assertEquals(Bbr.Mode.STARTUP, p.bbr.mode());
        }
        p.round(Path.packets(MBPS_100, 40 * MS), MBPS_100, 40 * MS, 0, 2 * 500_000);
        assertEquals(Bbr.Mode.DRAIN, p.bbr.mode());
        assertFalse(p.bbr.inSlowStart());
        assertEquals((long) (Bbr.DRAIN_GAIN * MBPS_100), p.bbr.pacingRate(p.rtt), 2);
        // The queue STARTUP built stays until the flight falls to one BDP (500 kB).
        p.round(10, MBPS_100, 40 * MS, 0, 600_000);
        assertEquals(Bbr.Mode.DRAIN, p.bbr.mode());
        p.round(10, MBPS_100, 40 * MS, 0, 480_000);
        assertEquals(Bbr.Mode.PROBE_BW, p.bbr.mode());
        assertEquals(1.0, p.bbr.pacingGain(), "PROBE_BW starts cruising");
    }

    @Test
    void probeBwCyclesTheGainAndPacesAtGainTimesBandwidth() {
        Path p = inProbeBw();
        boolean sawUp = false;
        boolean sawDown = false;
        for (int i = 0; i < 2 * Bbr.PROBE_BW_GAINS.length; i++) {
            // Probing up only ends once the flight reached 1.25 BDP.
            p.round(Path.packets(MBPS_100, 40 * MS), MBPS_100, 40 * MS, 0, 640_000);
            double gain = p.bbr.pacingGain();
            assertEquals((long) (gain * MBPS_100), p.bbr.pacingRate(p.rtt), 2);
            sawUp |= gain == 1.25;
            sawDown |= gain == 0.75;
        }
        assertTrue(sawUp && sawDown, "the cycle probes up and drains");
    }

    @Test
    void cwndIsCappedAtTwiceTheBdp() {
        Path p = inProbeBw();
        p.rounds(5, MBPS_100, 40 * MS);
        long bdp = 500_000;
        assertEquals(2 * bdp + Bbr.ACK_AGGREGATION_PACKETS * MDS, p.bbr.congestionWindow(), MDS);
        // Half the RTT: half the BDP, once the old min RTT is beaten.
        p.rounds(3, MBPS_100, 20 * MS);
        assertEquals(20 * MS, p.bbr.minRtt());
        assertEquals(bdp + Bbr.ACK_AGGREGATION_PACKETS * MDS, p.bbr.congestionWindow(), MDS);
    }

    @Test
    void bandwidthFilterKeepsThePeakForTenRoundsThenForgetsIt() {
        Path p = inProbeBw();
        p.round(10, 2 * MBPS_100, 40 * MS, 0, 500_000); // one burst of ACK compression
        assertEquals(2 * MBPS_100, p.bbr.bandwidth());
        p.rounds(Bbr.BW_FILTER_ROUNDS - 2, MBPS_100 / 2, 40 * MS);
        assertEquals(2 * MBPS_100, p.bbr.bandwidth(), "still within the window");
        p.rounds(2, MBPS_100 / 2, 40 * MS);
        assertEquals(MBPS_100 / 2, p.bbr.bandwidth(), "the peak aged out: the path slowed down");
    }

    /**
     * A connection that only receives for a while (a download after an upload) still completes
     * rounds with its acknowledgements and window updates, all application-limited: the path's
     * bandwidth must survive them, or the next upload starts from the trickle's rate.
     */
    @Test
    void applicationLimitedRoundsDoNotAgeTheBandwidthEstimate() {
        Path p = inProbeBw();
        long window = p.bbr.congestionWindow();
        for (int i = 0; i < 5 * Bbr.BW_FILTER_ROUNDS; i++) {
            p.round(2, MBPS_100 / 500, 40 * MS, 0, 2 * MDS, true);
        }
        assertEquals(MBPS_100, p.bbr.bandwidth());
        assertEquals(window, p.bbr.congestionWindow());
        p.rounds(Bbr.BW_FILTER_ROUNDS, MBPS_100 / 2, 40 * MS);
        assertEquals(MBPS_100 / 2, p.bbr.bandwidth(), "sampled rounds still age the peak out");
    }

    @Test
    void minRttExpiresAfterTenSecondsIntoProbeRttThenReturns() {
        Path p = inProbeBw();
        long cwnd = p.bbr.congestionWindow();
        // A standing queue: every RTT sample is 50 ms, above the 40 ms minimum, for 10 s.
        for (int i = 0; i < 300 && p.bbr.mode() != Bbr.Mode.PROBE_RTT; i++) {
            assertEquals(40 * MS, p.bbr.minRtt());
            p.rounds(1, MBPS_100, 50 * MS);
        }
        assertEquals(Bbr.Mode.PROBE_RTT, p.bbr.mode());
        // The 40 ms minimum was measured on the first ACK, at time ~0.
        assertTrue(p.now >= Bbr.MIN_RTT_WINDOW_NANOS && p.now < Bbr.MIN_RTT_WINDOW_NANOS + 100 * MS, "at " + p.now);
        long bdp50 = MBPS_100 * 50 / 1000;
        assertEquals(Math.max(4 * MDS, bdp50 / 2), p.bbr.congestionWindow(), MDS, "half a BDP in flight");
        // The flight drains to the reduced window; the queue is gone, the true RTT shows.
        for (int i = 0; i < 10; i++) {
            p.round(20, MBPS_100, 40 * MS, 0, 200_000);
        }
        assertEquals(40 * MS, p.bbr.minRtt());
        assertEquals(Bbr.Mode.PROBE_BW, p.bbr.mode(), "after 200 ms and a round");
        assertTrue(p.bbr.congestionWindow() >= cwnd * 0.9, "the window before PROBE_RTT is back");
    }

    @Test
    void randomLossBelowTheThresholdIsNotCongestion() {
        Path p = inProbeBw();
        int packets = Path.packets(MBPS_100, 40 * MS);
        for (int i = 0; i < 20; i++) {
            // 5% random loss, the delivery rate slightly lower for it
            p.round(packets, MBPS_100 * 95 / 100, 40 * MS, packets / 20, 500_000);
        }
        assertEquals(Long.MAX_VALUE, p.bbr.inflightLo());
        assertEquals(MBPS_100 * 95 / 100, p.bbr.bandwidth(), "the delivery rate, not a multiplicative cut");
        assertEquals(2 * 500_000 * 95 / 100 + Bbr.ACK_AGGREGATION_PACKETS * MDS, p.bbr.congestionWindow(), MDS,
                "2 BDP of the delivery rate");
    }

    @Test
    void heavyLossCutsTheShortTermBoundsUntilTheNextProbe() {
        Path p = inProbeBw();
        long cwnd = p.bbr.congestionWindow();
        int packets = Path.packets(MBPS_100, 40 * MS);
        p.round(packets, MBPS_100, 40 * MS, packets / 5, 500_000); // 20%: overload
        p.round(packets, MBPS_100, 40 * MS, 0, 500_000); // its end is judged at the next round start
        assertEquals((long) (Bbr.LO_BETA * cwnd), p.bbr.inflightLo(), MDS);
        assertEquals((long) (Bbr.LO_BETA * MBPS_100), p.bbr.bandwidth());
        assertEquals((long) (Bbr.LO_BETA * cwnd), p.bbr.congestionWindow(), MDS);
        for (int i = 0; i < Bbr.PROBE_BW_GAINS.length + 1 && p.bbr.pacingGain() <= 1; i++) {
            p.round(packets, MBPS_100, 40 * MS, 0, 640_000);
        }
        assertEquals(1.25, p.bbr.pacingGain());
        assertEquals(Long.MAX_VALUE, p.bbr.inflightLo(), "probing up lifted the bounds");
        assertEquals(MBPS_100, p.bbr.bandwidth());
    }

    @Test
    void heavyLossInStartupEndsIt() {
        Path p = new Path();
        p.rounds(3, 1_000_000, 40 * MS);
        p.rounds(1, 2_000_000, 40 * MS);
        p.round(80, 4_000_000, 40 * MS, 20, 200_000);
        p.round(80, 4_000_000, 40 * MS, 0, 50_000);
        assertEquals(Bbr.Mode.PROBE_BW, p.bbr.mode(), "STARTUP ended by loss, DRAIN done at once");
    }

    @Test
    void fewLossesOnASmallRoundAreNoise() {
        Path p = new Path();
        p.round(20, 1_000_000, 40 * MS, Bbr.LOSS_MIN_PACKETS - 1, 20_000); // 35% of a tiny round
        p.round(20, 2_000_000, 40 * MS, 0, 20_000);
        assertEquals(Bbr.Mode.STARTUP, p.bbr.mode());
        assertEquals(Long.MAX_VALUE, p.bbr.inflightLo());
    }

    @Test
    void persistentCongestionShrinksTheFlightToTheMinimum() {
        Path p = inProbeBw();
        p.bbr.onPersistentCongestion(p.now);
        assertEquals(Bbr.MIN_CWND_PACKETS * MDS, p.bbr.congestionWindow());
    }

    @Test
    void windowedMaxFilterAgesOutOldSampledRounds() {
        WindowedMaxFilter f = new WindowedMaxFilter(3);
        assertEquals(0, f.get(0));
        f.update(1, 10);
        f.update(1, 5);
        f.update(2, 7);
        assertEquals(10, f.get(2));
        assertEquals(10, f.get(9), "rounds without samples do not age the maximum");
        f.update(4, 3);
        assertEquals(7, f.get(4), "round 1 is out of the window ending at round 4");
        f.update(5, 2);
        assertEquals(3, f.get(5));
        f.update(9, 1);
        assertEquals(1, f.get(9));
        f.reset();
        assertEquals(0, f.get(9));
    }
}
