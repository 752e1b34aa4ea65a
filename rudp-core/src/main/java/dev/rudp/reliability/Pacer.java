package dev.rudp.reliability;

/**
 * A token bucket that spaces packets at the congestion controller's pacing rate. The bucket
 * holds at most the larger of the initial burst and what the rate sends in two timer ticks, so a
 * coarse event-loop timer (NIO rounds to milliseconds) never caps throughput below the rate.
 *
 * <p>Once the bucket ran dry the sender waits for a send quantum, not for one packet: what the rate
 * sends in the quantum's time, at most {@link #MAX_QUANTUM_BYTES} (as Linux sizes TSO bursts under
 * pacing). A wake-up of the event loop costs 50-90 us of CPU on a virtualised guest whatever it sends,
 * so waking once per packet at 10 MB/s (every 140 us) cost more than everything else a packet needs.
 * The quantum's time is {@link #QUANTUM_NANOS} on short paths and grows with the round trip
 * ({@link #QUANTUM_RTT_FRACTION} of the smallest one, at most {@link #MAX_QUANTUM_NANOS}): a burst of
 * an eighth of a round trip stays well inside what the path's queue absorbs, and on a 50 ms path at
 * 100 Mbit/s it is ~35 packets per wake-up instead of ~9.
 */
public final class Pacer {
    /** The coarsest timer tick pacing has to live with. */
    public static final long TIMER_TICK_NANOS = 1_000_000;
    /** The pacer sends in steps of at least this much time at its rate once it had to wait. */
    public static final long QUANTUM_NANOS = 1_000_000;
    /** The longest step, whatever the round trip. */
    public static final long MAX_QUANTUM_NANOS = 4_000_000;
    /** The step is this fraction of the smallest round trip, within the two bounds above. */
    public static final int QUANTUM_RTT_FRACTION = 8;
    /** Largest send quantum: one GSO run, one 64 KiB datagram. */
    public static final int MAX_QUANTUM_BYTES = 64 << 10;

    private long minBurstBytes;
    private long rateBytesPerSecond = Long.MAX_VALUE;
    private long maxBurst;
    private long tokens;
    private long lastRefillNanos;
    private long quantumNanos = QUANTUM_NANOS;
    /** The bucket ran dry: nothing goes until a quantum's worth of tokens came back. */
    private boolean waiting;

    public Pacer(long minBurstBytes, long nowNanos) {
        this.minBurstBytes = minBurstBytes;
        this.maxBurst = minBurstBytes;
        this.tokens = minBurstBytes;
        this.lastRefillNanos = nowNanos;
    }

    /** Raises the smallest burst, so that one packet of a size just proven always fits the bucket. */
    public void setMinBurst(long bytes) {
        minBurstBytes = Math.max(minBurstBytes, bytes);
        maxBurst = Math.max(maxBurst, minBurstBytes);
    }

    public void setRate(long bytesPerSecond) {
        rateBytesPerSecond = Math.max(1, bytesPerSecond);
        long perTicks = (long) Math.min(Long.MAX_VALUE / 4, rateBytesPerSecond * (2.0 * TIMER_TICK_NANOS / 1e9));
        // The bucket holds a whole quantum even when the quantum is longer than two ticks.
        maxBurst = Math.max(minBurstBytes, Math.max(perTicks, quantumBytes()));
    }

    /**
     * Sizes the send quantum for a path whose smallest round trip is {@code minRttNanos}; takes effect
     * with the next {@link #setRate}.
     */
    public void setRoundTrip(long minRttNanos) {
        quantumNanos = Math.max(QUANTUM_NANOS, Math.min(MAX_QUANTUM_NANOS, minRttNanos / QUANTUM_RTT_FRACTION));
    }

    public long rate() {
        return rateBytesPerSecond;
    }

    private void refill(long nowNanos) {
        long elapsed = Math.min(nowNanos - lastRefillNanos, 1_000_000_000L);
        if (elapsed <= 0) {
            return;
        }
        long add = (long) (elapsed * (rateBytesPerSecond / 1e9));
        if (add > 0) {
            // add saturates at Long.MAX_VALUE when no rate is set: compare before adding, never overflow
            tokens = add >= maxBurst - tokens ? maxBurst : tokens + add;
            lastRefillNanos = nowNanos;
        }
    }

    /**
     * Nanoseconds to wait before {@code bytes} may go out; 0 when they may go now. After a wait it
     * answers 0 only once a {@link #quantum} (or {@code bytes}, if more) is back.
     */
    public long delayNanos(long nowNanos, int bytes) {
        refill(nowNanos);
        long need = waiting ? Math.max(bytes, quantum()) : bytes;
        if (tokens >= need) {
            waiting = false;
            return 0;
        }
        waiting = true;
        need = Math.max(bytes, quantum());
        long missing = need - tokens;
        return Math.max(1, (long) (missing * 1e9 / rateBytesPerSecond));
    }

    /** What the rate sends in the quantum's time, at most {@link #MAX_QUANTUM_BYTES} and the bucket. */
    long quantum() {
        return Math.min(maxBurst, quantumBytes());
    }

    private long quantumBytes() {
        return (long) Math.min(MAX_QUANTUM_BYTES, rateBytesPerSecond * (quantumNanos / 1e9));
    }

    /** Takes the tokens for a packet just sent. */
    public void onSent(long nowNanos, int bytes) {
        refill(nowNanos);
        tokens -= bytes;
    }
}
