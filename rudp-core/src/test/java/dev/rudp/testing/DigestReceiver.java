package dev.rudp.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;

/**
 * Hashes every byte received. With ordered delivery the hash equals the sender's; once
 * {@code expected} bytes have arrived it completes {@link #done} and, if asked, writes the digest
 * back to the sender. {@link #closed} completes when the channel goes inactive.
 */
public final class DigestReceiver extends ChannelInboundHandlerAdapter {
    private final long expected;
    private final boolean replyDigest;
    private final MessageDigest digest;
    private long received;
    private long messages;
    public final CompletableFuture<byte[]> done = new CompletableFuture<>();
    public final CompletableFuture<Long> closed = new CompletableFuture<>();

    public DigestReceiver(long expected, boolean replyDigest) {
        this.expected = expected;
        this.replyDigest = replyDigest;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private volatile dev.rudp.RudpChannel channel;

    /** The connection this handler reads, once added to its pipeline. */
    public dev.rudp.RudpChannel channel() {
        return channel;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = (dev.rudp.RudpChannel) ctx.channel();
    }

    public long received() {
        return received;
    }

    public long messages() {
        return messages;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            received += buf.readableBytes();
            messages++;
            digest.update(buf.nioBuffer());
        } finally {
            buf.release();
        }
        if (received >= expected && !done.isDone()) {
            byte[] d = digest.digest();
            done.complete(d);
            if (replyDigest) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(d));
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed.complete(received);
        ctx.fireChannelInactive();
    }
}
