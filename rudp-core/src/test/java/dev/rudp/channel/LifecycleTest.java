package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.Delivery;
import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpErrorCode;
import dev.rudp.RudpException;
import dev.rudp.RudpServerCodecBuilder;
import dev.rudp.sim.Direction;
import dev.rudp.sim.ImpairmentHandler;
import dev.rudp.sim.ImpairmentProfile;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import dev.rudp.testing.Loopback;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Handshake, close, idle timeout, keepalive and reset, over loopback sockets. */
class LifecycleTest {

    /** Captures the server side's child channel of the first connection. */
    private static final class Accepted extends ChannelInitializer<RudpChannel> {
        final CompletableFuture<RudpChannel> channel = new CompletableFuture<>();
        final DigestReceiver receiver;

        Accepted(long expected) {
            receiver = new DigestReceiver(expected, false);
        }

        @Override
        protected void initChannel(RudpChannel ch) {
            ch.pipeline().addLast(receiver);
            channel.complete(ch);
        }
    }

    private static ChannelHandler noop() {
        return new ChannelInboundHandlerAdapter();
    }

    @Test
    void gracefulCloseDeliversEverythingWrittenBeforeIt() throws Exception {
        long bytes = 3L << 20;
        Accepted accepted = new Accepted(bytes);
        try (Loopback lo = Loopback.start(accepted)) {
            BulkSender sender = new BulkSender(bytes, 1000, 7, Delivery.ORDERED, true);
            RudpChannel client = lo.connect(sender);
            // The sender closes as soon as the last byte is written, long before it is acknowledged.
            assertEquals(bytes, accepted.receiver.closed.get(30, TimeUnit.SECONDS));
            assertArrayEquals(sender.sent.get(), accepted.receiver.done.get());
            RudpChannel server = accepted.channel.get();
            assertEquals(RudpErrorCode.NO_ERROR, server.closeCode());
            assertTrue(client.closeFuture().await(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void peerSeesInactiveWithinIdleTimeoutWhenTheOtherSideDies() throws Exception {
        Accepted accepted = new Accepted(Long.MAX_VALUE);
        try (Loopback lo = Loopback.start(accepted, Loopback::fastTimeouts, b -> { })) {
            RudpChannel client = lo.connect(noop());
            RudpChannel server = accepted.channel.get(10, TimeUnit.SECONDS);
            long start = System.nanoTime();
            // The client's whole endpoint vanishes without a word: its farewell CLOSE is lost too.
            silence(lo.clientChannel);
            lo.clientChannel.close().sync();
            assertTrue(client.closeFuture().await(5, TimeUnit.SECONDS));
            assertTrue(server.closeFuture().await(10, TimeUnit.SECONDS), "server never noticed");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(RudpErrorCode.IDLE_TIMEOUT, server.closeCode());
            assertTrue(millis >= 1_000 && millis < 8_000, "closed after " + millis + " ms");
        }
    }

    @Test
    void closingAServerSocketTellsItsClientsAtOnce() throws Exception {
        Accepted accepted = new Accepted(Long.MAX_VALUE);
        try (Loopback lo = Loopback.start(accepted)) { // default 30 s idle timeout: only a CLOSE can be this quick
            RudpChannel client = lo.connect(noop());
            accepted.channel.get(10, TimeUnit.SECONDS);
            long start = System.nanoTime();
            lo.serverChannel.close().sync();
            assertTrue(client.closeFuture().await(5, TimeUnit.SECONDS), "the client was not told");
            assertEquals(RudpErrorCode.ENDPOINT_CLOSED, client.closeCode());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        }
    }

    @Test
    void keepaliveHoldsAnIdleConnectionOpenPastTheIdleTimeout() throws Exception {
        Accepted accepted = new Accepted(Long.MAX_VALUE);
        try (Loopback lo = Loopback.start(accepted, Loopback::fastTimeouts, b -> { })) {
            RudpChannel client = lo.connect(noop());
            RudpChannel server = accepted.channel.get(10, TimeUnit.SECONDS);
            // Three idle timeouts of silence from the application: pings must keep it alive.
            assertFalse(client.closeFuture().await(4500, TimeUnit.MILLISECONDS));
            assertTrue(server.isActive());
            assertTrue(client.stats().packetsSent() >= 3, "no keepalive pings were sent");
            client.close().sync();
        }
    }

    @Test
    void connectToNothingFailsWithConnectTimeout() throws Exception {
        try (Loopback lo = Loopback.start(noop())) {
            InetSocketAddress nowhere = (InetSocketAddress) lo.clientChannel.localAddress();
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> RudpChannel.newBootstrap(lo.clientChannel).handler(noop()).remoteAddress(nowhere)
                            .connectTimeoutMillis(700).connect().get(10, TimeUnit.SECONDS));
            RudpException cause = assertInstanceOf(RudpException.class, e.getCause());
            assertEquals(RudpErrorCode.CONNECT_TIMEOUT, cause.code());
        }
    }

    @Test
    void restartedServerWithTheSameResetKeyResetsOldConnectionsAtOnce() throws Exception {
        byte[] key = new byte[32];
        key[0] = 42;
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try {
            Channel server1 = bindServer(group, key, 0);
            int port = ((InetSocketAddress) server1.localAddress()).getPort();
            Channel clientSocket = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .handler(new RudpClientCodecBuilder().option(RudpChannelOption.IDLE_TIMEOUT_MILLIS, 60_000L).build())
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            RudpChannel client = RudpChannel.newBootstrap(clientSocket).handler(noop())
                    .remoteAddress(new InetSocketAddress("127.0.0.1", port)).connect().get(10, TimeUnit.SECONDS);
            silence(server1);
            server1.close().sync(); // the server loses every connection's state, and its CLOSEs are lost
            Channel server2 = bindServer(group, key, port);
            client.writeAndFlush(Unpooled.wrappedBuffer(new byte[100]));
            assertTrue(client.closeFuture().await(10, TimeUnit.SECONDS), "client was not reset");
            assertEquals(RudpErrorCode.RESET, client.closeCode());
            server2.close().sync();
            clientSocket.close().sync();
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }

    /** From now on everything {@code channel} sends is lost, as if its host had died. */
    private static void silence(Channel channel) {
        channel.pipeline().addFirst(new ImpairmentHandler(ImpairmentProfile.builder().loss(1.0).build(), Direction.OUTBOUND));
    }

    private static Channel bindServer(EventLoopGroup group, byte[] key, int port) throws InterruptedException {
        return new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                .handler(new RudpServerCodecBuilder().handler(noop()).statelessResetKey(key)
                        .option(RudpChannelOption.IDLE_TIMEOUT_MILLIS, 60_000L).build())
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }
}
