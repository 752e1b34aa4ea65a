package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rudp.RudpStats;
import dev.rudp.reliability.SendLimitTracker.Limit;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tracker alone, on a manual clock. */
class SendLimitTrackerTest {

    @Test
    void eachStateGetsTheTimeUntilTheNextChange() {
        long t = 1_000;
        SendLimitTracker tracker = new SendLimitTracker(t);
        long expected = 0;
        for (Limit l : Limit.values()) {
            tracker.enter(l, t);
            long span = 100L * (l.ordinal() + 1);
            t += span;
            tracker.enter(l == Limit.SOCKET ? Limit.SENDING : l, t); // a repeat is no change
            assertEquals(span, tracker.nanos(l, t), l.toString());
            expected += span;
        }
        tracker.enter(Limit.APPLICATION, t);
        for (Limit l : Limit.values()) {
            long span = 100L * (l.ordinal() + 1);
            assertEquals(span, tracker.nanos(l, t), l.toString());
        }
        assertEquals(expected, tracker.snapshot(t).totalNanos());
    }

    @Test
    void startsApplicationLimitedAndCountsTheRunningState() {
        SendLimitTracker tracker = new SendLimitTracker(500);
        assertEquals(Limit.APPLICATION, tracker.current());
        assertEquals(250, tracker.nanos(Limit.APPLICATION, 750));
        assertEquals(0, tracker.nanos(Limit.SENDING, 750));
        // Asking twice adds nothing: the running span is not stored by a read.
        assertEquals(250, tracker.nanos(Limit.APPLICATION, 750));
    }

    @Test
    void repeatedReportsOfTheSameStateDoNotDoubleCount() {
        SendLimitTracker tracker = new SendLimitTracker(0);
        tracker.enter(Limit.CONGESTION_WINDOW, 0);
        for (long t = 10; t <= 1_000; t += 10) {
            tracker.enter(Limit.CONGESTION_WINDOW, t);
        }
        tracker.enter(Limit.PACING, 1_000);
        assertEquals(1_000, tracker.nanos(Limit.CONGESTION_WINDOW, 5_000));
        assertEquals(4_000, tracker.nanos(Limit.PACING, 5_000));
        assertEquals(5_000, tracker.snapshot(5_000).totalNanos());
    }

    @Test
    void partsAlwaysSumToTheElapsedTime() {
        Random random = new Random(42);
        long start = 123_456_789L;
        long t = start;
        SendLimitTracker tracker = new SendLimitTracker(t);
        Limit[] limits = Limit.values();
        for (int i = 0; i < 10_000; i++) {
            t += random.nextInt(1_000); // zero-length states included
            tracker.enter(limits[random.nextInt(limits.length)], t);
            long probe = t + random.nextInt(50);
            assertEquals(probe - start, tracker.snapshot(probe).totalNanos(), "step " + i);
        }
    }

    @Test
    void snapshotNamesEachPart() {
        SendLimitTracker tracker = new SendLimitTracker(Limit.SENDING, 0);
        tracker.enter(Limit.CONGESTION_WINDOW, 1);
        tracker.enter(Limit.PACING, 3);
        tracker.enter(Limit.RECEIVER_WINDOW, 6);
        tracker.enter(Limit.APPLICATION, 10);
        tracker.enter(Limit.SOCKET, 15);
        RudpStats.LimitedBy s = tracker.snapshot(21);
        assertEquals(new RudpStats.LimitedBy(1, 2, 3, 4, 5, 6), s);
        assertEquals(21, s.totalNanos());
    }

    @Test
    void stopFreezesTheAccounts() {
        SendLimitTracker tracker = new SendLimitTracker(0);
        tracker.enter(Limit.SENDING, 100);
        tracker.stop(300);
        tracker.enter(Limit.CONGESTION_WINDOW, 400);
        tracker.stop(500);
        assertEquals(200, tracker.nanos(Limit.SENDING, 10_000));
        assertEquals(0, tracker.nanos(Limit.CONGESTION_WINDOW, 10_000));
        assertEquals(300, tracker.snapshot(10_000).totalNanos());
        assertEquals(500, tracker.latestNanos());
    }

    @Test
    void aClockThatGoesBackAddsNothing() {
        SendLimitTracker tracker = new SendLimitTracker(1_000);
        tracker.enter(Limit.SENDING, 900);
        tracker.enter(Limit.PACING, 1_100);
        assertEquals(0, tracker.nanos(Limit.APPLICATION, 1_100));
        assertEquals(100, tracker.nanos(Limit.SENDING, 1_100));
        assertEquals(100, tracker.snapshot(1_100).totalNanos());
        assertEquals(0, tracker.snapshot(1_050).pacingNanos());
    }
}
