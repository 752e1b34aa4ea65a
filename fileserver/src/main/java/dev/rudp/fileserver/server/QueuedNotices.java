package dev.rudp.fileserver.server;

import dev.rudp.fileserver.protocol.Reply;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The {@link dev.rudp.fileserver.protocol.Status#QUEUED} replies a password login gets while the server
 * holds it (queued for a hashing thread, or being checked by one), so that the client's reply timeout
 * never runs out however long the queue or the check.
 */
final class QueuedNotices {
    /** Bounds of how often a queued password login is told it still waits ({@link #everyMillis}). */
    static final long MIN_MILLIS = 250;
    static final long MAX_MILLIS = 5_000;

    private QueuedNotices() {
    }

    /**
     * How often a queued login is told it still waits: three times per client reply timeout (each
     * notice restarts it, so two may be late or lost on a loaded machine), at most every
     * {@value #MIN_MILLIS} ms, at least every {@value #MAX_MILLIS} ms.
     */
    static long everyMillis(long clientTimeoutMillis) {
        if (clientTimeoutMillis <= 0) {
            return MAX_MILLIS;
        }
        return Math.max(MIN_MILLIS, Math.min(MAX_MILLIS, clientTimeoutMillis / 3));
    }

    /**
     * Tells the client of request {@code id}: at once if {@code ticket} must queue, then every
     * {@code everyMillis} while {@code held} (the login is not answered yet). On the event loop.
     */
    static void start(ChannelHandlerContext ctx, long id, LoginQueue.Ticket ticket, long everyMillis,
            BooleanSupplier held) {
        if (ticket.waits()) {
            ctx.writeAndFlush(Reply.queued(id, ticket.ahead()));
        }
        ctx.executor().schedule(() -> still(ctx, id, ticket, everyMillis, held), everyMillis, TimeUnit.MILLISECONDS);
    }

    private static void still(ChannelHandlerContext ctx, long id, LoginQueue.Ticket ticket, long everyMillis,
            BooleanSupplier held) {
        if (!held.getAsBoolean() || !ctx.channel().isActive()) {
            return; // answered (or the client is gone)
        }
        ctx.writeAndFlush(Reply.queued(id, ticket.ahead()));
        ctx.executor().schedule(() -> still(ctx, id, ticket, everyMillis, held), everyMillis, TimeUnit.MILLISECONDS);
    }
}
