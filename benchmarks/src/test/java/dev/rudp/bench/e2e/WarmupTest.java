package dev.rudp.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarmupTest {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8);

    @Test
    void aFailedTransferEndsTheWarmUpAtOnce() throws Exception {
        AtomicInteger transfers = new AtomicInteger();
        int rounds = new Warmup(5, log).run("x", () -> {
            transfers.incrementAndGet();
            return "failed: refused";
        });
        assertEquals(1, rounds);
        assertEquals(1, transfers.get());
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("round  1") && printed.contains("last: failed: refused"), printed);
    }

    @Test
    void roundsLastAtLeastTheMinimumAndStayWithinTheBound() throws Exception {
        AtomicInteger transfers = new AtomicInteger();
        AtomicLong clock = new AtomicLong();
        // Each transfer takes 100 ms of the given clock; the compilers stay busy, so no round settles.
        AtomicLong jit = new AtomicLong();
        long start = clock.get();
        int rounds = new Warmup(2, log, clock::get, jit::get).run("x", () -> {
            transfers.incrementAndGet();
            clock.addAndGet(100_000_000L);
            jit.addAndGet(50);
            return "ok";
        });
        double seconds = (clock.get() - start) / 1e9;
        assertTrue(rounds >= 1 && rounds <= 2, "rounds " + rounds);
        assertTrue(seconds >= rounds * Warmup.MIN_ROUND_SECONDS, seconds + " s for " + rounds + " rounds");
        assertTrue(transfers.get() > rounds, "a round repeats its transfer until the minimum passed: " + transfers.get());
        assertEquals(rounds, buf.toString(StandardCharsets.UTF_8).lines().count());
    }

    @Test
    void warmingStopsAtTheFirstRoundWithTheCompilersQuiet() throws Exception {
        AtomicLong clock = new AtomicLong();
        AtomicLong jit = new AtomicLong();
        AtomicInteger transfers = new AtomicInteger();
        // 300 ms transfers: the compilers work 100 ms during each of the first six, then stop.
        int rounds = new Warmup(10, log, clock::get, jit::get).run("x", () -> {
            clock.addAndGet(300_000_000L);
            if (transfers.incrementAndGet() <= 6) {
                jit.addAndGet(100);
            }
            return "ok";
        });
        assertEquals(3, rounds, buf.toString(StandardCharsets.UTF_8));
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("round  3") && buf.toString(StandardCharsets.UTF_8)
                .contains("(settled)"));
    }

    @Test
    void atLeastOneRound() {
        assertThrows(IllegalArgumentException.class, () -> new Warmup(0, log));
    }
}
