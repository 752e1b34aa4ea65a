package dev.rudp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepeatsTest {
    private record Run(String status, double rate) {
        boolean ok() {
            return status.equals("ok");
        }
    }

    private static Repeats<Run> of(Run... runs) {
        return Repeats.of(List.of(runs), Run::ok, Run::rate);
    }

    @Test
    void reportsTheMedianRunAndTheSpread() {
        Run a = new Run("ok", 591);
        Run b = new Run("ok", 1137);
        Run c = new Run("ok", 819);
        Repeats<Run> r = of(a, b, c);
        assertEquals(c, r.reported());
        assertEquals("591.0-1137.0 (3)", r.spread());
        assertEquals(a, of(b, a).reported(), "an even count reports the lower middle run");
        assertEquals(new Run("ok", 700), of(a, b, c, new Run("ok", 700)).reported());
    }

    @Test
    void aFailureIsReportedRatherThanHiddenByTheMedian() {
        Run failed = new Run("timeout", 12);
        assertEquals(failed, of(new Run("ok", 200), failed, new Run("ok", 250)).reported());
    }

    @Test
    void oneRunHasNoSpread() {
        assertEquals("-", of(new Run("ok", 5)).spread());
        assertThrows(IllegalArgumentException.class, () -> Repeats.of(List.<Run>of(), Run::ok, Run::rate));
    }

    @Test
    void roundRobinInterleavesTheJobsAndPicksEachOnesMedian() throws Exception {
        List<String> order = new ArrayList<>();
        List<Repeats<Run>> picked = Repeats.roundRobin(List.of("a", "b"), 3, (job, round) -> {
            order.add(job + round);
            return new Run("ok", job.equals("a") ? round * 10 : 100 - round);
        }, Run::ok, Run::rate);
        assertEquals(List.of("a1", "b1", "a2", "b2", "a3", "b3"), order);
        assertEquals(20, picked.get(0).reported().rate());
        assertEquals(98, picked.get(1).reported().rate());
        assertEquals("97.0-99.0 (3)", picked.get(1).spread());
    }
}
