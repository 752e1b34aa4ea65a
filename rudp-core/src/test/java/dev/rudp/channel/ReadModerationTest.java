package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.channel.ReadModeration.Mode;
import org.junit.jupiter.api.Test;

class ReadModerationTest {
    private static final long US = 1_000;
    private static final long MS = 1_000_000;
    private static final long ACK_DELAY = 5 * MS;

    @Test
    void thePauseIsAnEighthOfTheSmallestRoundTripWithinItsBounds() {
        assertEquals(2 * MS, ReadModeration.pauseFor(50 * MS, ACK_DELAY), "at most 2 ms");
        assertEquals(MS, ReadModeration.pauseFor(8 * MS, ACK_DELAY));
        assertEquals(500 * US, ReadModeration.pauseFor(20 * MS, MS), "at most half the max ack delay");
        assertEquals(0, ReadModeration.pauseFor(MS, ACK_DELAY), "a LAN: 125 us is not worth pausing for");
        assertEquals(0, ReadModeration.pauseFor(0, ACK_DELAY), "a connection without an RTT sample");
    }

    /**
     * A socket and an event loop around the policy, in virtual time: datagrams arrive every
     * {@code spacing}; the loop wakes for an arrival while reads are on, for the backstop, and for a
     * connection timer every {@code timerPeriod} (0 for none); a read takes everything the socket holds.
     */
    private static final class Loop {
        final ReadModeration policy = new ReadModeration();
        long wakeUps;
        long reads;
        long datagramsRead;
        long longestWait;
        private long queuedSince = -1;
        private int queued;

        Loop(long pause) {
            policy.setPause(pause);
        }

        void run(long from, long to, long spacing, long timerPeriod) {
            long nextArrival = from;
            long nextTimer = timerPeriod > 0 ? from + timerPeriod / 2 : Long.MAX_VALUE;
            while (true) {
                boolean readsOn = policy.mode() != Mode.PAUSED;
                long backstop = policy.mode() == Mode.PAUSED ? policy.backstopNanos() : Long.MAX_VALUE;
                long t = Math.min(Math.min(nextArrival, nextTimer), backstop);
                if (t >= to) {
                    return;
                }
                if (t == nextArrival) {
                    if (queued == 0) {
                        queuedSince = t;
                    }
                    queued++;
                    nextArrival += spacing;
                    if (readsOn) {
                        wakeUps++;
                        read(t, nextTimer);
                    }
                    continue;
                }
                wakeUps++;
                if (t == nextTimer) {
                    nextTimer += timerPeriod;
                    if (policy.onTimerWake(t) && queued > 0) {
                        read(t, nextTimer);
                    }
                } else if (policy.onBackstop(t) && queued > 0) {
                    read(t, nextTimer);
                }
            }
        }

        private void read(long t, long nextTimer) {
            reads++;
            datagramsRead += queued;
            longestWait = Math.max(longestWait, t - queuedSince);
            queued = 0;
            policy.onReadEnd(t, nextTimer);
        }
    }

    @Test
    void aDenseFlowIsReadOncePerPause() {
        Loop loop = new Loop(2 * MS);
        loop.run(0, 1_000 * MS, 100 * US, 0); // 10,000 packets a second for one second
        assertEquals(Mode.PAUSED, loop.policy.mode());
        // on arrival it would be 10,000 wake-ups; a read per 2 ms is ~500
        assertTrue(loop.wakeUps <= 510, "wake-ups " + loop.wakeUps);
        assertTrue(loop.datagramsRead >= 9_970, "read " + loop.datagramsRead);
        assertTrue(loop.longestWait <= 2 * MS, "a datagram waited " + loop.longestWait);
    }

    @Test
    void sparseTrafficIsReadOnArrival() {
        Loop loop = new Loop(2 * MS);
        loop.run(0, 1_000 * MS, 20 * MS, 0); // one request a round trip
        assertEquals(Mode.ON_ARRIVAL, loop.policy.mode());
        assertEquals(50, loop.reads);
        assertEquals(0, loop.longestWait);
    }

