package dev.rudp.reliability;

import static dev.rudp.reliability.Sim.MS;
import static dev.rudp.reliability.Sim.S;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.RudpErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two engines over a simulated lossy network with a manual clock. Every failure message carries
 * the seed and network profile, so a failing case can be replayed exactly.
 */
class EngineSimulationTest {
    private static final long[] SEEDS = {1, 2, 3, 4};
    private static final double[] LOSS = {0, 0.01, 0.05, 0.1, 0.2, 0.3};
    private static final int MESSAGES = 150;

    static Stream<Arguments> matrix() {
        List<Arguments> list = new ArrayList<>();
        for (double loss : LOSS) {
            for (long seed : SEEDS) {
                list.add(Arguments.of(seed, loss));
            }
        }
        return list.stream();
    }

    private static EngineConfig defaults() {
        return Sim.config(256 * 1024, 4 << 20, 30 * S, 5 * S);
    }

    /** Random sizes from empty to four datagrams, a fifth of them tiny. */
    private static List<byte[]> messages(Random random, int n) {
        List<byte[]> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(10);
            int size = kind == 0 ? 0 : kind < 3 ? random.nextInt(20) : random.nextInt(4 * Sim.DATAGRAM + 1);
            byte[] b = new byte[size];
            random.nextBytes(b);
            list.add(b);
        }
        return list;
    }

    private static Map<String, Integer> counts(List<byte[]> messages) {
        Map<String, Integer> m = new HashMap<>();
        for (byte[] b : messages) {
            m.merge(java.util.HexFormat.of().formatHex(b), 1, Integer::sum);
        }
        return m;
    }

    private static void assertAllReleased(Sim sim) {
        assertEquals(0, sim.a.unreleased(), sim.describe("A's engine still holds written messages"));
        assertEquals(0, sim.b.unreleased(), sim.describe("B's engine still holds written messages"));
    }

    @ParameterizedTest(name = "ordered seed={0} loss={1}")
    @MethodSource("matrix")
    void orderedMessagesArriveExactlyOnceInOrder(long seed, double loss) {
        Sim sim = new Sim(seed, Sim.Profile.lossy(loss), defaults(), defaults());
        try {
            List<byte[]> toB = messages(new Random(seed * 31), MESSAGES);
            List<byte[]> toA = messages(new Random(seed * 37), MESSAGES / 3);
            // write in bursts spread over time, both ways
            for (int i = 0; i < toB.size(); i++) {
                sim.a.send(toB.get(i), true);
                if (i < toA.size()) {
                    sim.b.send(toA.get(i), true);
                }
                if (i % 25 == 24) {
                    sim.flush(sim.a);
                    sim.flush(sim.b);
                    sim.runFor(30 * MS);
                }
            }
            sim.flush(sim.a);
            sim.flush(sim.b);
            sim.runUntil(() -> sim.b.ordered.size() >= toB.size() && sim.a.ordered.size() >= toA.size()
                    && sim.a.conn.bufferedBytes() == 0 && sim.b.conn.bufferedBytes() == 0, "all delivered and acked");
            sim.runFor(2 * S); // late duplicates and retransmissions must not deliver anything twice
            assertEquals(toB.size(), sim.b.ordered.size(), sim.describe("B's message count"));
            assertEquals(toA.size(), sim.a.ordered.size(), sim.describe("A's message count"));
            for (int i = 0; i < toB.size(); i++) {
                assertArrayEquals(toB.get(i), sim.b.ordered.get(i), sim.describe("message " + i + " to B"));
            }
            for (int i = 0; i < toA.size(); i++) {
                assertArrayEquals(toA.get(i), sim.a.ordered.get(i), sim.describe("message " + i + " to A"));
            }
            assertTrue(sim.a.unordered.isEmpty() && sim.b.unordered.isEmpty());
            assertEquals(ReliableConnection.State.OPEN, sim.a.conn.state(), sim.describe("A"));
            assertEquals(ReliableConnection.State.OPEN, sim.b.conn.state(), sim.describe("B"));
            assertAllReleased(sim);
            assertEquals(0, sim.a.paddingOnly + sim.b.paddingOnly, sim.describe("datagrams with nothing in them"));
        } finally {
            sim.shutdown();
        }
        assertAllReleased(sim);
    }

    @ParameterizedTest(name = "unordered seed={0} loss={1}")
    @MethodSource("matrix")
    void unorderedMessagesArriveExactlyOnce(long seed, double loss) {
        Sim sim = new Sim(seed + 1000, Sim.Profile.lossy(loss), defaults(), defaults());
        try {
            List<byte[]> toB = messages(new Random(seed * 41), MESSAGES);
            for (int i = 0; i < toB.size(); i++) {
                sim.a.send(toB.get(i), i % 10 == 0); // mostly unordered, a few ordered alongside
            }
            sim.flush(sim.a);
            sim.runUntil(() -> sim.b.ordered.size() + sim.b.unordered.size() >= toB.size()
                    && sim.a.conn.bufferedBytes() == 0, "all delivered and acked");
            sim.runFor(2 * S);
            List<byte[]> all = new ArrayList<>(sim.b.unordered);
            all.addAll(sim.b.ordered);
            assertEquals(counts(toB), counts(all), sim.describe("messages received differ from those sent"));
            List<byte[]> orderedSent = new ArrayList<>();
            for (int i = 0; i < toB.size(); i += 10) {
                orderedSent.add(toB.get(i));
            }
            for (int i = 0; i < orderedSent.size(); i++) {
                assertArrayEquals(orderedSent.get(i), sim.b.ordered.get(i), sim.describe("ordered message " + i));
            }
            assertAllReleased(sim);
        } finally {
            sim.shutdown();
        }
        assertAllReleased(sim);
    }

    @ParameterizedTest(name = "close seed={0} loss={1}")
    @MethodSource("matrix")
    void gracefulCloseDeliversEverythingThenBothSidesClose(long seed, double loss) {
        Sim sim = new Sim(seed + 2000, Sim.Profile.lossy(loss), defaults(), defaults());
        List<byte[]> toB = messages(new Random(seed * 43), 40);
        for (byte[] m : toB) {
            sim.a.send(m, true);
        }
        sim.a.conn.close(RudpErrorCode.NO_ERROR, "done", sim.now);
        assertFalse(sim.a.conn.isOpen());
        sim.flush(sim.a);
        sim.runUntil(() -> sim.a.conn.state() == ReliableConnection.State.CLOSED
                && sim.b.conn.state() == ReliableConnection.State.CLOSED, "both closed");
        assertEquals(toB.size(), sim.b.ordered.size(), sim.describe("B's message count"));
        for (int i = 0; i < toB.size(); i++) {
            assertArrayEquals(toB.get(i), sim.b.ordered.get(i), sim.describe("message " + i));
        }
        assertEquals(1, sim.a.closedCount, sim.describe("A closed once"));
        assertEquals(1, sim.b.closedCount, sim.describe("B closed once"));
        assertEquals(RudpErrorCode.NO_ERROR, sim.a.closedCode, sim.describe("A's close code"));
        assertEquals(RudpErrorCode.NO_ERROR, sim.b.closedCode, sim.describe("B's close code"));
        assertFalse(sim.a.closedByPeer);
        assertTrue(sim.b.closedByPeer);
        assertEquals("done", sim.b.closedReason);
        assertAllReleased(sim);
        assertTrue(sim.now < 30 * S, sim.describe("closed by the handshake, not by the idle timeout"));
    }

    @Test
    void silentPeerLeadsToIdleTimeout() {
        Sim sim = new Sim(7, Sim.Profile.lossy(0), Sim.config(1 << 16, 1 << 16, 10 * S, 0), defaults());
        sim.b.silent = true;
        sim.a.send(new byte[3000], true);
        sim.flush(sim.a);
        sim.runUntil(() -> sim.a.closedCount > 0, "A gives up");
        assertEquals(RudpErrorCode.IDLE_TIMEOUT, sim.a.closedCode, sim.describe("A's close code"));
        assertFalse(sim.a.closedByPeer);
        assertEquals(ReliableConnection.State.CLOSED, sim.a.conn.state());
        assertTrue(sim.now >= 10 * S && sim.now < 11 * S, sim.describe("closed at the idle timeout"));
        assertTrue(sim.a.conn.stats().toString().length() > 0);
        assertEquals(0, sim.a.unreleased(), sim.describe("A released what it could not deliver"));
        assertTrue(sim.a.datagramsSent < 40, sim.describe("probes back off exponentially"));
        sim.shutdown();
    }

    @Test
    void keepaliveHoldsAnIdleConnectionOpen() {
        Sim sim = new Sim(8, Sim.Profile.lossy(0), Sim.config(1 << 16, 1 << 16, 10 * S, 4 * S),
                Sim.config(1 << 16, 1 << 16, 10 * S, 4 * S));
        sim.a.send(new byte[] {1}, true);
        sim.flush(sim.a);
        sim.runFor(60 * S);
        assertEquals(0, sim.a.closedCount + sim.b.closedCount, sim.describe("nobody timed out"));
        assertEquals(1, sim.b.ordered.size());
        assertTrue(sim.a.datagramsSent + sim.b.datagramsSent < 100, sim.describe("keepalives are sparse"));
        sim.shutdown();
    }

    @Test
    void receiverThatDoesNotConsumeStallsTheSenderAtTheWindowThenResumes() {
        long window = 64 * 1024;
        EngineConfig cfg = Sim.config(window, window, 30 * S, 5 * S);
        Sim sim = new Sim(9, Sim.Profile.lossy(0.05), cfg, cfg);
        sim.b.consume = false;
        Random random = new Random(9);
        List<byte[]> toB = new ArrayList<>();
        long total = 0;
        while (total < 8 * window) {
            byte[] m = new byte[1 + random.nextInt(3000)];
            random.nextBytes(m);
            toB.add(m);
            total += m.length;
            sim.a.send(m, true);
        }
        sim.flush(sim.a);
        sim.runFor(10 * S);
        long stalledAt = sim.b.deliveredBytes;
        assertTrue(stalledAt <= window, sim.describe("delivered " + stalledAt + " bytes on a window of " + window));
        assertTrue(stalledAt > window / 2, sim.describe("delivered only " + stalledAt));
        long sentBefore = sim.a.datagramsSent + sim.b.datagramsSent;
        sim.runFor(20 * S);
        assertEquals(stalledAt, sim.b.deliveredBytes, sim.describe("nothing more while stalled"));
        assertTrue(sim.a.datagramsSent + sim.b.datagramsSent - sentBefore < 40,
                sim.describe("a stalled connection stays quiet (keepalives only)"));
        assertTrue(sim.a.conn.unsentBytes() >= total - window - 4 * Sim.DATAGRAM,
                sim.describe("the rest waits unsent at the sender"));
        assertEquals(0, sim.a.closedCount + sim.b.closedCount, sim.describe("no timeout while stalled"));

        sim.b.consumeBacklog();
        sim.runUntil(() -> sim.b.ordered.size() == toB.size() && sim.a.conn.bufferedBytes() == 0,
                "all delivered after consuming");
        for (int i = 0; i < toB.size(); i++) {
            assertArrayEquals(toB.get(i), sim.b.ordered.get(i), sim.describe("message " + i));
        }
        sim.shutdown();
        assertAllReleased(sim);
    }

    /** The receiver holds at most maxPartialMessages; many tiny messages behind one loss must not exceed it. */
    @ParameterizedTest(name = "tiny messages loss={0}")
    @org.junit.jupiter.params.provider.ValueSource(doubles = {0.05, 0.2})
    void manyTinyMessagesStayWithinTheReassemblyLimit(double loss) {
        EngineConfig cfg = new EngineConfig(Sim.DATAGRAM, 25 * MS, 100 * MS, 30 * S, 5 * S, 256 * 1024, 4 << 20,
                1 << 20, 200, 256 * 1024, 1 << 20);
        Sim sim = new Sim(11, Sim.Profile.lossy(loss), cfg, cfg);
        Random random = new Random(11);
        List<byte[]> toB = messages(random, 0);
        for (int i = 0; i < 5000; i++) {
            byte[] m = new byte[random.nextInt(4)];
            random.nextBytes(m);
            toB.add(m);
            sim.a.send(m, i % 3 != 0);
        }
        sim.flush(sim.a);
        sim.runUntil(() -> sim.b.ordered.size() + sim.b.unordered.size() == toB.size() || sim.a.closedCount > 0,
                "all delivered");
        assertEquals(0, sim.a.closedCount + sim.b.closedCount, sim.describe("the connection broke"));
        List<byte[]> all = new ArrayList<>(sim.b.ordered);
        all.addAll(sim.b.unordered);
        assertEquals(counts(toB), counts(all), sim.describe("messages received differ from those sent"));
        sim.shutdown();
    }

    /** Much reordering and duplication, both ways at once. */
    @ParameterizedTest(name = "harsh seed={0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {21, 22, 23, 24})
    void harshNetworkStillDeliversExactlyOnce(long seed) {
        Sim.Profile harsh = new Sim.Profile(0.1, 0.3, 0.2, 30 * MS, 20 * MS);
        Sim sim = new Sim(seed, harsh, defaults(), defaults());
        List<byte[]> toB = messages(new Random(seed), 120);
        List<byte[]> toA = messages(new Random(seed + 1), 120);
        for (int i = 0; i < toB.size(); i++) {
            sim.a.send(toB.get(i), i % 2 == 0);
            sim.b.send(toA.get(i), i % 2 == 1);
        }
        sim.flush(sim.a);
        sim.flush(sim.b);
        sim.runUntil(() -> sim.b.ordered.size() + sim.b.unordered.size() >= toB.size()
                && sim.a.ordered.size() + sim.a.unordered.size() >= toA.size()
                && sim.a.conn.bufferedBytes() == 0 && sim.b.conn.bufferedBytes() == 0, "all delivered and acked");
        sim.runFor(2 * S);
        List<byte[]> atB = new ArrayList<>(sim.b.ordered);
        atB.addAll(sim.b.unordered);
        List<byte[]> atA = new ArrayList<>(sim.a.ordered);
        atA.addAll(sim.a.unordered);
        assertEquals(counts(toB), counts(atB), sim.describe("B's messages"));
        assertEquals(counts(toA), counts(atA), sim.describe("A's messages"));
        for (int i = 0, k = 0; i < toB.size(); i += 2, k++) {
            assertArrayEquals(toB.get(i), sim.b.ordered.get(k), sim.describe("ordered message " + i + " to B"));
        }
        assertAllReleased(sim);
        sim.shutdown();
    }

    /** On a perfect path nothing is lost, retransmitted or probed. */
    @Test
    void cleanNetworkNeedsNoRecovery() {
        Sim sim = new Sim(31, new Sim.Profile(0, 0, 0, 20 * MS, 0), defaults(), defaults());
        List<byte[]> toB = messages(new Random(31), 400);
        for (byte[] m : toB) {
            sim.a.send(m, true);
        }
        sim.flush(sim.a);
        sim.runUntil(() -> sim.b.ordered.size() == toB.size() && sim.a.conn.bufferedBytes() == 0, "all delivered");
        sim.runFor(2 * S);
        var stats = sim.a.conn.stats();
        assertEquals(0, stats.packetsLost(), sim.describe("packets lost"));
        assertEquals(0, stats.bytesRetransmitted(), sim.describe("retransmissions"));
        assertEquals(0, stats.probeTimeouts(), sim.describe("probe timeouts"));
        assertEquals(0, sim.b.conn.stats().duplicatePackets(), sim.describe("duplicates"));
        assertTrue(Math.abs(stats.smoothedRttNanos() - 40 * MS) < 30 * MS, sim.describe("srtt near the 40 ms path"));
        assertEquals(0, sim.a.paddingOnly + sim.b.paddingOnly);
        sim.shutdown();
    }

    /** A bulk transfer grows the congestion window and the receive window and finishes in reasonable time. */
    @Test
    void bulkTransferGrowsTheWindows() {
        EngineConfig cfg = Sim.config(64 * 1024, 4 << 20, 30 * S, 5 * S);
        Sim sim = new Sim(32, new Sim.Profile(0.001, 0, 0, 20 * MS, 1 * MS), cfg, cfg);
        int n = 500;
        byte[] chunk = new byte[16 * 1024];
        new Random(32).nextBytes(chunk);
        for (int i = 0; i < n; i++) {
            sim.a.send(chunk, false);
        }
        sim.flush(sim.a);
        sim.runUntil(() -> sim.b.unordered.size() == n && sim.a.conn.bufferedBytes() == 0, "8 MB delivered");
        assertTrue(sim.b.conn.stats().receiveWindow() > 64 * 1024, sim.describe("the receive window grew"));
        assertTrue(sim.now < 3 * S, sim.describe("8 MB over a 40 ms path took " + sim.now / MS + " ms"));
        for (byte[] m : sim.b.unordered) {
            assertArrayEquals(chunk, m);
        }
        sim.shutdown();
        assertAllReleased(sim);
    }

    @Test
    void immediateCloseWithAnErrorReachesThePeer() {
        Sim sim = new Sim(33, Sim.Profile.lossy(0.1), defaults(), defaults());
        sim.a.send(new byte[5000], true);
        sim.flush(sim.a);
        sim.runFor(200 * MS);
        sim.a.conn.close(RudpErrorCode.APPLICATION_ERROR, "quota exceeded", sim.now);
        sim.flush(sim.a);
        sim.runUntil(() -> sim.a.conn.state() == ReliableConnection.State.CLOSED
                && sim.b.conn.state() == ReliableConnection.State.CLOSED, "both closed");
        assertEquals(RudpErrorCode.APPLICATION_ERROR, sim.a.closedCode);
        assertFalse(sim.a.closedByPeer);
        assertEquals(1, sim.a.closedCount);
        assertEquals(1, sim.b.closedCount);
        // with 10% loss the CLOSE may be lost every time; then B learns by its idle timeout
        if (sim.b.closedByPeer) {
            assertEquals(RudpErrorCode.APPLICATION_ERROR, sim.b.closedCode);
            assertEquals("quota exceeded", sim.b.closedReason);
        } else {
            assertEquals(RudpErrorCode.IDLE_TIMEOUT, sim.b.closedCode, sim.describe("B's close"));
        }
        assertAllReleased(sim);
    }

    @Test
    void messagesLargerThanHalfTheWindowStillFlow() {
        long window = 16 * 1024;
        EngineConfig cfg = Sim.config(window, window, 30 * S, 5 * S);
        Sim sim = new Sim(10, Sim.Profile.lossy(0), cfg, cfg);
        List<byte[]> toB = List.of(new byte[1000], new byte[(int) window - 100], new byte[(int) window],
                new byte[10], new byte[(int) window]);
        for (byte[] m : toB) {
            sim.a.send(m, true);
        }
        sim.flush(sim.a);
        sim.runUntil(() -> sim.b.ordered.size() == toB.size(), "all delivered");
        sim.shutdown();
        assertAllReleased(sim);
    }
}
