package dev.rudp.bench.e2e;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

/**
 * The receiving end of a Netty transfer: counts and checksums every {@code ByteBuf} read, releases it,
 * and stops the meter when {@code total} bytes arrived. Added to one channel only (sharable so that an
 * initializer may add it).
 */
@ChannelHandler.Sharable
final class Sink extends ChannelInboundHandlerAdapter {
    private final long total;
    private final Meter meter;
    private final CRC32C crc = new CRC32C();
    private volatile long received;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Sink(long total, Meter meter) {
        this.total = total;
        this.meter = meter;
    }

    long received() {
        return received;
    }

    /** The checksum so far; read it after {@link #done} completed (or on the channel's loop). */
    synchronized long crc() {
        return crc.getValue();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf b = (ByteBuf) msg;
        try {
            int n = b.readableBytes();
            synchronized (this) {
                for (ByteBuffer nio : b.nioBuffers(b.readerIndex(), n)) {
                    crc.update(nio);
                }
            }
            received += n;
        } finally {
            b.release();
        }
        if (received >= total && !done.isDone()) {
            meter.stop();
            done.complete(null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        done.completeExceptionally(cause);
    }
}
