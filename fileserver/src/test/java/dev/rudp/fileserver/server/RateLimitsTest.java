package dev.rudp.fileserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Rate parsing and the pacer behind the shapers, on a manual clock. */
class RateLimitsTest {
    @Test
    void parsesRatesWithSuffixes() {
        assertEquals(0, RateLimits.parseRate("0"));
        assertEquals(1500, RateLimits.parseRate("1500"));
        assertEquals(20L << 20, RateLimits.parseRate("20m"));
        assertEquals(64L << 10, RateLimits.parseRate("64K"));
        assertEquals(2L << 30, RateLimits.parseRate("2g"));
        for (String bad : new String[] {"", "m", "-1", "1.5m", "20mb", "ten", "99999999999999g"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RateLimits.parseRate(bad));
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void describesLimits() {
        assertEquals("per account 20 MiB/s, total none", new RateLimits(20L << 20, 0, null).describe());
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            RateLimits l = new RateLimits(0, 3L << 29, timer);
            assertEquals("per account none, total 1.5 GiB/s", l.describe());
            l.release();
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void pacerSpacesMessagesAtTheRateAndNeverShortensAWait() {
        RateLimits.Pacer p = new RateLimits.Pacer();
        long rate = 1L << 20;
        long now = 1_000_000_000_000L;
        // a backlog queued at one instant: waits grow by size/rate each (128 KiB at 1 MiB/s: 125 ms),
        // less the idle credit the first one finds
        long credit = RateLimits.Pacer.CREDIT_NANOS / 1_000_000;
        long previous = -1;
        for (int i = 1; i <= 16; i++) {
            long w = p.waitMillis(128 << 10, rate, now);
            assertEquals(Math.max(0, 125 * i - credit), w, "message " + i);
            assertTrue(w > previous || w == 0);
            previous = w;
        }
        // 16 x 128 KiB = 2 MiB: the link is busy for 2 s minus the credit
        assertEquals(0, new RateLimits.Pacer().waitMillis(1000, 0, now), "no limit, no wait");
    }

    @Test
    void anIdleLinkBanksOnlyItsCredit() {
        RateLimits.Pacer p = new RateLimits.Pacer();
        long now = 5_000_000_000L;
        p.waitMillis(1 << 20, 1 << 20, now); // one second of link time
        long later = now + 60_000_000_000L; // a minute of silence
        long credit = RateLimits.Pacer.CREDIT_NANOS / 1_000_000;
        assertEquals(1000 - credit, p.waitMillis(1 << 20, 1 << 20, later), "no minute's worth of burst");
    }

    @Test
    void queueAndWaitBoundsFollowTheRate() {
        assertEquals(64 << 10, RateLimits.queueBytes(1 << 10));
        assertEquals(4 << 20, RateLimits.queueBytes(1L << 30));
        assertEquals(2_000, RateLimits.maxWaitMillis(1L << 30));
        assertEquals(600_000, RateLimits.maxWaitMillis(1));
    }
}
