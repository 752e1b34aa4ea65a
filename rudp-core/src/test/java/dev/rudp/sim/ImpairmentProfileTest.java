package dev.rudp.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ImpairmentProfileTest {
    @Test
    void defaultsAreNone() {
        ImpairmentProfile p = ImpairmentProfile.builder().build();
        assertEquals(ImpairmentProfile.NONE, p);
        assertEquals(0, p.lossRate());
        assertEquals(0, p.rateBytesPerSecond());
        assertEquals(0, p.seed());
        assertEquals("ImpairmentProfile{seed=0}", p.toString());
    }

    @Test
    void toStringNamesTheSeedAndEveryImpairment() {
        ImpairmentProfile p = ImpairmentProfile.builder().loss(0.1).duplicate(0.02).reorder(0.05, 30).delay(20)
                .jitter(5).corrupt(0.001).rateLimit(125_000, 64_000).seed(42).build();
        assertEquals("ImpairmentProfile{seed=42, loss=0.1, duplicate=0.02, reorder=0.05+30ms, delay=20ms, "
                + "jitter=5ms, corrupt=0.001, rate=125000B/s, queue=64000B}", p.toString());
    }

    @Test
    void toBuilderCopiesEverything() {
        ImpairmentProfile p = ImpairmentProfile.builder().loss(0.1).reorder(0.05, 30).rateLimit(100, 10).seed(3)
                .build();
        assertEquals(p, p.toBuilder().build());
        assertEquals(p.hashCode(), p.toBuilder().build().hashCode());
        assertNotEquals(p, p.toBuilder().seed(4).build());
    }

    @Test
    void rejectsBadArguments() {
        ImpairmentProfile.Builder b = ImpairmentProfile.builder();
        assertMessage("loss rate must be in [0, 1], got 1.5", () -> b.loss(1.5));
        assertMessage("duplicate rate must be in [0, 1], got -0.1", () -> b.duplicate(-0.1));
        assertMessage("corrupt rate must be in [0, 1], got NaN", () -> b.corrupt(Double.NaN));
        assertMessage("reorder rate must be in [0, 1], got 2.0", () -> b.reorder(2, 10));
        assertMessage("reorder delay must be in [0, 3600000] ms, got -1", () -> b.reorder(0.1, -1));
        assertMessage("delay must be in [0, 3600000] ms, got -5", () -> b.delay(-5));
        assertMessage("jitter must be in [0, 3600000] ms, got 3600001", () -> b.jitter(3_600_001));
        assertMessage("rate limit must be in [1, 1000000000000] bytes per second, got 0", () -> b.rateLimit(0, 10));
        assertMessage("queue size must be at least 0 bytes, got -1", () -> b.rateLimit(10, -1));
        assertEquals(ImpairmentProfile.NONE, b.build(), "a rejected setting changes nothing");
    }

    private static void assertMessage(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }
}
