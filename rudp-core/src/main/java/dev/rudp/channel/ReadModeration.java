package dev.rudp.channel;

/**
 * When the datagram channel reads: on every arrival, or, while traffic is dense on a long path, in
 * batches at most every {@link #pauseFor pause} (interrupt moderation, as network cards do it).
 *
 * <p>Why: on a virtualised guest a wake-up of the event loop costs 50-90 us of CPU, whatever it
 * then does. A paced flow through a bottleneck arrives evenly spaced, so a receiver that reads on
 * every arrival wakes every few packets, and a sender wakes for every ACK besides its pacing
 * timer. While the event loop wakes more often than once per pause anyway, reads are switched off
 * and done once per pause: the receiver takes a pause's worth of packets per wake-up (and sends one
 * ACK for them), the sender reads its ACKs when its pacing timer wakes it.
 *
 * <p>The pause is an eighth of the smallest round trip of the connections on the socket, at most
 * {@link #MAX_PAUSE_NANOS} and half the max ack delay (the ACK for a packet read late still goes
 * within the delay this side announced); under {@link #MIN_PAUSE_NANOS} (a LAN, loopback) reads
 * are never paused. A packet may wait in the socket for up to one pause: RTT samples include that
 * wait (it is not reported as ack delay: the arrival time is not known), so a smoothed RTT grows by
 * about half a pause on average, an eighth of a round trip at worst; the smallest samples (BBR's
 * model) come from packets read as they arrived. The pause stays under the max ack delay, so the
 * peer's probe timeout still covers it.
 *
 * <p>Pure: time comes in as {@code nowNanos}; the caller does the reads and keeps the backstop
 * timer. Modes and their transitions:
 * <pre>
 *  ON_ARRIVAL --(event loop woke DENSE_WAKEUPS times within as many pauses)--> PAUSED
 *  PAUSED --(a timer woke the loop half a pause after the last read, or the backstop fired)--> READ_REQUESTED
 *  READ_REQUESTED --(the read found datagrams soon enough)--> PAUSED
 *  READ_REQUESTED --(the read waited a whole pause for a datagram, or the pause became 0)--> ON_ARRIVAL
 * </pre>
 */
final class ReadModeration {
    /** How the channel reads now. */
    enum Mode {
        /** Reads whenever a datagram is there (auto-read on). */
        ON_ARRIVAL,
        /** Reads are off until the next wake-up at least half a pause after the last read, or the backstop. */
        PAUSED,
        /** One read is asked for; it runs as soon as a datagram is there (auto-read off). */
        READ_REQUESTED
    }

    /** Longest pause between reads. */
    static final long MAX_PAUSE_NANOS = 2_000_000;
    /** Shorter pauses than this are not worth it: reads are never paused. */
    static final long MIN_PAUSE_NANOS = 250_000;
    /** The pause is this fraction of the smallest round trip. */
    static final int RTT_FRACTION = 8;
    /** Wake-ups within as many pauses that make traffic dense enough to pause reads. */
    static final int DENSE_WAKEUPS = 4;

    private Mode mode = Mode.ON_ARRIVAL;
    private long pauseNanos;
    /** The latest wake-ups (reads and timers), a ring, to tell dense traffic. */
    private final long[] wakes = new long[DENSE_WAKEUPS];
    private int wakeCount;
    private long lastReadEndNanos;
    private long readRequestedNanos;
    private long backstopNanos;

    /**
     * The pause for a socket whose connections' smallest round trip is {@code smallestMinRttNanos}
     * (0 if one of them has no sample yet), under a max ack delay of {@code maxAckDelayNanos}; 0 for
     * reads on every arrival.
     */
    static long pauseFor(long smallestMinRttNanos, long maxAckDelayNanos) {
        long pause = Math.min(Math.min(MAX_PAUSE_NANOS, maxAckDelayNanos / 2), smallestMinRttNanos / RTT_FRACTION);
        return pause >= MIN_PAUSE_NANOS ? pause : 0;
    }

    Mode mode() {
        return mode;
    }

    long pauseNanos() {
        return pauseNanos;
    }

    /** When the backstop timer should fire while {@link Mode#PAUSED}. */
    long backstopNanos() {
        return backstopNanos;
    }

