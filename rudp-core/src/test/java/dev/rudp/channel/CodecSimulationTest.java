package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.Delivery;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpErrorCode;
import dev.rudp.RudpException;
import dev.rudp.RudpMessage;
import dev.rudp.RudpServerCodecBuilder;
import dev.rudp.sim.ImpairmentProfile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The whole stack in virtual time: handshake, checksums, loss recovery, reassembly, graceful
 * close, through 0-30% loss with reordering, duplication and corruption. Seeded, so a failure
 * names the seed and profile that reproduce it.
 */
class CodecSimulationTest {
    private static final long MS = 1_000_000L;

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (long seed : new long[] {1, 2, 3}) {
            for (double loss : new double[] {0, 0.05, 0.1, 0.2, 0.3}) {
                for (Delivery d : Delivery.values()) {
                    cases.add(Arguments.of(seed, loss, d));
                }
            }
        }
        return cases.stream();
    }

    /** Collects every message the server side receives, as byte arrays. */
    private static final class Collector extends ChannelInboundHandlerAdapter {
        final List<byte[]> got = new ArrayList<>();
        RudpChannel channel;
        boolean inactive;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            got.add(bytes);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inactive = true;
        }
    }

    /**
     * The simulator stands for a WAN path: Ethernet-sized datagrams, many packets per message (the
     * channel addresses are loopback ones, whose 64 KiB MTU path discovery would otherwise find).
     */
    private static final int WAN_DATAGRAM = 1452;

    private static RudpServerCodecBuilder server(Collector collector) {
        return new RudpServerCodecBuilder().option(RudpChannelOption.INITIAL_RTT_MILLIS, 50L)
                .option(RudpChannelOption.MAX_DATAGRAM_SIZE, WAN_DATAGRAM)
                .handler(new ChannelInitializer<RudpChannel>() {
                    @Override
                    protected void initChannel(RudpChannel ch) {
                        collector.channel = ch;
                        ch.pipeline().addLast(collector);
                    }
                });
    }

    @ParameterizedTest(name = "seed {0}, loss {1}, {2}")
    @MethodSource("matrix")
    void messagesArriveExactlyOnceIntactAndInOrder(long seed, double loss, Delivery delivery) throws Exception {
        ImpairmentProfile profile = ImpairmentProfile.builder().loss(loss).reorder(0.05, 3).duplicate(0.02)
                .corrupt(0.01).delay(2).jitter(1).seed(seed).build();
        Collector collector = new Collector();
        try (EmbeddedNetwork net = new EmbeddedNetwork(server(collector).build(),
                new RudpClientCodecBuilder().option(RudpChannelOption.INITIAL_RTT_MILLIS, 50L)
                        .option(RudpChannelOption.MAX_DATAGRAM_SIZE, WAN_DATAGRAM).build(), profile)) {
            String what = "seed " + seed + " " + profile + " " + delivery;
            Future<RudpChannel> connect = RudpChannel.newBootstrap(net.client)
                    .handler(new ChannelInboundHandlerAdapter()).remoteAddress(EmbeddedNetwork.SERVER)
                    .connectTimeoutMillis(60_000).connect();
            net.runUntil(connect::isDone, 60_000 * MS, 1_000_000, what + " (connect)");
            RudpChannel client = connect.getNow();
            assertTrue(connect.isSuccess(), what + ": " + connect.cause());

            SplittableRandom random = new SplittableRandom(seed);
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                byte[] m = new byte[random.nextInt(6000)];
                random.nextBytes(m);
                sent.add(m);
                ByteBuf buf = Unpooled.wrappedBuffer(m);
                client.write(delivery == Delivery.ORDERED ? buf : new RudpMessage(buf, delivery));
            }
            client.flush();
            client.close(); // graceful: everything written still arrives
            net.runUntil(() -> collector.inactive && !client.isOpen(), 600_000 * MS, 5_000_000, what);

            if (delivery == Delivery.UNORDERED) {
                Comparator<byte[]> order = java.util.Arrays::compare;
                sent.sort(order);
                collector.got.sort(order);
            }
            assertEquals(sent.size(), collector.got.size(), what + ": message count");
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), collector.got.get(i), what + ": message " + i);
            }
            assertEquals(RudpErrorCode.NO_ERROR, collector.channel.closeCode(), what);
        }
    }

    /**
     * Both codecs announce ACK_FREQUENCY, so the sending side asks the receiving side for fewer ACKs:
     * here each datagram arrives alone (a read burst of one), which without the frame is acknowledged
     * every one or two packets.
     */
    @Test
    void theReceiverIsAskedForFewerAcknowledgements() throws Exception {
        ImpairmentProfile clean = ImpairmentProfile.builder().delay(10).seed(5).build();
        Collector collector = new Collector();
        try (EmbeddedNetwork net = new EmbeddedNetwork(server(collector).build(),
                new RudpClientCodecBuilder().option(RudpChannelOption.MAX_DATAGRAM_SIZE, WAN_DATAGRAM).build(), clean)) {
            Future<RudpChannel> connect = RudpChannel.newBootstrap(net.client)
                    .handler(new ChannelInboundHandlerAdapter()).remoteAddress(EmbeddedNetwork.SERVER).connect();
            net.runUntil(connect::isDone, 10_000 * MS, 100_000, "connect");
            RudpChannel client = connect.getNow();
            int n = 64;
            for (int i = 0; i < n; i++) {
                client.write(Unpooled.wrappedBuffer(new byte[64 * 1024]));
            }
            client.flush();
            net.runUntil(() -> collector.got.size() == n && client.stats().bytesInFlight() == 0, 60_000 * MS, 1_000_000,
                    "4 MiB delivered and acknowledged");
            long data = collector.channel.stats().packetsReceived();
            long acks = collector.channel.stats().packetsSent();
            assertTrue(data > 2800, data + " packets received");
            assertTrue(acks * 8 < data, acks + " packets sent by the receiver for " + data + " received");
            client.close();
        }
    }

    @Test
    void connectTimesOutWhenTheServerNeverAnswers() {
        ImpairmentProfile blackHole = ImpairmentProfile.builder().loss(1.0).seed(9).build();
        try (EmbeddedNetwork net = new EmbeddedNetwork(server(new Collector()).build(),
                new RudpClientCodecBuilder().build(), blackHole)) {
            Future<RudpChannel> connect = RudpChannel.newBootstrap(net.client)
                    .handler(new ChannelInboundHandlerAdapter()).remoteAddress(EmbeddedNetwork.SERVER)
                    .connectTimeoutMillis(3000).connect();
            net.runUntil(connect::isDone, 10_000 * MS, 100_000, "black hole");
            RudpException e = assertInstanceOf(RudpException.class, connect.cause());
            assertEquals(RudpErrorCode.CONNECT_TIMEOUT, e.code());
            assertTrue(net.nowNanos() >= 3000 * MS && net.nowNanos() < 3100 * MS, "at " + net.nowNanos() / MS + " ms");
        }
    }

    @Test
    void bothSidesTimeOutWhenThePathDiesAfterTheHandshake() {
        Collector collector = new Collector();
        ImpairmentProfile clean = ImpairmentProfile.builder().seed(4).build();
        try (EmbeddedNetwork net = new EmbeddedNetwork(
                server(collector).option(RudpChannelOption.IDLE_TIMEOUT_MILLIS, 5000L).build(),
                new RudpClientCodecBuilder().option(RudpChannelOption.IDLE_TIMEOUT_MILLIS, 5000L).build(), clean)) {
            Future<RudpChannel> connect = RudpChannel.newBootstrap(net.client)
                    .handler(new ChannelInboundHandlerAdapter()).remoteAddress(EmbeddedNetwork.SERVER).connect();
            net.runUntil(connect::isDone, 10_000 * MS, 100_000, "connect");
            RudpChannel client = connect.getNow();
            long cut = net.nowNanos();
            net.cutWire();
            net.runUntil(() -> collector.inactive && !client.isOpen(), 60_000 * MS, 100_000, "idle");
            long after = net.nowNanos() - cut;
            assertEquals(RudpErrorCode.IDLE_TIMEOUT, client.closeCode());
            assertEquals(RudpErrorCode.IDLE_TIMEOUT, collector.channel.closeCode());
            assertTrue(after >= 5000 * MS && after <= 5100 * MS, "closed " + after / MS + " ms after the cut");
        }
    }
}
