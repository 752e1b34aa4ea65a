package dev.rudp.sim;

import dev.rudp.sim.Impairment.Decision;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Impairs the {@link DatagramPacket}s passing through a datagram channel's pipeline as an
 * {@link ImpairmentProfile} says: drops, duplicates, delays, reorders, corrupts and rate-limits
 * them. Put it first, beneath any codec:
 * {@code pipeline.addFirst(new ImpairmentHandler(profile, Direction.BOTH))}. Other messages pass
 * through untouched.
 *
 * <p>Each direction has its own {@link Impairment}, seeded from the profile's seed and the
 * direction, so the two are independent and each one's schedule is the same whether the handler
 * impairs one direction or both. Delays run on the channel's executor, so on an
 * {@code EmbeddedChannel} they follow its frozen clock.
 *
 * <p>A delayed write completes its promise at once (datagrams are fire-and-forget, and a lost
 * datagram is not a failed write) and is written and flushed later; a delayed read is fired later,
 * followed by its own {@code channelReadComplete}.
 *
 * <p>Reference counting: this handler takes ownership of every datagram it impairs. It releases the
 * ones it drops, and passes each copy on (the next handler owns it then). Copies still held back
 * when the channel becomes inactive or the handler is removed are released.
 *
 * <p>Not sharable: one instance per channel, added once (Netty refuses to add it again).
 */
public final class ImpairmentHandler extends ChannelDuplexHandler {
    private final Impairment inbound;
    private final Impairment outbound;
    private final Set<Held> held = new HashSet<>();
    /** Set once held copies were released: from then on nothing is held, everything passes. */
    private boolean shutDown;

    /**
     * A handler impairing {@code direction} with {@code profile}.
     *
     * @param profile what to do to the datagrams
     * @param direction which way to impair; the other way passes untouched
     */
    public ImpairmentHandler(ImpairmentProfile profile, Direction direction) {
        inbound = direction.includes(Direction.INBOUND) ? new Impairment(forWay(profile, Direction.INBOUND)) : null;
        outbound = direction.includes(Direction.OUTBOUND) ? new Impairment(forWay(profile, Direction.OUTBOUND)) : null;
    }

    /**
     * The handler for a datagram channel's bootstrap that puts an impairment of what the channel
     * sends first in its pipeline, then {@code handler} (a codec): when each end impairs its own
     * sends, both directions are impaired once.
     */
    public static ChannelHandler impairingSendsOf(ChannelHandler handler, ImpairmentProfile profile) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ImpairmentHandler(profile, Direction.OUTBOUND), handler);
            }
        };
    }

    /** {@code profile} with the seed of one direction: a splitmix64 step, so nearby seeds give unrelated streams. */
    static ImpairmentProfile forWay(ImpairmentProfile profile, Direction way) {
        long z = profile.seed() + (way.ordinal() + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return profile.toBuilder().seed(z ^ (z >>> 31)).build();
    }

    /** Counters of both directions added up. */
    public ImpairmentStats stats() {
        return stats(Direction.BOTH);
    }

    /** Counters of one direction ({@link Direction#BOTH}: added up); zero for a direction not impaired. */
    public ImpairmentStats stats(Direction way) {
        ImpairmentStats in = inbound == null ? ImpairmentStats.ZERO : inbound.stats();
        ImpairmentStats out = outbound == null ? ImpairmentStats.ZERO : outbound.stats();
        switch (way) {
            case INBOUND:
                return in;
            case OUTBOUND:
                return out;
            default:
                return in.plus(out);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (inbound != null && !shutDown && msg instanceof DatagramPacket) {
            impair(ctx, (DatagramPacket) msg, inbound, null);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (outbound != null && !shutDown && msg instanceof SegmentedDatagramPacket) {
            // A GSO run is many datagrams on the wire: each meets the path on its own.
            promise.trySuccess();
            SegmentedDatagramPacket run = (SegmentedDatagramPacket) msg;
            try {
                ByteBuf all = run.content();
                for (int at = all.readerIndex(); at < all.writerIndex(); at += run.segmentSize()) {
                    int len = Math.min(run.segmentSize(), all.writerIndex() - at);
                    impair(ctx, new DatagramPacket(all.retainedSlice(at, len), run.recipient(), run.sender()),
                            outbound, ctx.voidPromise());
                }
            } finally {
                run.release();
            }
        } else if (outbound != null && !shutDown && msg instanceof DatagramPacket) {
            impair(ctx, (DatagramPacket) msg, outbound, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    /** Decides and acts for one datagram; {@code promise} is null for a read. */
    private void impair(ChannelHandlerContext ctx, DatagramPacket packet, Impairment engine, ChannelPromise promise) {
        Decision d = engine.decide(packet.content().readableBytes(), ctx.executor().ticker().nanoTime());
        if (d.equals(Decision.PASS)) {
            if (promise == null) {
                ctx.fireChannelRead(packet);
            } else {
                ctx.write(packet, promise);
            }
            return;
        }
        if (promise != null) {
            promise.trySuccess();
        }
        if (d.dropped()) {
            packet.release();
            return;
        }
        DatagramPacket first = d.corrupted() ? corrupt(packet, d.corruptBit()) : packet;
        // A deep copy, not a duplicate: a receiver may decode (decrypt, unmask) its copy in place.
        DatagramPacket second = d.copies() == 2 ? first.copy() : null;
        emit(ctx, first, d.delayNanos(0), promise == null);
        if (second != null) {
            emit(ctx, second, d.delayNanos(1), promise == null);
        }
    }

    /** A copy of {@code packet} with one bit flipped; releases {@code packet}. */
    private static DatagramPacket corrupt(DatagramPacket packet, int bit) {
        try {
            ByteBuf copy = packet.content().copy();
            int index = copy.readerIndex() + (bit >>> 3);
            copy.setByte(index, copy.getByte(index) ^ (1 << (bit & 7)));
            return packet.replace(copy);
        } finally {
            packet.release();
        }
    }

    private void emit(ChannelHandlerContext ctx, DatagramPacket packet, long delayNanos, boolean read) {
        if (delayNanos == 0) {
            if (read) {
                ctx.fireChannelRead(packet);
            } else {
                ctx.write(packet);
            }
            return;
        }
        Held h = new Held(packet);
        held.add(h);
        try {
            h.timer = ctx.executor().schedule(() -> deliver(ctx, h, read), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down: the datagram is lost with it.
            held.remove(h);
            packet.release();
        }
    }

    private void deliver(ChannelHandlerContext ctx, Held h, boolean read) {
        if (!held.remove(h)) {
            return; // released meanwhile
        }
        if (read) {
            ctx.fireChannelRead(h.packet);
            ctx.fireChannelReadComplete();
        } else {
            ctx.writeAndFlush(h.packet);
        }
    }

    private void releaseHeld() {
        shutDown = true;
        for (Held h : held) {
            if (h.timer != null) {
                h.timer.cancel(false);
            }
            h.packet.release();
        }
        held.clear();
    }

    /** A datagram copy waiting for its delay to pass. Identity equality: each is one pending delivery. */
    private static final class Held {
        final DatagramPacket packet;
        ScheduledFuture<?> timer;

        Held(DatagramPacket packet) {
            this.packet = packet;
        }
    }
}
