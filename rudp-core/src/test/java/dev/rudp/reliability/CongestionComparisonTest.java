package dev.rudp.reliability;

import static dev.rudp.reliability.Sim.MS;
import static dev.rudp.reliability.Sim.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.CongestionControl;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * NewReno, CUBIC and BBR over the same simulated bottleneck: 100 Mbit/s, 40 ms RTT, a drop-tail
 * queue of one bandwidth-delay product, and random loss before the bottleneck. Everything runs in
 * virtual time, so the figures are exact functions of the seed; they are printed for the record.
 */
class CongestionComparisonTest {
    private static final long RATE = Sim.Bottleneck.mbps(100);
    private static final long RTT = 40 * MS;
    private static final long BDP = (long) (RATE * (RTT / 1e9));
    private static final int MESSAGE = 16 * 1024;
    private static final long SEED = 42;

    private static Sim.Bottleneck path() {
        return new Sim.Bottleneck(RATE, BDP, RTT / 2);
    }

    private static EngineConfig config() {
        // Flow control well above 2 BDP so that only congestion control limits the sender.
        return Sim.config(4 << 20, 16 << 20, 30 * S, 5 * S);
    }

    private static Sim sim(CongestionControl cc, double loss, long durationNanos) {
        Sim sim = new Sim(SEED, new Sim.Profile(loss, 0, 0, 0, 0), config(), config(), cc, path());
        sim.maxTimeNanos = durationNanos;
        sim.maxEvents = Long.MAX_VALUE;
        return sim;
    }

    /** Message {@code i}: its index, then bytes that depend on it, so any mix-up is caught. */
    private static byte[] message(int i) {
        byte[] b = new byte[MESSAGE];
        for (int j = 0; j < b.length; j++) {
            b[j] = (byte) (i * 31 + j * 7);
        }
        b[0] = (byte) (i >>> 24);
        b[1] = (byte) (i >>> 16);
        b[2] = (byte) (i >>> 8);
        b[3] = (byte) i;
        return b;
    }

    /** Checks every delivered message against {@link #message} and that none arrives twice. */
    private static final class Receiver implements Consumer<byte[]> {
        final BitSet seen = new BitSet();
        long bytes;
        String error;

        @Override
        public void accept(byte[] m) {
            int i = ((m[0] & 0xff) << 24) | ((m[1] & 0xff) << 16) | ((m[2] & 0xff) << 8) | (m[3] & 0xff);
            if (error == null && (m.length != MESSAGE || seen.get(i) || !java.util.Arrays.equals(m, message(i)))) {
                error = "message " + i + " corrupt or duplicated";
            }
            seen.set(i);
            bytes += m.length;
        }
    }

    private record Result(CongestionControl cc, double loss, long bytes, long nanos, long drops, double meanQueueMs,
            double maxQueueMs, String stats) {
        double mbps() {
            return bytes * 8 / (nanos / 1e9) / 1e6;
        }

        @Override
        public String toString() {
            return String.format("%-8s loss=%4.1f%%  goodput=%6.2f Mbit/s (%3.0f%% of 100)  queue mean=%5.1f ms max=%5.1f ms"
                    + "  bottleneck drops=%d", cc, loss * 100, mbps(), mbps(), meanQueueMs, maxQueueMs, drops);
        }
    }

    /** A sender that always has data, for {@code durationNanos}; goodput is what B received intact. */
    private static Result backlogged(CongestionControl cc, double loss, long durationNanos) {
        Sim sim = sim(cc, loss, durationNanos + S);
        Receiver rx = new Receiver();
        sim.b.inspector = rx;
        // Queueing delay counts after start-up: the steady state is what a controller keeps.
        sim.queueStatsFromNanos = 2 * S;
        int next = 0;
        try {
            while (sim.now < durationNanos) {
                if (sim.a.conn.unsentBytes() < 1 << 20) {
                    while (sim.a.conn.unsentBytes() < 2 << 20) {
                        sim.a.send(message(next++), false);
                    }
                    sim.a.written.clear(); // a long run: do not keep every buffer for the leak check
                    sim.flush(sim.a);
                }
                if (!sim.step()) {
                    break;
                }
            }
            assertEquals(null, rx.error, sim.describe(cc + " delivered a corrupt message"));
            assertEquals(0, sim.a.closedCount + sim.b.closedCount, sim.describe(cc + " connection broke"));
            return new Result(cc, loss, rx.bytes, durationNanos, sim.b.bottleneckDrops,
                    sim.b.queueDelaySumNanos / 1e6 / Math.max(1, sim.b.queueDelaySamples), sim.b.maxQueueDelayNanos / 1e6,
                    sim.a.conn.stats().toString());
        } finally {
            sim.shutdown();
        }
    }

