package dev.rudp.fileserver.shared;

import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpMessage;
import dev.rudp.fileserver.protocol.FrameCodec;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A bare protocol client for a plaintext server on loopback: one request, one reply, by id. */
final class ProtocolClient implements AutoCloseable {
    private final Channel datagram;
    private final RudpChannel channel;
    private final Map<Long, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private ProtocolClient(EventLoopGroup group, InetSocketAddress server) throws Exception {
        datagram = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                .handler(new RudpClientCodecBuilder().build()).bind(0).sync().channel();
        channel = RudpChannel.newBootstrap(datagram).remoteAddress(server).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addLast(new FrameCodec(RudpMessage::unordered), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        try {
                            if (msg instanceof Reply r) {
                                CompletableFuture<Reply> f = pending.remove(r.id());
                                if (f != null) {
                                    f.complete(r);
                                }
                            }
                        } finally {
                            ReferenceCountUtil.release(msg);
                        }
                    }
                });
            }
        }).connect().get(10, TimeUnit.SECONDS);
    }

    static ProtocolClient connect(EventLoopGroup group, InetSocketAddress server) throws Exception {
        return new ProtocolClient(group, server);
    }

    /** Sends a request without waiting. */
    CompletableFuture<Reply> send(Op op, List<String> args, long... nums) {
        long id = ids.incrementAndGet();
        CompletableFuture<Reply> f = new CompletableFuture<>();
        pending.put(id, f);
        channel.writeAndFlush(Request.of(id, op, args, nums));
        return f;
    }

    /** Sends a request and waits (bounded) for its reply. */
    Reply call(Op op, List<String> args, long... nums) throws Exception {
        return send(op, args, nums).get(15, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().await(5, TimeUnit.SECONDS);
        datagram.close().await(5, TimeUnit.SECONDS);
    }
}
