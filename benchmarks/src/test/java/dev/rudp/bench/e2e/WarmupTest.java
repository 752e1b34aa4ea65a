package dev.rudp.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
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
        long start = System.nanoTime();
        int rounds = new Warmup(2, log).run("x", () -> {
            transfers.incrementAndGet();
            Thread.sleep(100); // stands for a transfer taking time; nothing is waited for
            return "ok";
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(rounds >= 1 && rounds <= 2, "rounds " + rounds);
        assertTrue(seconds >= rounds * Warmup.MIN_ROUND_SECONDS, seconds + " s for " + rounds + " rounds");
        assertTrue(transfers.get() > rounds, "a round repeats its transfer until the minimum passed: " + transfers.get());
        assertEquals(rounds, buf.toString(StandardCharsets.UTF_8).lines().count());
    }

    @Test
    void atLeastOneRound() {
        assertThrows(IllegalArgumentException.class, () -> new Warmup(0, log));
    }
}
