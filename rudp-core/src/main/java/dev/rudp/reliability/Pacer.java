package dev.rudp.reliability;

/**
 * A token bucket that spaces packets at the congestion controller's pacing rate. The bucket
 * holds at most the larger of the initial burst and what the rate sends in two timer ticks, so a
 * coarse event-loop timer (NIO rounds to milliseconds) never caps throughput below the rate.
 */
public final class Pacer {
    /** The coarsest timer tick pacing has to live with. */
    public static final long TIMER_TICK_NANOS = 1_000_000;

    private long minBurstBytes;
    private long rateBytesPerSecond = Long.MAX_VALUE;
    private long maxBurst;
    private long tokens;
    private long lastRefillNanos;

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
        maxBurst = Math.max(minBurstBytes, perTicks);
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

    /** Nanoseconds to wait before {@code bytes} may go out; 0 when they may go now. */
    public long delayNanos(long nowNanos, int bytes) {
        refill(nowNanos);
        if (tokens >= bytes) {
            return 0;
        }
        long missing = bytes - tokens;
        return Math.max(1, (long) (missing * 1e9 / rateBytesPerSecond));
    }

    /** Takes the tokens for a packet just sent. */
    public void onSent(long nowNanos, int bytes) {
        refill(nowNanos);
        tokens -= bytes;
    }
}
