package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.CongestionControl;
import dev.rudp.Delivery;
import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpServerCodecBuilder;
import dev.rudp.RudpStats;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Path MTU discovery on real loopback sockets: found, capped, and blind to probe losses. */
class PathMtuDiscoveryTest {
    private static final long BYTES = 16L << 20;

    private final EventLoopGroup group = NativeTransport.newEventLoopGroup(2);

    @AfterEach
    void stop() throws InterruptedException {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
    }

    /** Drops datagrams larger than {@code limit} arriving at a socket, like a link with that MTU. */
    private static final class SmallLink extends ChannelInboundHandlerAdapter {
        final int limit;
        final AtomicLong dropped = new AtomicLong();

        SmallLink(int limit) {
            this.limit = limit;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof DatagramPacket && ((DatagramPacket) msg).content().readableBytes() > limit) {
                dropped.incrementAndGet();
                ((DatagramPacket) msg).release();
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    private Channel bind(ChannelHandler link, ChannelHandler codec) throws InterruptedException {
        return new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (link != null) {
                            ch.pipeline().addLast(link);
                        }
                        ch.pipeline().addLast(codec);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    private record Run(RudpStats client, RudpStats server) {
    }

    /** Sends {@link #BYTES} client to server and returns both sides' statistics at the end. */
    private Run transfer(ChannelHandler serverLink, ChannelHandler clientLink,
            Consumer<RudpClientCodecBuilder> clientConfig) throws Exception {
        return transfer(serverLink, clientLink, b -> { }, clientConfig);
    }

    private Run transfer(ChannelHandler serverLink, ChannelHandler clientLink,
            Consumer<RudpServerCodecBuilder> serverConfig, Consumer<RudpClientCodecBuilder> clientConfig)
            throws Exception {
        DigestReceiver receiver = new DigestReceiver(BYTES, false);
        RudpServerCodecBuilder sb = new RudpServerCodecBuilder().handler(receiver);
        serverConfig.accept(sb);
        RudpClientCodecBuilder cb = new RudpClientCodecBuilder();
        clientConfig.accept(cb);
        Channel server = bind(serverLink, sb.build());
        Channel client = bind(clientLink, cb.build());
        try {
            BulkSender sender = new BulkSender(BYTES, 60_000, 7, Delivery.ORDERED, false);
            RudpChannel ch = RudpChannel.newBootstrap(client).handler(sender)
                    .remoteAddress((InetSocketAddress) server.localAddress()).connect().get(10, TimeUnit.SECONDS);
            byte[] digest = receiver.done.get(60, TimeUnit.SECONDS);
            assertArrayEquals(sender.sent.get(10, TimeUnit.SECONDS), digest, "the bytes arrived intact");
            RudpStats clientStats = ch.eventLoop().submit(ch::stats).get(10, TimeUnit.SECONDS);
            RudpChannel serverSide = receiver.channel();
            RudpStats serverStats = serverSide.eventLoop().submit(serverSide::stats).get(10, TimeUnit.SECONDS);
            ch.close().sync();
            return new Run(clientStats, serverStats);
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }

    @Test
    void loopbackCarriesTheLargestUdpDatagram() throws Exception {
        Run run = transfer(null, null, b -> { });
        assertEquals(65_507, run.client().datagramSize(), "loopback's MTU is 65536");
        assertEquals(1200, run.server().datagramSize(), "the receiver only acknowledges: small packets do, no probe");
        // Zero loss on loopback needs the socket buffer rudp asks for: a kernel that caps it far lower
        // (a stock net.core.rmem_max of 208 KiB holds three 64 KiB datagrams) drops bursts at the socket.
        Assumptions.assumeTrue(rmemMax() >= SocketBuffers.FLOOR, "net.core.rmem_max is below 4 MiB here");
        assertEquals(0, run.client().packetsLost(), "probes are not losses, and loopback loses nothing");
    }

    /** The kernel's cap on socket receive buffers, or Long.MAX_VALUE where it cannot be read. */
    private static long rmemMax() throws java.io.IOException {
        java.nio.file.Path p = java.nio.file.Path.of("/proc/sys/net/core/rmem_max");
        return java.nio.file.Files.isReadable(p)
                ? Long.parseLong(java.nio.file.Files.readAllLines(p).get(0).trim()) : Long.MAX_VALUE;
    }

    @Test
    void theConfiguredMaximumCapsDiscovery() throws Exception {
        Run run = transfer(null, null, b -> b.option(RudpChannelOption.MAX_DATAGRAM_SIZE, 1452));
        assertEquals(1452, run.client().datagramSize());
    }

    @Test
    void thePeersAnnouncedMaximumCapsDiscovery() throws Exception {
        Run run = transfer(null, null, b -> b.option(RudpChannelOption.MAX_DATAGRAM_SIZE, 1452), b -> { });
        assertEquals(1452, run.client().datagramSize(), "the server announced 1452 as the most it accepts");
    }

    @Test
    void aSmallerPathMtuIsFoundAndProbeLossesAreNotCountedAsLoss() throws Exception {
        SmallLink link = new SmallLink(3000);
        // BBR keeps the loopback RTT near its minimum, so the ~30 probes of the search fit the transfer;
        // a loss-based controller fills the socket buffers and stretches each probe's round trip.
        Run run = transfer(link, null, b -> b.option(RudpChannelOption.CONGESTION_CONTROL, CongestionControl.BBR));
        int size = run.client().datagramSize();
        assertTrue(size <= 3000 && size > 3000 - 2 * 32, "settled just below the 3000-byte link: " + size);
        assertTrue(link.dropped.get() >= 3, "probes above the limit were sent and dropped: " + link.dropped.get());
        assertEquals(0, run.client().packetsLost(), "a lost probe is not packet loss");
    }
}
