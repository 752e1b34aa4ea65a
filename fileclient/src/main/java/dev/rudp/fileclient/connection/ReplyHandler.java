package dev.rudp.fileclient.connection;

import dev.rudp.RudpChannel;
import dev.rudp.fileserver.protocol.Data;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The inbound end of a {@link FileConnection}'s stream: matches replies to the requests waiting for
 * them, hands data frames to their transfers, and fails every waiter when the session ends (a
 * refusal of the whole session, the connection lost, a protocol error). Consumes and releases every
 * frame.
 */
final class ReplyHandler extends ChannelInboundHandlerAdapter {
    final Map<Long, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    final Map<Long, Consumer<Data>> sinks = new ConcurrentHashMap<>();
    final Map<Long, java.util.concurrent.BlockingQueue<Object>> replyRoutes = new ConcurrentHashMap<>();
    volatile FileConnection conn;
    /** Set when the server refused the whole session (id 0 reply). */
    volatile ClientException sessionError;

    @Override
    public boolean isSharable() {
        return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Data d) {
            Consumer<Data> sink = sinks.get(d.id());
            if (sink == null) {
                d.release();
            } else {
                sink.accept(d);
            }
            return;
        }
        try {
            if (msg instanceof Reply r) {
                if (r.isNotice()) {
                    // notices this client does not know are ignored, as an older client ignores them all
                    FileConnection c = conn;
                    if (r.status() == dev.rudp.fileserver.protocol.Status.MOVE && c != null) {
                        c.serverMoving();
                    }
                    return;
                }
                if (r.id() == 0) {
                    FileConnection c = conn;
                    sessionError = r.status() == dev.rudp.fileserver.protocol.Status.SHUTTING_DOWN && c != null
                            && c.loggedIn() ? new ClientException(ExitCode.CONNECTION_LOST, r.message())
                            : ClientException.of(r);
                    failAll(sessionError);
                    ctx.close();
                    return;
                }
                java.util.concurrent.BlockingQueue<Object> route = replyRoutes.get(r.id());
                if (route != null) {
                    route.add(r);
                    return;
                }
                CompletableFuture<Reply> f = pending.remove(r.id());
                if (f != null) {
                    f.complete(r);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void failAll(ClientException e) {
        for (java.util.concurrent.BlockingQueue<Object> q : replyRoutes.values()) {
            q.add(e);
        }
        for (Long id : pending.keySet()) {
            CompletableFuture<Reply> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(e);
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        FileConnection c = conn;
        if (c != null) {
            c.wakeWriters();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        FileConnection c = conn;
        RudpChannel ch = (RudpChannel) ctx.channel();
        String why = ch.closeCode() == null ? "" : " (" + ch.closeCode() + ")";
        failAll(sessionError != null ? sessionError : new ClientException(ExitCode.CONNECTION_LOST,
                "connection to " + (c == null ? "the server" : c.host()) + " lost" + why));
        if (c != null) {
            c.wakeWriters();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        failAll(new ClientException(ExitCode.PROTOCOL, "protocol error: " + (c instanceof ProtocolException
                ? c.getMessage() : c.toString())));
        ctx.close();
    }
}
