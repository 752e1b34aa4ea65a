package dev.rudp.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.sim.Impairment.Decision;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The rate limiter, driven by a manual clock. */
class BottleneckTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void overloadedLinkDeliversItsRate() {
        long rate = 1_000_000;
        Impairment engine = new Impairment(ImpairmentProfile.builder().rateLimit(rate, 20_000).build());
        long deliveredBytes = 0;
        // Twice the link rate: 1000-byte packets every 500 microseconds for one simulated second.
        for (long now = 0; now < SECOND; now += 500_000) {
            Decision d = engine.decide(1000, now);
            if (!d.dropped() && now + d.delayNanos(0) <= SECOND) {
                deliveredBytes += 1000;
            }
        }
        assertEquals(rate, deliveredBytes, rate * 0.02);
        ImpairmentStats s = engine.stats();
        assertEquals(2000, s.packets());
        assertEquals(1000, s.rateLimited(), 30, s.toString());
        assertEquals(0, s.dropped());
    }

    @Test
    void linkBelowItsRateDropsNothingAndAddsOnlyTransmissionTime() {
        Impairment engine = new Impairment(ImpairmentProfile.builder().rateLimit(1_000_000, 0).build());
        for (long now = 0; now < SECOND; now += 2 * MS) {
            Decision d = engine.decide(1000, now);
            assertEquals(1, d.copies());
            assertEquals(MS, d.delayNanos(0), "1000 bytes at 1 MB/s take 1 ms");
        }
        assertEquals(0, engine.stats().rateLimited());
    }

    @Test
    void burstOverflowsTheQueue() {
        // 100-byte packets at 1000 B/s take 100 ms each; the queue holds 500 bytes not yet sent.
        Impairment engine = new Impairment(ImpairmentProfile.builder().rateLimit(1000, 500).build());
        for (int i = 0; i < 5; i++) {
            Decision d = engine.decide(100, 0);
            assertFalse(d.dropped(), "packet " + i);
            assertEquals((i + 1) * 100 * MS, d.delayNanos(0), "leaves after the ones before it");
        }
        for (int i = 0; i < 5; i++) {
            assertTrue(engine.decide(100, 0).dropped(), "queue full");
        }
        assertEquals(5, engine.stats().rateLimited());
        assertEquals(0, engine.stats().dropped());
        // Half a second later the link is idle again.
        assertEquals(100 * MS, engine.decide(100, 500 * MS).delayNanos(0));
    }

    @Test
    void anIdleLinkTakesAPacketLargerThanTheQueue() {
        Impairment engine = new Impairment(ImpairmentProfile.builder().rateLimit(1000, 10).build());
        assertEquals(SECOND, engine.decide(1000, 0).delayNanos(0));
        assertTrue(engine.decide(1000, 0).dropped());
    }

    @Test
    void aDuplicateTakesLinkCapacityToo() {
        Impairment engine = new Impairment(ImpairmentProfile.builder().duplicate(1).rateLimit(1000, 1000).build());
        Decision d = engine.decide(100, 0);
        assertEquals(2, d.copies());
        assertEquals(100 * MS, d.delayNanos(0));
        assertEquals(200 * MS, d.delayNanos(1));
    }

    @Test
    void clockNeedNotStartAtZero() {
        Impairment engine = new Impairment(ImpairmentProfile.builder().rateLimit(1000, 0).build());
        assertEquals(100 * MS, engine.decide(100, Long.MIN_VALUE + 1).delayNanos(0));
        assertEquals(100 * MS, engine.decide(100, -5 * SECOND).delayNanos(0));
    }
}
