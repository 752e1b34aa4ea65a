package dev.rudp.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.sim.Impairment.Decision;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ImpairmentTest {
    private static final int PACKETS = 20_000;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final ImpairmentProfile EVERYTHING = ImpairmentProfile.builder().loss(0.2).duplicate(0.1)
            .reorder(0.1, 50).delay(10).jitter(5).corrupt(0.05).rateLimit(1_000_000, 50_000).seed(42).build();

    /** Decisions for packets of varying size offered every 100 microseconds. */
    private static List<Decision> schedule(ImpairmentProfile profile, int packets) {
        Impairment engine = new Impairment(profile);
        List<Decision> out = new ArrayList<>(packets);
        for (int i = 0; i < packets; i++) {
            out.add(engine.decide(1 + i % 1400, i * 100_000L));
        }
        return out;
    }

    @Test
    void sameSeedGivesTheSameSchedule() {
        assertEquals(schedule(EVERYTHING, 5_000), schedule(EVERYTHING, 5_000));
    }

    @Test
    void differentSeedGivesAnotherSchedule() {
        ImpairmentProfile other = EVERYTHING.toBuilder().seed(43).build();
        assertNotEquals(schedule(EVERYTHING, 5_000), schedule(other, 5_000));
    }

    @Test
    void turningOnAnotherImpairmentKeepsTheLossPattern() {
        ImpairmentProfile lossOnly = ImpairmentProfile.builder().loss(0.3).seed(7).build();
        ImpairmentProfile more = lossOnly.toBuilder().jitter(20).duplicate(0.2).corrupt(0.1).build();
        List<Decision> a = schedule(lossOnly, 2_000);
        List<Decision> b = schedule(more, 2_000);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).dropped(), b.get(i).dropped(), "packet " + i + " with " + more);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void observedRatesMatchTheProfile(long seed) {
        assertRate(ImpairmentProfile.builder().loss(0.1).seed(seed).build(), 0.1, Decision::dropped);
        assertRate(ImpairmentProfile.builder().duplicate(0.25).seed(seed).build(), 0.25, d -> d.copies() == 2);
        assertRate(ImpairmentProfile.builder().corrupt(0.05).seed(seed).build(), 0.05, Decision::corrupted);
        assertRate(ImpairmentProfile.builder().reorder(0.3, 40).seed(seed).build(), 0.3,
                d -> d.delayNanos(0) == 40 * MS);
    }

    /** Within five standard deviations of a binomial proportion: a false alarm is practically impossible. */
    private static void assertRate(ImpairmentProfile profile, double rate, Predicate<Decision> hit) {
        long hits = schedule(profile, PACKETS).stream().filter(hit).count();
        double observed = (double) hits / PACKETS;
        double tolerance = 5 * Math.sqrt(rate * (1 - rate) / PACKETS);
        assertEquals(rate, observed, tolerance, profile.toString());
    }

    @Test
    void countersAddUp() {
        Impairment engine = new Impairment(EVERYTHING);
        long copies = 0;
        long corrupted = 0;
        for (int i = 0; i < PACKETS; i++) {
            Decision d = engine.decide(1000, i * 500_000L);
            copies += d.copies();
            corrupted += d.corrupted() ? 1 : 0;
        }
        ImpairmentStats s = engine.stats();
        assertEquals(PACKETS, s.packets());
        assertEquals(copies, s.packets() - s.dropped() + s.duplicated() - s.rateLimited(), s.toString());
        assertTrue(corrupted > 0 && corrupted <= s.corrupted(), "the bottleneck may drop a corrupted packet");
        assertTrue(s.reordered() > 0 && s.rateLimited() > 0, s.toString());
    }

    @Test
    void corruptBitLiesInsideThePayload() {
        Impairment engine = new Impairment(ImpairmentProfile.builder().corrupt(1).seed(5).build());
        int[] seen = new int[8 * 3];
        for (int i = 0; i < 2_000; i++) {
            seen[engine.decide(3, 0).corruptBit()]++;
        }
        for (int bit = 0; bit < seen.length; bit++) {
            assertTrue(seen[bit] > 0, "bit " + bit + " never flipped");
        }
        assertEquals(-1, engine.decide(0, 0).corruptBit(), "an empty payload has no bit to flip");
    }

    @Test
    void delayWithJitterStaysInItsRange() {
        Impairment engine = new Impairment(ImpairmentProfile.builder().delay(20).jitter(5).seed(9).build());
        long sum = 0;
        for (int i = 0; i < PACKETS; i++) {
            long delay = engine.decide(100, i).delayNanos(0);
            assertTrue(delay >= 15 * MS && delay <= 25 * MS, "delay " + delay);
            sum += delay;
        }
        assertEquals(20 * MS, (double) sum / PACKETS, 0.1 * MS);
    }

    @Test
    void jitterNeverMakesADelayNegative() {
        Impairment engine = new Impairment(ImpairmentProfile.builder().delay(1).jitter(10).seed(9).build());
        for (int i = 0; i < 1_000; i++) {
            assertTrue(engine.decide(100, i).delayNanos(0) >= 0);
        }
    }

    @Test
    void noImpairmentPassesEverything() {
        Impairment engine = new Impairment(ImpairmentProfile.NONE);
        for (int i = 0; i < 1_000; i++) {
            assertEquals(Decision.PASS, engine.decide(i, i));
        }
    }
}
