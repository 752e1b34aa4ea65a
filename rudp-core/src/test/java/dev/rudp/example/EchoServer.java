package dev.rudp.example;

import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpServerCodecBuilder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;

/** Echoes every message back on the connection it came from. Usage: EchoServer [port]. */
public final class EchoServer {
    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg); // the message goes back; the outbound path releases it
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** Binds the server; the returned channel is the datagram socket all connections share. */
    public static Channel start(EventLoopGroup group, int port) throws InterruptedException {
        ChannelHandler codec = new RudpServerCodecBuilder()
                .handler(new ChannelInitializer<RudpChannel>() {
                    @Override
                    protected void initChannel(RudpChannel ch) {
                        ch.pipeline().addLast(new Echo());
                    }
                })
                .build();
        return new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass()).handler(codec)
                .bind(new InetSocketAddress(port)).sync().channel();
    }

    public static void main(String[] args) throws InterruptedException {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try {
            Channel server = start(group, args.length > 0 ? Integer.parseInt(args[0]) : 7000);
            System.out.println("echo server on " + server.localAddress());
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
