package dev.rudp.fileserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rudp.RudpStats;
import org.junit.jupiter.api.Test;

/** The disconnect line's summary of a connection, and log-line hygiene. */
class ServerLogTest {
    private static RudpStats stats(RudpStats.LimitedBy limitedBy) {
        return new RudpStats(1_600_000, 400_000, 150_000, 1 << 20, 0, 1 << 30, 65_765, 1_073_741_824L + 5000, 14_000,
                240_435, 2, 32_000, 32_664, 0, 0, 0, 1, 1L << 31, 4 << 20, 9, limitedBy, 0, 0, 16_384, 8 << 20, 8 << 20);
    }

    @Test
    void theSummaryNamesWhatMovedAndTheTwoLargestLimits() {
        RudpStats.LimitedBy l = new RudpStats.LimitedBy(100_000_000, 4_000_000_000L, 50_000_000, 0, 750_000_000,
                300_000_000);
        assertEquals("after 5.2 s: sent 1.0 GiB, received 234.8 KiB, rtt 1.6 ms (min 0.2), lost 2 of 65765 packets,"
                + " retransmitted 31.9 KiB; sending limited by cwnd 76%, application 14%", ServerLog.transport(stats(l)));
    }

    @Test
    void aConnectionLimitedByOneThingStillNamesTwo() {
        RudpStats.LimitedBy idle = new RudpStats.LimitedBy(0, 0, 0, 0, 2_000_000_000L, 0);
        assertEquals("after 2.0 s: sent 1.0 GiB, received 234.8 KiB, rtt 1.6 ms (min 0.2), lost 2 of 65765 packets,"
                + " retransmitted 31.9 KiB; sending limited by application 100%, sending 0%",
                ServerLog.transport(stats(idle)));
        RudpStats.LimitedBy none = new RudpStats.LimitedBy(0, 0, 0, 0, 0, 0);
        assertEquals("after 0.0 s: sent 1.0 GiB, received 234.8 KiB, rtt 1.6 ms (min 0.2), lost 2 of 65765 packets,"
                + " retransmitted 31.9 KiB; sending limited by sending 0%, cwnd 0%", ServerLog.transport(stats(none)));
    }

    @Test
    void clientTextCannotForgeLines() {
        assertEquals("a?b", ServerLog.clean("a\nb"));
        assertEquals("x".repeat(512) + "...", ServerLog.clean("x".repeat(600)));
    }
}
