package dev.rudp.fileserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rudp.fileserver.protocol.Data;
import dev.rudp.fileserver.protocol.FrameCodec;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The protocol needs nothing from rudp: over TCP it runs behind a length-field framer. */
@Timeout(30)
class FrameCodecOverTcpTest {
    private static ChannelInitializer<Channel> pipeline(ChannelInboundHandlerAdapter app) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4),
                        new LengthFieldPrepender(4), new FrameCodec(b -> b), app);
            }
        };
    }

    @Test
    void requestsRepliesAndDataCrossATcpConnection() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            ChannelInboundHandlerAdapter server = new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    try {
                        if (msg instanceof Request r) {
                            ctx.write(new Data(r.id(), 1L << 40, Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
                            ctx.writeAndFlush(Reply.ok(r.id(), List.of(r.arg(0, "")), 42));
                        }
                    } finally {
                        ReferenceCountUtil.release(msg);
                    }
                }

                @Override
                public boolean isSharable() {
                    return true;
                }
            };
            Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(pipeline(server)).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(pipeline(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            try {
                                if (msg instanceof Data d) {
                                    got.add("data " + d.id() + " " + d.offset() + " " + d.content().readableBytes());
                                } else if (msg instanceof Reply r) {
                                    got.add("reply " + r.id() + " " + r.lines() + " " + r.num(0, -1));
                                }
                            } finally {
                                ReferenceCountUtil.release(msg);
                            }
                        }
                    })).connect(listener.localAddress()).sync().channel();
            client.writeAndFlush(Request.of(5, Op.STAT, List.of("a.txt")));
            assertEquals("data 5 1099511627776 3", got.poll(10, TimeUnit.SECONDS));
            assertEquals("reply 5 [a.txt] 42", got.poll(10, TimeUnit.SECONDS));
            client.close().sync();
            listener.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
