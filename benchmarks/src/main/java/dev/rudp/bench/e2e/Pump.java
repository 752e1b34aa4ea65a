package dev.rudp.bench.e2e;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The sending end of a Netty transfer: writes the payload in {@code message}-byte slices whenever the
 * channel is writable, flushing once per burst, until {@code total} bytes are written.
 */
final class Pump extends ChannelInboundHandlerAdapter {
    private final Payload payload;
    private final long total;
    private final int message;
    private long sent;

    Pump(Payload payload, long total, int message) {
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
            ctx.write(payload.slice(sent, n), ctx.voidPromise());
            sent += n;
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
    }
}