    /** Sets the pause (see {@link #pauseFor}); 0 returns to reads on arrival at the next read's end. */
    void setPause(long pauseNanos) {
        this.pauseNanos = pauseNanos;
    }

    private void transitionTo(Mode next) {
        boolean allowed;
        switch (mode) {
            case ON_ARRIVAL:
                allowed = next == Mode.PAUSED;
                break;
            case PAUSED:
                allowed = next == Mode.READ_REQUESTED || next == Mode.ON_ARRIVAL;
                break;
            case READ_REQUESTED:
                allowed = next == Mode.PAUSED || next == Mode.ON_ARRIVAL;
                break;
            default:
                allowed = false;
        }
        if (!allowed) {
            throw new IllegalStateException(mode + " -> " + next);
        }
        mode = next;
    }

    /** Whether the last {@link #DENSE_WAKEUPS} wake-ups, {@code nowNanos} included, came within as many pauses. */
    private boolean dense(long nowNanos) {
        int oldest = wakeCount % DENSE_WAKEUPS; // the slot this wake-up overwrites
        boolean dense = wakeCount >= DENSE_WAKEUPS && nowNanos - wakes[oldest] < DENSE_WAKEUPS * pauseNanos;
        wakes[oldest] = nowNanos;
        wakeCount++;
        return dense;
    }

    /**
     * A read (one or more datagrams) ended at {@code nowNanos}; {@code nextTimerNanos} is the earliest
     * timer the connections that took part have armed (Long.MAX_VALUE for none). Returns the new mode;
     * when it is {@link Mode#PAUSED}, reads are off until {@link #backstopNanos} or an earlier wake-up.
     */
    Mode onReadEnd(long nowNanos, long nextTimerNanos) {
        boolean dense = dense(nowNanos);
        switch (mode) {
            case ON_ARRIVAL:
                if (pauseNanos > 0 && dense) {
                    pause(nowNanos, nextTimerNanos);
                }
                break;
            case READ_REQUESTED:
                if (pauseNanos == 0 || nowNanos - readRequestedNanos >= pauseNanos) {
                    // nothing came for a whole pause: the flow is not dense (any more), read as things arrive
                    transitionTo(Mode.ON_ARRIVAL);
                    lastReadEndNanos = nowNanos;
                } else {
                    pause(nowNanos, nextTimerNanos);
                }
                break;
            default:
                // PAUSED: a read asked for before the pause began (in the same turn of the loop)
                lastReadEndNanos = nowNanos;
                break;
        }
        return mode;
    }

    private void pause(long nowNanos, long nextTimerNanos) {
        transitionTo(Mode.PAUSED);
        lastReadEndNanos = nowNanos;
        // Read when a connection's own timer wakes the loop, if that comes about a pause from now:
        // one wake-up then serves both (a paced sender reads its ACKs when it sends its next quantum).
        long earliest = nowNanos + pauseNanos / 2;
        long latest = nowNanos + pauseNanos + pauseNanos / 2;
        backstopNanos = nextTimerNanos >= earliest && nextTimerNanos <= latest ? nextTimerNanos : nowNanos + pauseNanos;
    }

    /**
     * The event loop woke for a connection's timer at {@code nowNanos}. Returns true if a read should be
     * asked for now: the loop is awake anyway, and half a pause has passed since the last read.
     */
    boolean onTimerWake(long nowNanos) {
        dense(nowNanos);
        if (mode == Mode.PAUSED && (nowNanos - lastReadEndNanos >= pauseNanos / 2 || pauseNanos == 0)) {
            requestRead(nowNanos);
            return true;
        }
        return false;
    }

    /**
     * The backstop timer fired at {@code nowNanos}. Returns true if a read should be asked for now;
     * false if it fired early (re-arm it at {@link #backstopNanos}) or is not needed any more.
     */
    boolean onBackstop(long nowNanos) {
        if (mode != Mode.PAUSED) {
            return false;
        }
        if (nowNanos < backstopNanos) {
            return false;
        }
        requestRead(nowNanos);
        return true;
    }

    private void requestRead(long nowNanos) {
        transitionTo(Mode.READ_REQUESTED);
        readRequestedNanos = nowNanos;
    }
}
