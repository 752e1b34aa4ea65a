package dev.rudp.reliability;

import static dev.rudp.reliability.Dumbbell.MS;
import static dev.rudp.reliability.Dumbbell.S;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.CongestionControl;
import org.junit.jupiter.api.Test;

/**
 * Several flows sharing one bottleneck ({@link Dumbbell}): 100 Mbit/s, 40 ms RTT, a drop-tail queue
 * of one bandwidth-delay product unless said otherwise, as in {@link CongestionComparisonTest}. Flow
 * {@code i} starts at {@code i} x 500 ms; goodput is measured from {@value #MEASURE_FROM_S} s to
 * {@value #END_S} s of virtual time, after every start-up. Everything is deterministic; the figures
 * are printed for the record.
 *
 * <p>The bounds are floors against starvation with a margin below what the runs show, not an
 * acceptance of the splits. What the runs show (1-BDP queue): two NewReno flows share evenly
 * (54/44 Mbit/s, Jain 0.99), two CUBIC flows nearly so (62/35, Jain 0.93, CUBIC converges slowly at
 * this BDP); two BBR flows split about 3:1 (72/25, Jain 0.81) and four BBR flows 53/6/31/7 (Jain
 * 0.61). BBR flows together also keep the queue full (mean queueing delay ~36 ms of the 40 ms
 * buffer, ~1% drops) where a single flow keeps ~1 ms: each caps its flight at twice its own BDP
 * estimate, and the shared loss stays under BBR's 10% loss-rate threshold, so nothing pulls the sum
 * back. Against NewReno on this buffer BBR takes 94 Mbit/s and leaves NewReno 3. With a 4-BDP queue
 * the picture turns: two BBR flows share evenly (Jain 0.98) and NewReno keeps 42 of 100 Mbit/s. The
 * splits also move with the measurement window (10-30 s gave 76/21 for two BBR flows), a sign
 * that BBR flows here do not converge to a fair share at all.
 *
 * <p>Not asserted, because it fails: with a quarter-BDP queue and four BBR flows, one flow's
 * bandwidth estimate collapses (pacing at 134 B/s) and its receiver finally closes the connection
 * for a message stalled in reassembly ({@code PROTOCOL_VIOLATION} after 30 s). Reproduce with
 * {@code run("x", BDP / 4, BBR, BBR, BBR, BBR)} and an end of 60 s.
 */
class FairnessTest {
    private static final long RATE = Dumbbell.mbps(100);
    private static final double LINK_MBPS = 100;
    private static final long RTT = 40 * MS;
    private static final long BDP = (long) (RATE * (RTT / 1e9));
    private static final long MEASURE_FROM_S = 10;
    private static final long END_S = 40;
    private static final CongestionControl BBR = CongestionControl.BBR;
    private static final CongestionControl RENO = CongestionControl.NEW_RENO;
    private static final CongestionControl CUBIC = CongestionControl.CUBIC;

    private record Result(String name, double[] mbps, double jain, double utilisation, double meanQueueMs,
            double maxQueueMs, long drops) {
        double min() {
            double m = Double.MAX_VALUE;
            for (double x : mbps) {
                m = Math.min(m, x);
            }
            return m;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(String.format("%-28s goodput Mbit/s:", name));
            for (double m : mbps) {
                sb.append(String.format(" %6.2f", m));
            }
            return sb.append(String.format("  Jain %.3f  link %.1f%%  queue mean %.1f ms max %.1f ms  drops %d",
                    jain, utilisation * 100, meanQueueMs, maxQueueMs, drops)).toString();
        }
    }

    private static Result run(String name, long queueBytes, CongestionControl... ccs) {
        Dumbbell d = new Dumbbell(RATE, queueBytes);
        for (int i = 0; i < ccs.length; i++) {
            d.add(ccs[i], i * 500 * MS, RTT);
        }
        try {
            d.run(MEASURE_FROM_S * S, END_S * S);
            for (Dumbbell.Flow f : d.flows) {
                assertNull(f.closed, () -> d.describe(name + ": flow " + f.index + " ended early"));
            }
            double[] mbps = d.flows.stream().mapToDouble(Dumbbell.Flow::goodputMbps).toArray();
            Result r = new Result(name, mbps, d.jain(), d.utilisation(), d.meanQueueMs(), d.maxQueueDelayNanos / 1e6,
                    d.drops);
            System.out.println(r);
            // Every mix keeps the link busy: header bytes count, payload goodput is a little lower.
            assertTrue(r.utilisation() >= 0.9, "link under-used: " + r);
            return r;
        } finally {
            d.shutdown();
        }
    }

    @Test
    void twoBbrFlowsEachGetAUsefulShare() {
        Result r = run("BBR x2", BDP, BBR, BBR);
        // Seen: 72/25 Mbit/s. Far from even; the floor only says the later flow is not starved.
        assertTrue(r.min() >= 0.3 * LINK_MBPS / 2, "a BBR flow starved: " + r);
        assertTrue(r.jain() >= 0.7, "BBR x2 fairness: " + r);
    }

    @Test
    void fourBbrFlowsEachGetAUsefulShare() {
        Result r = run("BBR x4", BDP, BBR, BBR, BBR, BBR);
        // Seen: 53/6/31/7 Mbit/s: two flows hold about a quarter of a fair share (25 Mbit/s) each.
        assertTrue(r.min() >= 0.15 * LINK_MBPS / 4, "a BBR flow starved: " + r);
        assertTrue(r.jain() >= 0.5, "BBR x4 fairness: " + r);
    }

    @Test
    void bbrDoesNotStarveNewRenoCompletelyOnAOneBdpQueue() {
        Result r = run("BBR + NEW_RENO", BDP, BBR, RENO);
        // Seen: BBR 94, NewReno 3 Mbit/s. Only "not completely" holds: NewReno keeps moving data.
        assertTrue(r.mbps()[1] >= 1, "NewReno starved: " + r);
        assertTrue(r.mbps()[0] > r.mbps()[1], "BBR dominates on a shallow buffer, as documented: " + r);
    }

    @Test
    void onADeepQueueBbrFlowsShareEvenlyAndLeaveNewRenoItsPart() {
        Result bbr = run("BBR x2, 4-BDP queue", 4 * BDP, BBR, BBR);
        assertTrue(bbr.jain() >= 0.9, "BBR x2 on a deep queue: " + bbr);
        Result mixed = run("BBR + NEW_RENO, 4-BDP queue", 4 * BDP, BBR, RENO);
        // Seen: 56/42 Mbit/s.
        assertTrue(mixed.mbps()[1] >= 0.25 * LINK_MBPS, "NewReno on a deep queue: " + mixed);
    }

    @Test
    void lossBasedControllersShareEvenlyForReference() {
        Result reno = run("NEW_RENO x2", BDP, RENO, RENO);
        assertTrue(reno.jain() >= 0.9, "NewReno x2: " + reno);
        Result cubic = run("CUBIC x2", BDP, CUBIC, CUBIC);
        // CUBIC converges slowly at this BDP, and where it stands after 40 s hangs on small timing
        // details (seen: 62/35 Mbit/s, then 72/26 once small packets were paced by their own size).
        assertTrue(cubic.jain() >= 0.75, "CUBIC x2: " + cubic);
    }
}
