package dev.rudp.reliability;

import static dev.rudp.reliability.Sim.MS;
import static dev.rudp.reliability.Sim.S;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.CongestionControl;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two engines that announce ACK_FREQUENCY to each other, on the simulated network: the receiver
 * acknowledges far fewer packets, the data arrives as fast and exactly once, and a sender that has to
 * wait for an acknowledgement gets it without the receiver's delayed-ACK timer.
 */
class AckFrequencySimulationTest {
    private static final long RATE = Sim.Bottleneck.mbps(100);
    private static final long RTT = 40 * MS;
    private static final int CHUNK = 16 * 1024;

    private static EngineConfig config() {
        return Sim.config(4 << 20, 16 << 20, 30 * S, 5 * S);
    }

    /** A run of 8 MiB from A to B over 100 Mbit/s and 40 ms; returns the sim when all is delivered and acked. */
    private static Sim bulk(CongestionControl cc, boolean ackFrequency, double loss) {
        Sim sim = new Sim(7, new Sim.Profile(loss, 0, 0, 0, 0), config(), config(), cc,
                new Sim.Bottleneck(RATE, (long) (RATE * (RTT / 1e9)), RTT / 2));
        if (ackFrequency) {
            sim.ackFrequency();
        }
        byte[] chunk = new byte[CHUNK];
        new Random(7).nextBytes(chunk);
        int n = 512;
        for (int i = 0; i < n; i++) {
            sim.a.send(chunk, true);
        }
        sim.flush(sim.a);
        sim.runUntil(() -> sim.b.ordered.size() == n && sim.a.conn.bufferedBytes() == 0, "8 MiB delivered");
        for (byte[] m : sim.b.ordered) {
            assertArrayEquals(chunk, m);
        }
        return sim;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CongestionControl.class)
    void theReceiverAcknowledgesAFractionOfThePacketsAndTheTransferIsNoSlower(CongestionControl cc) {
        Sim plain = bulk(cc, false, 0);
        Sim fewer = bulk(cc, true, 0);
        long data = fewer.a.datagramsSent;
        String figures = cc + ": receiver datagrams " + plain.b.datagramsSent + " -> " + fewer.b.datagramsSent
                + " for " + plain.a.datagramsSent + " / " + data + " data datagrams; time " + plain.now / MS + " -> "
                + fewer.now / MS + " ms";
        System.out.println(figures);
        // Without the frame the receiver acknowledges every second packet here (one packet per read).
        assertTrue(plain.b.datagramsSent * 3 > plain.a.datagramsSent, figures);
        assertTrue(fewer.b.datagramsSent * 4 < plain.b.datagramsSent, figures);
        assertTrue(fewer.now <= plain.now + plain.now / 10, figures);
        // The bottleneck's queue overflows in slow start either way: no more is sent again with fewer ACKs.
        assertTrue(data <= plain.a.datagramsSent + plain.a.datagramsSent / 20, figures);
        plain.shutdown();
        fewer.shutdown();
    }

    static Stream<Arguments> lossy() {
        List<Arguments> list = new ArrayList<>();
        for (double loss : new double[] {0.01, 0.05, 0.2}) {
            for (long seed : new long[] {1, 2, 3}) {
                list.add(Arguments.of(seed, loss));
            }
        }
        return list.stream();
    }

    /** Loss, reordering and duplicates (frames of every kind lost, ACK_FREQUENCY among them): exactly once, in order. */
    @ParameterizedTest(name = "seed={0} loss={1}")
    @MethodSource("lossy")
    void lossyPathsDeliverEveryMessageExactlyOnceInOrder(long seed, double loss) {
        EngineConfig cfg = Sim.config(256 * 1024, 4 << 20, 60 * S, 5 * S);
        Sim sim = new Sim(seed, Sim.Profile.lossy(loss), cfg, cfg).ackFrequency();
        Random random = new Random(seed);
        List<byte[]> toB = new ArrayList<>();
        List<byte[]> toA = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            byte[] m = new byte[random.nextInt(3 * Sim.DATAGRAM)];
            random.nextBytes(m);
            (i % 4 == 0 ? toA : toB).add(m);
        }
        for (byte[] m : toB) {
            sim.a.send(m, true);
        }
        for (byte[] m : toA) {
            sim.b.send(m, true);
        }
        sim.flush(sim.a);
        sim.flush(sim.b);
        sim.runUntil(() -> sim.b.ordered.size() >= toB.size() && sim.a.ordered.size() >= toA.size()
                && sim.a.conn.bufferedBytes() == 0 && sim.b.conn.bufferedBytes() == 0, "everything delivered and acked");
        assertEquals(toB.size(), sim.b.ordered.size(), sim.describe("B's messages"));
        assertEquals(toA.size(), sim.a.ordered.size(), sim.describe("A's messages"));
        for (int i = 0; i < toB.size(); i++) {
            assertArrayEquals(toB.get(i), sim.b.ordered.get(i), sim.describe("message " + i + " to B"));
        }
        for (int i = 0; i < toA.size(); i++) {
            assertArrayEquals(toA.get(i), sim.a.ordered.get(i), sim.describe("message " + i + " to A"));
        }
        sim.shutdown();
    }

    /**
     * Once the receiver holds ACKs for many packets, the last packet of a flight asks for its ACK (a
     * PING): the sender hears back after about one RTT, not one RTT plus the receiver's 25 ms max ack
     * delay.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(CongestionControl.class)
    void aFlightThatEndsIsAcknowledgedWithoutTheDelayedAckTimer(CongestionControl cc) {
        Sim sim = bulk(cc, true, 0);
        sim.runFor(S);
        assertTrue(sim.a.conn.stats().congestionWindow() >= 4L * 4 * Sim.DATAGRAM, sim.describe("a window of many packets"));
        long start = sim.now;
        sim.a.send(new byte[10 * Sim.DATAGRAM], true);
        sim.flush(sim.a);
        sim.runUntil(() -> sim.a.conn.bufferedBytes() == 0, "the flight acknowledged");
        long took = sim.now - start;
        // One RTT, the flight's time through the bottleneck, and no timer.
        assertTrue(took < RTT + 5 * MS, sim.describe("the flight's last ACK came after " + took / MS + " ms"));
        sim.shutdown();
    }
}
