package dev.rudp.reliability;

import dev.rudp.RudpStats;

/**
 * Attributes a connection's lifetime to what limited its sending at each moment, the way Linux
 * TCP's chronographs do ({@code tcpi_busy_time}, {@code tcpi_rwnd_limited}, {@code tcpi_sndbuf_limited}),
 * but with every state exclusive: exactly one {@link Limit} holds at any time, and the totals add up
 * to the time since the tracker started (or until {@link #stop}).
 *
 * <p>The engine reports the limit each time it is asked for a packet; the state holds until the
 * next report. That is exact enough because every event that can lift a limit (an ACK, a MAX_DATA,
 * a pacing timer, an application write, the socket turning writable) makes the caller ask again.
 * A report costs a comparison and, on a change, one subtraction: nothing is allocated.
 *
 * <p>Time is passed in ({@code nowNanos}); a clock that goes backwards adds nothing. Single-threaded.
 */
public final class SendLimitTracker {

    /** What holds the sender back; the engine's order of precedence is in {@link RudpStats.LimitedBy}. */
    public enum Limit {
        /** Not limited by anything the protocol controls: writing packets as fast as the loop runs. */
        SENDING,
        /** Data waits because the congestion window is full. */
        CONGESTION_WINDOW,
        /** Data waits for the pacer. */
        PACING,
        /** Data waits for the peer's flow-control credit (bytes or messages in reassembly). */
        RECEIVER_WINDOW,
        /** Nothing to send: the application has not written more. */
        APPLICATION,
        /** Data waits because the datagram channel takes no more writes (socket or Netty buffer full). */
        SOCKET
    }

    private static final Limit[] LIMITS = Limit.values();

    private final long[] nanos = new long[LIMITS.length];
    private Limit current;
    private long sinceNanos;
    private long latestNanos;
    private boolean stopped;

    /** Starts in {@link Limit#APPLICATION}: a new connection has nothing queued. */
    public SendLimitTracker(long nowNanos) {
        this(Limit.APPLICATION, nowNanos);
    }

    public SendLimitTracker(Limit initial, long nowNanos) {
        this.current = initial;
        this.sinceNanos = nowNanos;
        this.latestNanos = nowNanos;
    }

    /** The limit holding now. */
    public Limit current() {
        return current;
    }

    /** From {@code nowNanos} on, {@code limit} holds; time since the last change goes to the previous one. */
    public void enter(Limit limit, long nowNanos) {
        latestNanos = Math.max(latestNanos, nowNanos);
        if (limit == current || stopped) {
            return;
        }
        accrue(nowNanos);
        current = limit;
    }

    /** The latest time reported, for a snapshot taken without a clock. */
    public long latestNanos() {
        return latestNanos;
    }

    /** Ends the accounting (the connection closed): later time is attributed to nothing. */
    public void stop(long nowNanos) {
        latestNanos = Math.max(latestNanos, nowNanos);
        if (!stopped) {
            accrue(nowNanos);
            stopped = true;
        }
    }

    private void accrue(long nowNanos) {
        long elapsed = nowNanos - sinceNanos;
        if (elapsed > 0) {
            nanos[current.ordinal()] += elapsed;
            sinceNanos = nowNanos;
        }
    }

    /** Nanoseconds attributed to {@code limit} up to {@code nowNanos}, the running state included. */
    public long nanos(Limit limit, long nowNanos) {
        long n = nanos[limit.ordinal()];
        if (limit == current && !stopped && nowNanos > sinceNanos) {
            n += nowNanos - sinceNanos;
        }
        return n;
    }

    /** A snapshot for {@link RudpStats}. */
    public RudpStats.LimitedBy snapshot(long nowNanos) {
        return new RudpStats.LimitedBy(nanos(Limit.SENDING, nowNanos), nanos(Limit.CONGESTION_WINDOW, nowNanos),
                nanos(Limit.PACING, nowNanos), nanos(Limit.RECEIVER_WINDOW, nowNanos),
                nanos(Limit.APPLICATION, nowNanos), nanos(Limit.SOCKET, nowNanos));
    }
}
