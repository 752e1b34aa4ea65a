package dev.rudp.channel;

import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The Netty side of {@link ReadModeration}: turns the datagram channel's auto-read off and on, asks
 * for single reads, and keeps the one backstop timer. Only where reads take many datagrams per
 * system call (epoll, Ethernet-sized slots): with auto-read off Netty makes one {@code recvmmsg} per
 * read asked for, so moderated reads take {@link ReadSizing#MODERATED_BATCH} datagrams each, and a
 * read that filled its batch is followed at once by another. Event loop only.
 */
final class ModeratedReads {
    /** Reads chained after full batches, at most (the socket holds a bounded amount). */
    private static final int MAX_CHAINED_READS = 8;
    /** How often the pause follows the connections' round trips when nothing else changed. */
    private static final long REVIEW_NANOS = 100_000_000;

    private final ChannelHandlerContext ctx;
    private final ReadSizing reads;
    private final LongSupplier smallestMinRtt;
    private final long maxAckDelayNanos;
    private final ReadModeration policy = new ReadModeration();
    private ScheduledFuture<?> backstop;
    private long backstopDeadlineNanos;
    private int datagrams;
    private int chained;
    private boolean stale = true;
    private long moderatedReads;
    private long reviewedNanos;

    /**
     * @param smallestMinRtt the smallest min RTT of the established connections, 0 if one has no sample
     *        yet (called on the event loop, now and then)
     */
    ModeratedReads(ChannelHandlerContext ctx, ReadSizing reads, LongSupplier smallestMinRtt, long maxAckDelayNanos) {
        this.ctx = ctx;
        this.reads = reads;
        this.smallestMinRtt = smallestMinRtt;
        this.maxAckDelayNanos = maxAckDelayNanos;
    }

    ReadModeration.Mode mode() {
        return policy.mode();
    }

    /** Reads asked for while reads were paused, since the channel opened. */
    long moderatedReads() {
        return moderatedReads;
    }

    /** The set of connections changed: the pause is worked out again at the next read's end. */
    void onConnectionsChanged() {
        stale = true;
    }

    /** A datagram was read. */
    void onDatagram() {
        datagrams++;
    }

    /**
     * The caller's read batch ended at {@code nowNanos} (its ACKs and data went out); the earliest timer
     * of the connections that took part is {@code nextTimerNanos}.
     */
    void onReadComplete(long nowNanos, long nextTimerNanos) {
        int n = datagrams;
        datagrams = 0;
        if (n == 0) {
            if (policy.mode() == ReadModeration.Mode.READ_REQUESTED) {
                // The read asked for was used up, but no datagram reached the codec (a handler before it
                // held or dropped them, DTLS took only handshake records, an error): it is still wanted.
                // Without this, auto-read off and no backstop armed, the socket was never read again.
                ctx.read();
            }
            return;
        }
        if (policy.mode() == ReadModeration.Mode.READ_REQUESTED && n >= reads.batch() && chained < MAX_CHAINED_READS) {
            // The read filled its batch: more is waiting in the socket.
            chained++;
            ctx.read();
            return;
        }
        chained = 0;
        review(nowNanos);
        ReadModeration.Mode before = policy.mode();
        ReadModeration.Mode after = policy.onReadEnd(nowNanos, nextTimerNanos);
        if (after == ReadModeration.Mode.PAUSED) {
            if (before == ReadModeration.Mode.ON_ARRIVAL) {
                reads.setModerated(true);
                ctx.channel().config().setAutoRead(false);
            }
            armBackstop(nowNanos);
        } else if (after == ReadModeration.Mode.ON_ARRIVAL && before != ReadModeration.Mode.ON_ARRIVAL) {
            cancelBackstop();
            reads.setModerated(false);
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** The event loop woke for a connection's timer. */
    void onTimerWake(long nowNanos) {
        if (policy.onTimerWake(nowNanos)) {
            cancelBackstop();
            moderatedReads++;
            ctx.read();
        }
    }

    /** The channel is going away: no timer may outlive it. */
    void stop() {
        cancelBackstop();
    }

    private void review(long nowNanos) {
        if (stale || nowNanos - reviewedNanos >= REVIEW_NANOS) {
            stale = false;
            reviewedNanos = nowNanos;
            policy.setPause(reads.batching() ? ReadModeration.pauseFor(smallestMinRtt.getAsLong(), maxAckDelayNanos) : 0);
        }
    }

    private void armBackstop(long nowNanos) {
        long deadline = policy.backstopNanos();
        if (backstop != null) {
            if (backstopDeadlineNanos == deadline) {
                return;
            }
            backstop.cancel(false);
        }
        backstopDeadlineNanos = deadline;
        backstop = ctx.executor().schedule(this::onBackstop, Math.max(0, deadline - nowNanos), TimeUnit.NANOSECONDS);
    }

    private void cancelBackstop() {
        if (backstop != null) {
            backstop.cancel(false);
            backstop = null;
        }
    }

    private void onBackstop() {
        backstop = null;
        long now = ctx.executor().ticker().nanoTime();
        if (policy.onBackstop(now)) {
            moderatedReads++;
            ctx.read();
        } else if (policy.mode() == ReadModeration.Mode.PAUSED) {
            armBackstop(now); // fired early
        }
    }
}
