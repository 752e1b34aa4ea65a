package dev.rudp.fileserver.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Bandwidth limits of a server, in bytes per second of file protocol messages, each way: one for
 * all sessions together ({@code --total-rate}) and one per account, shared by all of that
 * account's sessions ({@code --user-rate}). Both are netty-handler's
 * {@link GlobalTrafficShapingHandler} at the head of each session's child pipeline: the total one
 * from the first packet, the account's one from the login on. Zero means no limit.
 *
 * <p>How the shapers hold back traffic on an rudp child channel: reads over the limit turn the
 * channel's auto-read off for the time the excess needs, so the transport withholds flow-control
 * credit and the sender waits (the same lever as {@link ReadThrottle}, which stops reads when the
 * disk falls behind; whichever turns auto-read back on first, the other turns it off again at the
 * next chunk, so both bounds hold). Writes over the limit wait in the shaper's queue; past a
 * queue of {@link #queueBytes} the shaper clears one of the channel's user-defined writability
 * bits, so a {@link Download}'s pump stops exactly as it does when the transport's window is full,
 * and the queue stays bounded. The two shapers use writability bits of their own (2 per account,
 * 4 total; rudp's window uses 1), so neither releases the other's hold.
 *
 * <p>What is counted: application bytes of whole protocol messages (frame headers included), not
 * the transport's packet headers, acknowledgements or retransmissions.
 */
public final class RateLimits {
    /** The account shapers' writability bit. */
    private static final int USER_BIT = 2;
    /** The total shaper's writability bit. */
    private static final int TOTAL_BIT = 4;
    /** How often the shapers' traffic counters close an accounting interval. */
    private static final long CHECK_INTERVAL_MILLIS = 1_000;
    /** Most bytes a session may have queued for sending: the child channel's high water mark and a pump batch. */
    private static final long MAX_BACKLOG_BYTES = 12L << 20;

    private final long userRate;
    private final long totalRate;
    private final ScheduledExecutorService timer;
    private final Shaper total;
    /** Account shapers with their session counts; guarded by {@code this}. */
    private final Map<String, Shared> users = new HashMap<>();

    private record Shared(Shaper shaper, int sessions) {
    }

    /**
     * Limits in bytes per second (0: none); {@code timer} runs the shapers' accounting and delayed
     * writes (the server's event loop group).
     */
    RateLimits(long userRate, long totalRate, ScheduledExecutorService timer) {
        this.userRate = userRate;
        this.totalRate = totalRate;
        this.timer = timer;
        this.total = totalRate > 0 ? new TotalShaper(timer, totalRate) : null;
    }

    /** Bytes per second per account, 0 for none. */
    public long userRate() {
        return userRate;
    }

    /** Bytes per second for the whole server, 0 for none. */
    public long totalRate() {
        return totalRate;
    }

    /** A new connection: puts the server-wide shaper first in its pipeline (before any login). */
    void onConnect(ChannelPipeline pipeline) {
        if (total != null) {
            pipeline.addFirst("total-rate", total);
        }
    }

    /**
     * A session of {@code account} logged in (on its event loop): puts the account's shaper behind the
     * total one; the shaper goes when the account's last session closes.
     */
    void onLogin(Channel channel, String account) {
        if (userRate <= 0 || !channel.isActive()) {
            return;
        }
        Shaper s;
        synchronized (this) {
            Shared sh = users.get(account);
            s = sh == null ? new UserShaper(timer, userRate) : sh.shaper();
            users.put(account, new Shared(s, sh == null ? 1 : sh.sessions() + 1));
        }
        if (total != null) {
            channel.pipeline().addAfter("total-rate", "user-rate", s);
        } else {
            channel.pipeline().addFirst("user-rate", s);
        }
        channel.closeFuture().addListener(f -> leave(account, s));
    }

    private void leave(String account, Shaper s) {
        boolean last;
        synchronized (this) {
            Shared sh = users.get(account);
            if (sh == null || sh.shaper() != s) {
                return;
            }
            last = sh.sessions() == 1;
            if (last) {
                users.remove(account);
            } else {
                users.put(account, new Shared(s, sh.sessions() - 1));
            }
        }
        if (last) {
            s.release();
        }
    }

    /** Accounts with a shaper now (tests, admin views). */
    synchronized int accountsShaped() {
        return users.size();
    }

    /** Stops the shapers' counters (server shutdown). */
    void release() {
        if (total != null) {
            total.release();
        }
        synchronized (this) {
            users.values().forEach(sh -> sh.shaper().release());
            users.clear();
        }
    }

    /** One line for the server log and for clients: "per account 20 MiB/s, total none". */
    public String describe() {
        return "per account " + show(userRate) + ", total " + show(totalRate);
    }

    private static String show(long rate) {
        if (rate <= 0) {
            return "none";
        }
        String[] units = {"B/s", "KiB/s", "MiB/s", "GiB/s"};
        double v = rate;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }

    /**
     * Parses a rate in bytes per second: digits with an optional k, m or g suffix (powers of 1024,
     * either case), e.g. {@code 20m}; 0 means no limit.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static long parseRate(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                default -> shift = 0;
            }
        }
        String digits = shift > 0 ? t.substring(0, t.length() - 1) : t;
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 12) {
            throw new IllegalArgumentException("not a rate: '" + text
                    + "' (bytes per second, with an optional k, m or g suffix, e.g. 20m)");
        }
        long v = Long.parseLong(digits);
        long bytes = shift > 0 ? v << shift : v;
        if (bytes >>> shift != v || bytes > (1L << 40)) {
            throw new IllegalArgumentException("rate too large: '" + text + "' (at most 1024g)");
        }
        return bytes;
    }

    /**
     * A {@link GlobalTrafficShapingHandler} limiting both directions to one rate, with a write queue
     * of about an eighth of a second at that rate. The writability bit comes from the subclass as a
     * constant: the super constructor asks for it before any field of ours is set.
     */
    @io.netty.channel.ChannelHandler.Sharable
    private abstract static class Shaper extends GlobalTrafficShapingHandler {
        Shaper(ScheduledExecutorService timer, long rate) {
            super(timer, rate, rate, CHECK_INTERVAL_MILLIS, maxWaitMillis(rate));
            setMaxWriteSize(queueBytes(rate));
            trafficCounter.stop();
            trafficCounter = new PacedCounter(this, timer, getClass().getSimpleName(), CHECK_INTERVAL_MILLIS);
            trafficCounter.start();
        }
    }

    /**
     * netty-handler's counter with the waits computed by a {@link Pacer} per direction; the counter
     * still does the accounting (throughput figures, cumulative bytes). Why: the stock estimate adds
     * the previous interval's excess a second time to writes in the first 10 ms of an interval, so
     * when a download's pump has queued a backlog those writes are scheduled seconds late, the ones
     * after them early, and the shaper's first-in-first-out queue lets them all out together: 1.5 to
     * 4 times the limit over a few seconds, as measured here.
     */
    private static final class PacedCounter extends io.netty.handler.traffic.TrafficCounter {
        private final Pacer reads = new Pacer();
        private final Pacer writes = new Pacer();

        PacedCounter(GlobalTrafficShapingHandler shaper, ScheduledExecutorService timer, String name, long interval) {
            super(shaper, timer, name, interval);
        }

        @Override
        public long readTimeToWait(long size, long limit, long maxTime, long now) {
            super.readTimeToWait(size, 0, maxTime, now); // accounting only: no limit, no wait
            return Math.min(maxTime, reads.waitMillis(size, limit, System.nanoTime()));
        }

        @Override
        public long writeTimeToWait(long size, long limit, long maxTime, long now) {
            super.writeTimeToWait(size, 0, maxTime, now);
            return Math.min(maxTime, writes.waitMillis(size, limit, System.nanoTime()));
        }
    }

    /**
     * A virtual-time pacer: each message takes {@code size / rate} of the link's time after the
     * previous one, and its wait is how far that slot's end lies ahead. Waits of successive messages
     * never decrease, so a queue of them drains at the rate. An idle link banks at most
     * {@link #CREDIT_NANOS} of time, so a burst after a pause stays small.
     */
    static final class Pacer {
        static final long CREDIT_NANOS = 200_000_000L;
        private long nextNanos = Long.MIN_VALUE / 2;

        /** Milliseconds the message of {@code size} bytes must wait at {@code rate} bytes/s (0: none). */
        synchronized long waitMillis(long size, long rate, long nowNanos) {
            if (size <= 0 || rate <= 0) {
                return 0;
            }
            long start = Math.max(nextNanos, nowNanos - CREDIT_NANOS);
            nextNanos = start + (long) (size * 1e9 / rate);
            long wait = nextNanos - nowNanos;
            return wait <= 0 ? 0 : (wait + 999_999) / 1_000_000;
        }
    }

    /** The shaper of one account's sessions. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class UserShaper extends Shaper {
        UserShaper(ScheduledExecutorService timer, long rate) {
            super(timer, rate);
        }

        @Override
        protected int userDefinedWritabilityIndex() {
            return USER_BIT;
        }
    }

    /** The shaper of all sessions together. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class TotalShaper extends Shaper {
        TotalShaper(ScheduledExecutorService timer, long rate) {
            super(timer, rate);
        }

        @Override
        protected int userDefinedWritabilityIndex() {
            return TOTAL_BIT;
        }
    }

    /**
     * The longest a shaper may hold a write or the reads: a write waiting longer is sent anyway, so this
     * must cover the whole backlog a session can queue at the rate (a {@link Download}'s pump checks
     * writability from the I/O pool and may queue a batch before the event loop marks the channel
     * unwritable). At least 2 s, at most 10 min.
     */
    static long maxWaitMillis(long rate) {
        return Math.max(2_000, Math.min(600_000, 2_000 * MAX_BACKLOG_BYTES / Math.max(1, rate)));
    }

    /**
     * Bytes a shaper queues per channel before it marks the channel unwritable: an eighth of a
     * second at the rate, within 64 KiB..4 MiB (replies wait behind this much of a download).
     */
    static long queueBytes(long rate) {
        return Math.max(64 << 10, Math.min(4 << 20, rate / 8));
    }
}
