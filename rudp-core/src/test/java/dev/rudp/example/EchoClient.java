package dev.rudp.example;

import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpClientCodecBuilder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Sends one line to an echo server and prints the answer. Usage: EchoClient [host] [port] [text]. */
public final class EchoClient {
    /** Connects, sends {@code text}, and returns what came back. */
    public static String echo(EventLoopGroup group, InetSocketAddress server, String text) throws Exception {
        Channel socket = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                .handler(new RudpClientCodecBuilder().build())
                .bind(0).sync().channel();
        try {
            CompletableFuture<String> answer = new CompletableFuture<>();
            RudpChannel conn = RudpChannel.newBootstrap(socket)
                    .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                            answer.complete(msg.toString(StandardCharsets.UTF_8));
                        }
                    })
                    .remoteAddress(server)
                    .connect().get(10, TimeUnit.SECONDS);
            conn.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            String result = answer.get(10, TimeUnit.SECONDS);
            conn.close().sync();
            return result;
        } finally {
            socket.close().sync();
        }
    }

    public static void main(String[] args) throws Exception {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try {
            String host = args.length > 0 ? args[0] : "127.0.0.1";
            int port = args.length > 1 ? Integer.parseInt(args[1]) : 7000;
            System.out.println(echo(group, new InetSocketAddress(host, port), args.length > 2 ? args[2] : "hello"));
        } finally {
            group.shutdownGracefully();
        }
    }
}
