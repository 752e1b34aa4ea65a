package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.Delivery;
import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpStats;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import dev.rudp.testing.Loopback;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Socket buffers follow the windows the connections grew, within what the kernel allows. */
class SocketBuffersTest {
    private static final int MIB = 1 << 20;

    /** What Linux reports for a request of {@code size}: twice the size, capped at the sysctl first. */
    private static long linuxReports(int size, String sysctl) throws Exception {
        Path p = Path.of("/proc/sys/net/core", sysctl);
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux") && Files.isReadable(p),
                "needs Linux and " + p);
        long max = Long.parseLong(Files.readAllLines(p).get(0).trim()); // readString stops short on procfs
        return 2 * Math.min(size, max);
    }

    /** A datagram channel on loopback with nothing in its pipeline. */
    private static Channel bind(EventLoopGroup group) throws InterruptedException {
        return new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                .handler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @Test
    void targetsArePowersOfTwoBetweenFloorAndCeilingAndShrinkOnlyToAQuarter() {
        int floor = SocketBuffers.FLOOR;
        assertEquals(floor, SocketBuffers.target(0, floor));
        assertEquals(floor, SocketBuffers.target(floor - 1, floor));
        assertEquals(2 * floor, SocketBuffers.target(floor + 1, floor), "grows to the next power of two");
        assertEquals(64 * MIB, SocketBuffers.target(40L * MIB, floor));
        assertEquals(SocketBuffers.CEILING, SocketBuffers.target(1L << 40, floor));
        assertEquals(64 * MIB, SocketBuffers.target(20L * MIB, 64 * MIB), "no shrinking for a small dip");
        assertEquals(16 * MIB, SocketBuffers.target(16L * MIB, 64 * MIB), "a quarter of the need is left");
        assertEquals(floor, SocketBuffers.target(0, 64 * MIB));
    }

    @Test
    void aReviewAsksTheKernelForTheSumOfTheWindows() throws Exception {
        long floorReported = linuxReports(SocketBuffers.FLOOR, "rmem_max");
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try {
            Channel ch = bind(group);
            SocketBuffers buffers = ch.eventLoop().submit(() -> new SocketBuffers(ch, true)).get();
            assertEquals(floorReported, (long) ch.config().getOption(ChannelOption.SO_RCVBUF));
            assertEquals(linuxReports(SocketBuffers.FLOOR, "wmem_max"), (long) buffers.sendGranted());
            ch.eventLoop().submit(() -> buffers.review(3L * 10 * MIB, 9L * MIB, 0)).get();
            assertEquals(linuxReports(32 * MIB, "rmem_max"), (long) buffers.receiveGranted());
            assertEquals(linuxReports(16 * MIB, "wmem_max"), (long) buffers.sendGranted());
            ch.eventLoop().submit(() -> buffers.review(0, 0, SocketBuffers.REVIEW_NANOS)).get();
            assertEquals(floorReported, (long) buffers.receiveGranted(), "back to the floor when the windows are gone");
            ch.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** A request the kernel caps is logged once, at INFO for a server, with the sysctl to raise. */
    @Test
    void aCappedRequestIsLoggedOnceWithTheSettingToRaise() throws Exception {
        Assumptions.assumeTrue(linuxReports(64 * MIB, "rmem_max") < 2L * 64 * MIB, "rmem_max is at least 64 MiB here");
        Assumptions.assumeTrue(io.netty.util.internal.logging.InternalLoggerFactory.getDefaultFactory()
                instanceof io.netty.util.internal.logging.JdkLoggerFactory, "Netty logs through java.util.logging");
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(SocketBuffers.class.getName());
        List<String> messages = new CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                messages.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(handler);
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try {
            Channel ch = bind(group);
            SocketBuffers buffers = ch.eventLoop().submit(() -> new SocketBuffers(ch, true)).get();
            // On a stock kernel (rmem_max 208 KiB) the 4 MiB floor is capped already: the one line comes then.
            ch.eventLoop().submit(() -> buffers.review(64L * MIB, 0, 0)).get();
            ch.eventLoop().submit(() -> buffers.review(128L * MIB, 0, SocketBuffers.REVIEW_NANOS)).get();
            List<String> receive = messages.stream().filter(m -> m.contains("receive buffer")).toList();
            assertEquals(1, receive.size(), messages.toString());
            assertTrue(receive.get(0).startsWith("INFO ") && receive.get(0).contains("net.core.rmem_max"), receive.get(0));
            ch.close().sync();
        } finally {
            jul.removeHandler(handler);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** A connection granted 32 MiB of credit gets a receive buffer for it; the stats say what the kernel gave. */
    @Test
    void aConnectionsWindowSizesItsSocket() throws Exception {
        long expected = linuxReports(32 * MIB, "rmem_max");
        long bytes = 4L * MIB;
        DigestReceiver receiver = new DigestReceiver(bytes, false);
        try (Loopback lo = Loopback.start(receiver, b -> b.option(RudpChannelOption.INITIAL_WINDOW, 32L * MIB), b -> { })) {
            BulkSender sender = new BulkSender(bytes, 64 * 1024, 3, Delivery.ORDERED, false);
            RudpChannel ch = lo.connect(sender);
            assertArrayEquals(sender.sent.get(60, TimeUnit.SECONDS), receiver.done.get(60, TimeUnit.SECONDS));
            RudpChannel accepted = receiver.channel();
            RudpStats server = accepted.eventLoop().submit(accepted::stats).get();
            assertEquals(expected, server.socketReceiveBuffer());
            assertEquals(expected, (long) lo.serverChannel.config().getOption(ChannelOption.SO_RCVBUF));
            RudpStats client = ch.eventLoop().submit(ch::stats).get();
            assertEquals((long) lo.clientChannel.config().getOption(ChannelOption.SO_SNDBUF), client.socketSendBuffer());
            ch.close().sync();
        }
    }
}
