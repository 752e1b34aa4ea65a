package dev.rudp.bench.e2e;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The sending end of a Netty transfer: writes the payload in {@code message}-byte slices whenever the
 * channel is writable, flushing once per burst, until {@code total} bytes are written. Used by every
 * runner (e2e, netns, idle) so they all send the same way.
 */
public final class Pump extends ChannelInboundHandlerAdapter {
    private final Payload payload;
    private final long total;
    private final int message;
    private long sent;

    public Pump(Payload payload, long total, int message) {
        if (Payload.BLOCK % message != 0) {
            throw new IllegalArgumentException("message size must divide " + Payload.BLOCK + ": " + message);
        }
        this.payload = payload;
        this.total = total;
        this.message = message;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        pump(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        pump(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    private void pump(ChannelHandlerContext ctx) {
        boolean wrote = false;
        while (sent < total && ctx.channel().isWritable()) {
            int n = (int) Math.min(message, total - sent);
            ByteBuf slice = payload.slice(sent, n);
            // Count before writing: a write can fire channelWritabilityChanged and re-enter pump().
            sent += n;
            ctx.write(slice, ctx.voidPromise());
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
    }
}
