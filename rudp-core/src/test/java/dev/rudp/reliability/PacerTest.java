package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacerTest {
    private static final long MS = 1_000_000;
    private static final long S = 1_000_000_000;

    @Test
    void initialBurstGoesAtOnceThenPacketsAreSpaced() {
        Pacer p = new Pacer(14_720, 0);
        p.setRate(1_000_000); // 1 MB/s: 1 byte per microsecond
        assertEquals(1_000_000, p.rate());
        for (int i = 0; i < 12; i++) {
            assertEquals(0, p.delayNanos(0, 1200), "packet " + i);
            p.onSent(0, 1200);
        }
        // 320 tokens left: 880 more bytes take 880 us
        assertEquals(880_000, p.delayNanos(0, 1200));
        assertEquals(440_000, p.delayNanos(440_000, 1200));
        assertEquals(0, p.delayNanos(880_000, 1200));
        p.onSent(880_000, 1200);
        assertEquals(1_200_000, p.delayNanos(880_000, 1200));
        assertEquals(0, p.delayNanos(2_080_000, 1200));
    }

    @Test
    void idleTimeRefillsAtMostTheBurst() {
        Pacer p = new Pacer(14_720, 0);
        p.setRate(1_000_000);
        for (int i = 0; i < 12; i++) {
            p.onSent(0, 1200);
        }
        long t = 10 * S;
        for (int i = 0; i < 12; i++) {
            assertEquals(0, p.delayNanos(t, 1200));
            p.onSent(t, 1200);
        }
        assertTrue(p.delayNanos(t, 1200) > 0, "no more than the burst after a long idle");
    }

    @Test
    void burstCoversTwoTimerTicksAtHighRates() {
        Pacer p = new Pacer(14_720, 0);
        p.setRate(100_000_000); // 100 MB/s: 200 KB per two 1 ms ticks
        long t = S;
        int sent = 0;
        while (p.delayNanos(t, 1200) == 0) {
            p.onSent(t, 1200);
            sent++;
        }
        assertEquals(200_000 / 1200, sent);
        // it waits for a send quantum (64 KiB at this rate), not for one packet
        long d = p.delayNanos(t, 1200);
        assertTrue(d > 12_000 && d <= 656_000, "delay " + d);
        assertEquals(0, p.delayNanos(t + Pacer.TIMER_TICK_NANOS, 1200));
    }

    @Test
    void afterRunningDryItWaitsForAQuantumNotAPacket() {
        Pacer p = new Pacer(14_720, 0);
        p.setRate(12_000_000); // 12 MB/s: 12,000 bytes per 1 ms quantum, a packet every 100 us
        assertEquals(12_000, p.quantum());
        long t = S;
        while (p.delayNanos(t, 1200) == 0) {
            p.onSent(t, 1200);
        }
        // dry: the wake-up is set for a quantum's worth of tokens
        long d = p.delayNanos(t, 1200);
        assertTrue(d > 900_000 && d <= 1_000_000, "delay " + d);
        // a packet's worth later it still waits (an ACK woke the sender early), for the rest of the quantum
        assertEquals(d - 100_000, p.delayNanos(t + 100_000, 1200));
        // at the wake-up a quantum goes out at once, then it waits again
        t += d;
        int burst = 0;
        while (p.delayNanos(t, 1200) == 0) {
            p.onSent(t, 1200);
            burst++;
        }
        assertEquals(10, burst);
    }

    @Test
    void theQuantumGrowsWithTheRoundTripWithinItsBounds() {
        Pacer p = new Pacer(14_720, 0);
        p.setRate(12_000_000); // 12,000 bytes per ms
        assertEquals(12_000, p.quantum(), "no round trip known: 1 ms");
        p.setRoundTrip(4 * MS);
        p.setRate(12_000_000);
        assertEquals(12_000, p.quantum(), "an eighth of 4 ms is below the 1 ms floor");
        p.setRoundTrip(20 * MS);
        p.setRate(12_000_000);
        assertEquals(30_000, p.quantum(), "an eighth of 20 ms");
        p.setRoundTrip(200 * MS);
        p.setRate(12_000_000);
        assertEquals(48_000, p.quantum(), "at most 4 ms");
        p.setRate(100_000_000);
        assertEquals(Pacer.MAX_QUANTUM_BYTES, p.quantum(), "at most 64 KiB");
    }

    @Test
    void onALongPathTheSenderWakesOncePerLongerQuantum() {
        Pacer p = new Pacer(14_720, 0);
        p.setRoundTrip(20 * MS);
        p.setRate(12_000_000); // a packet of 1200 bytes every 100 us
        long t = S;
        while (p.delayNanos(t, 1200) == 0) {
            p.onSent(t, 1200);
        }
        long d = p.delayNanos(t, 1200);
        assertTrue(d > 2_400_000 && d <= 2_500_000, "delay " + d);
        t += d;
        int burst = 0;
        while (p.delayNanos(t, 1200) == 0) {
            p.onSent(t, 1200);
            burst++;
        }
        assertEquals(25, burst);
    }

    @Test
    void averageRateMatchesTheSetRate() {
        Pacer p = new Pacer(12_000, 0);
        p.setRate(2_400_000); // 2000 packets of 1200 bytes per second
        long t = 0;
        int sent = 0;
        while (t < S) {
            long d = p.delayNanos(t, 1200);
            if (d == 0) {
                p.onSent(t, 1200);
                sent++;
            } else {
                t += d;
            }
        }
        assertTrue(sent >= 2000 && sent <= 2000 + 10 + 1, "sent " + sent);
    }

    @Test
    void withoutARateNothingIsEverDelayed() {
        Pacer p = new Pacer(14_720, 0);
        long t = 0;
        for (int i = 0; i < 100; i++) {
            assertEquals(0, p.delayNanos(t, 1200), "at " + t);
            p.onSent(t, 1200);
            t += i % 10 == 0 ? 5 * S : MS;
        }
    }

    @Test
    void aTinyRateStillMakesProgress() {
        Pacer p = new Pacer(1200, 0);
        p.setRate(1); // 1 byte per second
        p.onSent(0, 1200);
        long d = p.delayNanos(0, 1200);
        assertEquals(1200 * S, d);
        // refill is capped at one second per call but adds up over calls
        long t = 0;
        for (int i = 0; i < 1200; i++) {
            t += S;
            p.delayNanos(t, 1200);
        }
        assertEquals(0, p.delayNanos(t, 1200));
    }
}