    @Test
    void withoutAPauseReadsAreNeverModerated() {
        Loop loop = new Loop(0);
        loop.run(0, 100 * MS, 100 * US, 0);
        assertEquals(Mode.ON_ARRIVAL, loop.policy.mode());
        assertEquals(1_000, loop.reads);
    }

    @Test
    void aPacedSenderReadsItsAcksWhenItsTimerWakesIt() {
        // ACKs every 2 ms (a moderated receiver), pacing quanta every 2.5 ms: 900 wake-ups a second on
        // arrival; moderated, the ACKs wait for the pacing timer
        Loop loop = new Loop(2 * MS);
        loop.run(0, 1_000 * MS, 2 * MS, 2_500 * US);
        assertTrue(loop.wakeUps <= 420, "wake-ups " + loop.wakeUps);
        assertTrue(loop.longestWait <= 3 * MS, "an ACK waited " + loop.longestWait);
        assertTrue(loop.datagramsRead >= 495, "read " + loop.datagramsRead);
    }

    @Test
    void whenTheFlowStopsReadsGoBackToArrival() {
        Loop loop = new Loop(2 * MS);
        loop.run(0, 100 * MS, 100 * US, 0);
        assertEquals(Mode.PAUSED, loop.policy.mode());
        // nothing arrives for a second: one backstop asks for a read, then the loop sleeps
        long backstop = loop.policy.backstopNanos();
        assertTrue(loop.policy.onBackstop(backstop));
        assertEquals(Mode.READ_REQUESTED, loop.policy.mode());
        assertFalse(loop.policy.onBackstop(backstop + 2 * MS), "no backstop while a read is asked for");
        // a datagram a second later is read as it arrives, and so are the next ones
        loop.policy.onReadEnd(backstop + 1_000 * MS, Long.MAX_VALUE);
        assertEquals(Mode.ON_ARRIVAL, loop.policy.mode());
    }

    @Test
    void aConnectionWithAShortRoundTripEndsModeration() {
        Loop loop = new Loop(2 * MS);
        loop.run(0, 100 * MS, 100 * US, 0);
        assertEquals(Mode.PAUSED, loop.policy.mode());
        loop.policy.setPause(0); // a LAN peer joined
        long b = loop.policy.backstopNanos();
        assertTrue(loop.policy.onBackstop(b));
        loop.policy.onReadEnd(b, Long.MAX_VALUE);
        assertEquals(Mode.ON_ARRIVAL, loop.policy.mode());
    }

    @Test
    void theBackstopRidesOnAConnectionTimerAboutAPauseAway() {
        ReadModeration p = new ReadModeration();
        p.setPause(2 * MS);
        for (int i = 0; i <= ReadModeration.DENSE_WAKEUPS; i++) {
            p.onReadEnd(i * 100 * US, Long.MAX_VALUE);
        }
        assertEquals(Mode.PAUSED, p.mode());
        long now = ReadModeration.DENSE_WAKEUPS * 100 * US;
        assertEquals(now + 2 * MS, p.backstopNanos(), "no timer: a pause from now");
        assertTrue(p.onBackstop(now + 2 * MS));
        p.onReadEnd(now + 2 * MS, now + 4_500 * US);
        assertEquals(now + 4_500 * US, p.backstopNanos(), "the timer 2.5 ms on, within 1.5 pauses");
        assertFalse(p.onBackstop(now + 4 * MS), "early");
        assertTrue(p.onTimerWake(now + 4_500 * US));
        p.onReadEnd(now + 4_500 * US, now + 20 * MS);
        assertEquals(now + 6_500 * US, p.backstopNanos(), "a timer far off does not hold reads back");
        assertFalse(p.onTimerWake(now + 5 * MS), "a timer within half a pause of the last read reads nothing");
    }
}
