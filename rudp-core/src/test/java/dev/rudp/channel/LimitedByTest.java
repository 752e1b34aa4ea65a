package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.Delivery;
import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpStats;
import dev.rudp.testing.Await;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import dev.rudp.testing.Loopback;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** "Limited by" accounting and the socket counters on real loopback sockets. */
@Timeout(60)
class LimitedByTest {

    /** Waits until {@code channel}'s stats satisfy {@code done}, checked on its event loop; fails after ten seconds. */
    private static RudpStats awaitStats(RudpChannel channel, Predicate<RudpStats> done, String what)
            throws InterruptedException {
        return Await.onLoop(channel.eventLoop(), channel::stats, done, 10, what);
    }

    @Test
    void aReceiverThatStopsReadingThenReadsShowsAsReceiverWindowThenApplicationTime() throws Exception {
        long window = 256 * 1024;
        long bytes = 4 * window;
        CompletableFuture<RudpChannel> accepted = new CompletableFuture<>();
        DigestReceiver receiver = new DigestReceiver(bytes, false);
        long start = System.nanoTime();
        try (Loopback lo = Loopback.start(new ChannelInitializer<RudpChannel>() {
            @Override
            protected void initChannel(RudpChannel ch) {
                ch.pipeline().addLast(receiver);
                accepted.complete(ch);
            }
        }, b -> b.option(RudpChannelOption.INITIAL_WINDOW, window).option(RudpChannelOption.MAX_WINDOW, window)
                .option(RudpChannelOption.MAX_MESSAGE_SIZE, 64 * 1024).childOption(ChannelOption.AUTO_READ, false),
                b -> { })) {
            BulkSender sender = new BulkSender(bytes, 1000, 11, Delivery.ORDERED, false);
            RudpChannel client = lo.connect(sender);

            RudpStats stalled = awaitStats(client, s -> s.limitedBy().receiverWindowNanos() > 0,
                    "the sender waits for the receiver's credit");
            assertTrue(stalled.limitedBy().applicationNanos() > 0, "idle before the first write: " + stalled);

            RudpChannel server = accepted.get(10, TimeUnit.SECONDS);
            server.config().setAutoRead(true);
            server.read();
            assertArrayEquals(sender.sent.get(10, TimeUnit.SECONDS), receiver.done.get(10, TimeUnit.SECONDS));
            RudpStats done = awaitStats(client, s -> s.bytesInFlight() == 0
                    && s.limitedBy().applicationNanos() > stalled.limitedBy().applicationNanos(),
                    "everything acknowledged, nothing more to send");
            RudpStats.LimitedBy l = done.limitedBy();
            assertTrue(l.receiverWindowNanos() >= stalled.limitedBy().receiverWindowNanos(), done.toString());
            assertTrue(l.sendingNanos() + l.congestionWindowNanos() + l.pacingNanos() + l.socketNanos() > 0,
                    "after the stall the sender moved data: " + done);
            assertTrue(l.totalNanos() <= System.nanoTime() - start, "no more time than has passed: " + done);
            assertEquals(0, done.socketErrors());
            assertTrue(done.socketReceiveDrops() >= 0 || !Files.isReadable(Path.of("/proc/net/udp")),
                    "a real socket's count is known on Linux: " + done);
            System.out.println("limited by, client of a stalled then draining receiver: " + l);
            client.close().sync();
        }
    }

    @Test
    void aSendTheKernelRefusesIsCountedAsASocketError() throws Exception {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try {
            Channel socket = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .handler(new RudpClientCodecBuilder().build()).bind(new InetSocketAddress(0)).sync().channel();
            RudpCodec codec = socket.pipeline().get(RudpCodec.class);
            assertEquals(0, (long) socket.eventLoop().submit(codec::socketErrors).get());
            // Without SO_BROADCAST the kernel refuses a send to the broadcast address (EACCES).
            RudpChannel.newBootstrap(socket).handler(new ChannelInboundHandlerAdapter())
                    .remoteAddress(new InetSocketAddress("255.255.255.255", 9)).connectTimeoutMillis(1000).connect();
            long errors = Await.onLoop(socket.eventLoop(), codec::socketErrors, n -> n > 0, 10,
                    "the refused INITIAL counted");
            assertTrue(errors > 0, "the refused INITIAL was counted");
            socket.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
