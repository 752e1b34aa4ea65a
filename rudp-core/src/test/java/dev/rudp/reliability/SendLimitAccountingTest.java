package dev.rudp.reliability;

import static dev.rudp.reliability.Sim.MS;
import static dev.rudp.reliability.Sim.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.CongestionControl;
import dev.rudp.RudpStats;
import org.junit.jupiter.api.Test;

/** The engine's "limited by" accounting, two engines on the simulator's manual clock. */
class SendLimitAccountingTest {

    private static RudpStats.LimitedBy limits(Sim sim, Sim.Peer peer) {
        return peer.conn.stats(sim.now, -1, -1, -1, -1).limitedBy();
    }

    private static void assertSumsToAge(Sim sim, Sim.Peer peer) {
        assertEquals(sim.now, limits(sim, peer).totalNanos(), sim.describe("the parts add up to the connection's age"));
    }

    @Test
    void anIdleConnectionIsApplicationLimitedThroughout() {
        Sim sim = new Sim(1, new Sim.Profile(0, 0, 0, 10 * MS, 0), Sim.config(1 << 16, 1 << 16, 30 * S, 5 * S),
                Sim.config(1 << 16, 1 << 16, 30 * S, 5 * S));
        sim.a.send(new byte[100], true);
        sim.flush(sim.a);
        sim.runFor(12 * S);
        RudpStats.LimitedBy l = limits(sim, sim.a);
        assertEquals(sim.now, l.applicationNanos(), sim.describe("one small message sent at once, then nothing"));
        assertSumsToAge(sim, sim.a);
        sim.shutdown();
    }

    @Test
    void aReceiverThatDoesNotReadLimitsTheSenderByItsWindow() {
        long window = 64 * 1024;
        EngineConfig cfg = Sim.config(window, window, 30 * S, 5 * S);
        Sim sim = new Sim(2, new Sim.Profile(0, 0, 0, 10 * MS, 0), cfg, cfg);
        sim.b.consume = false;
        for (int i = 0; i < 200; i++) {
            sim.a.send(new byte[2000], true); // 400 kB against a 64 kB window
        }
        sim.flush(sim.a);
        sim.runFor(10 * S);
        RudpStats.LimitedBy stalled = limits(sim, sim.a);
        assertTrue(stalled.receiverWindowNanos() > 9 * S, sim.describe("stalled by the window: " + stalled));
        assertSumsToAge(sim, sim.a);

        sim.b.consumeBacklog();
        sim.runUntil(() -> sim.a.conn.bufferedBytes() == 0, "everything delivered");
        long doneAt = sim.now;
        sim.runFor(2 * S);
        RudpStats.LimitedBy after = limits(sim, sim.a);
        assertTrue(after.applicationNanos() - stalled.applicationNanos() >= 2 * S,
                sim.describe("nothing left to send: application-limited " + after));
        assertTrue(doneAt > 10 * S);
        assertSumsToAge(sim, sim.a);
        // The receiver only acknowledged: it never had anything of its own to send.
        assertEquals(sim.now, limits(sim, sim.b).applicationNanos(), sim.describe("receiver"));
        sim.shutdown();
    }

    @Test
    void aBulkTransferThroughABottleneckWaitsForTheWindowAndThePacer() {
        EngineConfig cfg = Sim.config(8 << 20, 8 << 20, 30 * S, 5 * S);
        Sim sim = new Sim(3, new Sim.Profile(0, 0, 0, 0, 0), cfg, cfg, CongestionControl.NEW_RENO,
                new Sim.Bottleneck(Sim.Bottleneck.mbps(20), 64 * 1024, 20 * MS));
        for (int i = 0; i < 2000; i++) {
            sim.a.send(new byte[1000], false);
        }
        sim.flush(sim.a);
        sim.runUntil(() -> sim.a.conn.bufferedBytes() == 0, "2 MB delivered");
        RudpStats.LimitedBy l = limits(sim, sim.a);
        assertTrue(l.congestionWindowNanos() > 0, sim.describe("congestion window " + l));
        assertTrue(l.pacingNanos() > 0, sim.describe("pacing " + l));
        assertEquals(0, l.receiverWindowNanos(), sim.describe("an 8 MB window never fills " + l));
        assertEquals(0, l.socketNanos(), sim.describe("no socket in the simulator " + l));
        assertSumsToAge(sim, sim.a);
        sim.shutdown();
    }

    @Test
    void aFullSocketCountsOnlyWhileDataIsReady() {
        EngineConfig cfg = Sim.config(1 << 16, 1 << 16, 30 * S, 5 * S);
        Sim sim = new Sim(4, new Sim.Profile(0, 0, 0, 10 * MS, 0), cfg, cfg);
        ReliableConnection a = sim.a.conn;
        a.onSocketBlocked(0);
        sim.now = 100 * MS;
        assertEquals(0, limits(sim, sim.a).socketNanos(), "nothing queued: application-limited, socket or not");
        sim.a.send(new byte[500], true);
        a.onSocketBlocked(sim.now);
        sim.now = 300 * MS;
        assertEquals(200 * MS, limits(sim, sim.a).socketNanos(), sim.describe("data ready, socket full"));
        sim.flush(sim.a); // writable again: the message goes out, nothing is left
        sim.now = 400 * MS;
        RudpStats.LimitedBy l = limits(sim, sim.a);
        assertEquals(200 * MS, l.socketNanos());
        assertEquals(200 * MS, l.applicationNanos());
        assertSumsToAge(sim, sim.a);
        sim.shutdown();
    }

    @Test
    void theAccountsStopWhenTheConnectionCloses() {
        EngineConfig cfg = Sim.config(1 << 16, 1 << 16, 30 * S, 5 * S);
        Sim sim = new Sim(5, new Sim.Profile(0, 0, 0, 10 * MS, 0), cfg, cfg);
        sim.runFor(S);
        long closedAt = sim.now;
        sim.shutdown();
        sim.now += 5 * S;
        assertEquals(closedAt, limits(sim, sim.a).totalNanos());
        assertEquals(closedAt, sim.a.conn.stats().limitedBy().totalNanos());
    }

    @Test
    void statsWithoutAClockUseTheSocketCountersUnknown() {
        EngineConfig cfg = Sim.config(1 << 16, 1 << 16, 30 * S, 5 * S);
        Sim sim = new Sim(6, new Sim.Profile(0, 0, 0, 10 * MS, 0), cfg, cfg);
        RudpStats s = sim.a.conn.stats();
        assertEquals(-1, s.socketReceiveDrops());
        assertEquals(-1, s.socketErrors());
        sim.shutdown();
    }
}
