package dev.rudp.testing;

import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpServerCodecBuilder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A server and client codec on loopback datagram channels (port 0), for tests of this and other
 * modules. Close it to release the sockets and threads.
 */
public final class Loopback implements AutoCloseable {
    public final EventLoopGroup group;
    public final Channel serverChannel;
    public final Channel clientChannel;

    private Loopback(EventLoopGroup group, Channel server, Channel client) {
        this.group = group;
        this.serverChannel = server;
        this.clientChannel = client;
    }

    /** Starts a server whose connections get {@code serverHandler}, and an unconnected client socket. */
    public static Loopback start(ChannelHandler serverHandler, Consumer<RudpServerCodecBuilder> serverConfig,
            Consumer<RudpClientCodecBuilder> clientConfig) throws InterruptedException {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(2);
        RudpServerCodecBuilder sb = new RudpServerCodecBuilder().handler(serverHandler);
        serverConfig.accept(sb);
        RudpClientCodecBuilder cb = new RudpClientCodecBuilder();
        clientConfig.accept(cb);
        Channel server = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                .handler(sb.build()).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        Channel client = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                .handler(cb.build()).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return new Loopback(group, server, client);
    }

    public static Loopback start(ChannelHandler serverHandler) throws InterruptedException {
        return start(serverHandler, b -> { }, b -> { });
    }

    public InetSocketAddress serverAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Opens a connection from the client socket to the server. */
    public RudpChannel connect(ChannelHandler handler) throws Exception {
        return RudpChannel.newBootstrap(clientChannel).handler(handler).remoteAddress(serverAddress())
                .connect().get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        clientChannel.close().sync();
        serverChannel.close().sync();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
    }

    /** Short idle timeouts, for tests of close and timeout behaviour. */
    public static void fastTimeouts(RudpServerCodecBuilder b) {
        b.option(RudpChannelOption.IDLE_TIMEOUT_MILLIS, 1500L).option(RudpChannelOption.INITIAL_RTT_MILLIS, 50L);
    }
}