    @ParameterizedTest(name = "{0} moves 16 MB intact")
    @EnumSource(CongestionControl.class)
    void eachControllerMovesDataIntactAndFillsTheBottleneck(CongestionControl cc) {
        Sim sim = sim(cc, 0, 30 * S);
        Receiver rx = new Receiver();
        sim.b.inspector = rx;
        int n = 1024; // 16 MB: 1.3 s at the bottleneck rate
        for (int i = 0; i < n; i++) {
            sim.a.send(message(i), false);
        }
        sim.flush(sim.a);
        sim.runUntil(() -> rx.seen.cardinality() == n && sim.a.conn.bufferedBytes() == 0, "16 MB delivered");
        assertEquals(null, rx.error, sim.describe(cc + " delivered a corrupt message"));
        double mbps = (double) n * MESSAGE * 8 / (sim.now / 1e9) / 1e6;
        System.out.printf("%-8s 16 MB in %5d ms: %6.2f Mbit/s, bottleneck drops=%d%n", cc, sim.now / MS, mbps,
                sim.b.bottleneckDrops);
        // Slow start and the first round trips are part of the time: 60% of the link is a fair share.
        assertTrue(mbps >= 60, sim.describe(cc + " reached only " + mbps + " Mbit/s"));
        sim.shutdown();
        assertEquals(0, sim.a.unreleased(), sim.describe("A's engine still holds written messages"));
    }

    /** Reordering, duplication, jitter and heavy loss: every controller still delivers exactly once. */
    @ParameterizedTest(name = "{0} on a harsh path")
    @EnumSource(CongestionControl.class)
    void eachControllerDeliversExactlyOnceOnAHarshPath(CongestionControl cc) {
        Sim sim = new Sim(SEED, new Sim.Profile(0.1, 0.3, 0.2, 30 * MS, 20 * MS), config(), config(), cc, null);
        Receiver rx = new Receiver();
        sim.b.inspector = rx;
        int n = 200;
        for (int i = 0; i < n; i++) {
            sim.a.send(message(i), i % 2 == 0);
        }
        sim.flush(sim.a);
        sim.runUntil(() -> rx.seen.cardinality() == n && sim.a.conn.bufferedBytes() == 0, "all delivered");
        sim.runFor(2 * S);
        assertEquals(null, rx.error, sim.describe(cc + " delivered a corrupt or duplicate message"));
        assertEquals((long) n * MESSAGE, rx.bytes, sim.describe(cc + " delivered bytes"));
        sim.shutdown();
        assertEquals(0, sim.a.unreleased(), sim.describe("A's engine still holds written messages"));
    }

    @Test
    void goodputUnderRandomLoss() {
        double[] losses = {0, 0.01, 0.05};
        Map<CongestionControl, Result[]> results = new EnumMap<>(CongestionControl.class);
        System.out.println("100 Mbit/s, 40 ms RTT, 1-BDP drop-tail queue, 6 s backlogged, seed " + SEED + ":");
        for (CongestionControl cc : CongestionControl.values()) {
            Result[] row = new Result[losses.length];
            for (int i = 0; i < losses.length; i++) {
                row[i] = backlogged(cc, losses[i], 6 * S);
                System.out.println("  " + row[i]);
            }
            results.put(cc, row);
        }
        Result reno5 = results.get(CongestionControl.NEW_RENO)[2];
        Result bbr5 = results.get(CongestionControl.BBR)[2];
        Result bbr0 = results.get(CongestionControl.BBR)[0];
        assertTrue(bbr5.bytes() >= 3 * reno5.bytes(), "BBR at 5% loss: " + bbr5 + " vs " + reno5);
        assertTrue(bbr5.mbps() >= 50, "BBR keeps most of the link at 5% random loss: " + bbr5);
        assertTrue(results.get(CongestionControl.BBR)[1].mbps() >= 70, "BBR at 1% loss");
        assertTrue(bbr0.meanQueueMs() < RTT / MS / 4.0 && bbr0.maxQueueMs() < RTT / MS / 2.0,
                "BBR keeps the queue short: " + bbr0);
        Result reno1 = results.get(CongestionControl.NEW_RENO)[1];
        Result cubic1 = results.get(CongestionControl.CUBIC)[1];
        assertTrue(cubic1.bytes() >= reno1.bytes(), "CUBIC is at least Reno-friendly: " + cubic1 + " vs " + reno1);
        for (Result[] row : results.values()) {
            assertTrue(row[0].mbps() >= 80, "every controller fills a clean bottleneck: " + row[0]);
        }
    }
}
