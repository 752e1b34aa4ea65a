package dev.rudp.testing;

import dev.rudp.Delivery;
import dev.rudp.RudpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Sends {@code total} seeded pseudo-random bytes in messages of {@code chunk} bytes as soon as the
 * channel is active, honouring writability (so it never buffers without bound), and keeps the
 * SHA-256 of what it sent. Optionally closes the channel once everything is written. The first
 * message read back is taken as the peer's digest.
 */
public final class BulkSender extends ChannelInboundHandlerAdapter {
    private final long total;
    private final int chunk;
    private final SplittableRandom random;
    private final Delivery delivery;
    private final boolean closeWhenDone;
    private final MessageDigest digest;
    private final byte[] scratch;
    private long written;
    /** Completes with the SHA-256 of everything sent, once written. */
    public final CompletableFuture<byte[]> sent = new CompletableFuture<>();
    /** Completes with the first message the peer sends back. */
    public final CompletableFuture<byte[]> reply = new CompletableFuture<>();

    public BulkSender(long total, int chunk, long seed, Delivery delivery, boolean closeWhenDone) {
        this.total = total;
        this.chunk = chunk;
        this.random = new SplittableRandom(seed);
        this.delivery = delivery;
        this.closeWhenDone = closeWhenDone;
        this.scratch = new byte[chunk];
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        while (written < total && ctx.channel().isWritable()) {
            int n = (int) Math.min(chunk, total - written);
            random.nextBytes(scratch);
            digest.update(scratch, 0, n);
            ByteBuf buf = ctx.alloc().buffer(n).writeBytes(scratch, 0, n);
            ctx.write(delivery == Delivery.ORDERED ? buf : new RudpMessage(buf, delivery));
            written += n;
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        if (written == total && !sent.isDone()) {
            sent.complete(digest.digest());
            if (closeWhenDone) {
                ctx.close();
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            byte[] b = new byte[buf.readableBytes()];
            buf.readBytes(b);
            reply.complete(b);
        } finally {
            buf.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        sent.completeExceptionally(cause);
        reply.completeExceptionally(cause);
    }
}
