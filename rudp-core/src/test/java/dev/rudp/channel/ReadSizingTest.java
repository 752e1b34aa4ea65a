package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.Delivery;
import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpServerCodecBuilder;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.dtls.DtlsException;
import dev.rudp.dtls.DtlsHandler;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import dev.rudp.testing.Loopback;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Read slots follow the limits connections announced: batched {@code recvmmsg} reads of small slots
 * while every peer is held to Ethernet-sized datagrams, one large read per datagram while a peer may
 * send 64 KiB, and back again when that peer is gone.
 */
class ReadSizingTest {

    private static int payloadSize(Channel ch) {
        return ch.config().getOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE);
    }

    private static int readGuess(Channel ch) {
        return ch.config().getRecvByteBufAllocator().newHandle().guess();
    }

    private static <T> T on(Channel ch, Callable<T> task) throws Exception {
        return ch.eventLoop().submit(task).get(10, TimeUnit.SECONDS);
    }

    @Test
    void slotsGrowForTheLargestAnnouncedLimitAndShrinkBack() throws Exception {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try {
            Channel ch = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .handler(new ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Assumptions.assumeTrue(ch instanceof EpollDatagramChannel, "needs the epoll transport");
            ReadSizing reads = on(ch, () -> new ReadSizing(ch, 0));
            assertTrue(reads.batching());
            assertEquals(ReadSizing.READS_PER_WAKEUP,
                    ((MaxMessagesRecvByteBufAllocator) ch.config().getRecvByteBufAllocator()).maxMessagesPerRead());
            assertEquals(ReadSizing.FLOOR, payloadSize(ch));
            assertEquals(ReadSizing.FLOOR * ReadSizing.BATCH, readGuess(ch));

            on(ch, () -> {
                reads.add(1472);
                reads.add(65_507);
                reads.add(65_507);
                return null;
            });
            assertFalse(reads.batching());
            assertEquals(0, payloadSize(ch), "one datagram per read");
            assertEquals(65_507, readGuess(ch));

            on(ch, () -> {
                reads.remove(65_507);
                return null;
            });
            assertEquals(65_507, reads.slot(), "one 64 KiB peer is still there");
            on(ch, () -> {
                reads.remove(65_507);
                reads.add(8972);
                return null;
            });
            assertTrue(reads.batching(), "a jumbo frame still reads in batches");
            assertEquals(8972, payloadSize(ch));
            on(ch, () -> {
                reads.remove(8972);
                reads.remove(1472);
                reads.remove(1472); // not there any more: ignored
                return null;
            });
            assertEquals(ReadSizing.FLOOR, reads.slot());

            ReadSizing gro = on(ch, () -> new ReadSizing(ch, Gso.MAX_COALESCED_BYTES));
            on(ch, () -> {
                gro.add(1472);
                return null;
            });
            assertFalse(gro.batching(), "GRO reads coalesced runs, never in slots");
            assertEquals(Gso.MAX_COALESCED_BYTES, readGuess(ch));
            ch.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * Moves {@code bytes} between two ends held to 1452-byte datagrams (plus what {@code server} and
     * {@code client} configure), checks both sockets read in 2 KiB slots, and that path MTU discovery
     * proved {@code packetSize}: a slot too small for a full datagram would have lost every probe.
     */
    private static void transferInSlots(long bytes, Consumer<RudpServerCodecBuilder> server,
            Consumer<RudpClientCodecBuilder> client, int packetSize) throws Exception {
        DigestReceiver receiver = new DigestReceiver(bytes, false);
        try (Loopback lo = Loopback.start(receiver,
                b -> server.accept(b.option(RudpChannelOption.MAX_DATAGRAM_SIZE, 1452)),
                b -> client.accept(b.option(RudpChannelOption.MAX_DATAGRAM_SIZE, 1452)))) {
            Assumptions.assumeTrue(lo.serverChannel instanceof EpollDatagramChannel, "needs the epoll transport");
            BulkSender sender = new BulkSender(bytes, 64 * 1024, 5, Delivery.ORDERED, false);
            RudpChannel ch = lo.connect(sender);
            assertArrayEquals(sender.sent.get(60, TimeUnit.SECONDS), receiver.done.get(60, TimeUnit.SECONDS));
            assertEquals(ReadSizing.FLOOR, on(lo.serverChannel, () -> payloadSize(lo.serverChannel)));
            assertEquals(ReadSizing.FLOOR, on(lo.clientChannel, () -> payloadSize(lo.clientChannel)));
            assertEquals(packetSize, on(ch, () -> ch.stats().datagramSize()).intValue());
            ch.close().sync();
        }
    }

    /** Both ends held to 1452-byte datagrams read in batches; a transfer arrives whole. */
    @Test
    void ethernetSizedPeersAreReadInBatches() throws Exception {
        transferInSlots(8L << 20, b -> { }, b -> { }, 1452);
    }

    /** Under DTLS every record of an Ethernet-sized path fits a 2 KiB slot: the handshake and a transfer pass. */
    @Test
    void dtlsRecordsFitTheSlotsOfAnEthernetSizedPath() throws Exception {
        DtlsConfig.KeyAndCertificate cert = DtlsConfig.selfSigned("read sizing test");
        String fingerprint = DtlsConfig.fingerprint(cert.certificate());
        transferInSlots(4L << 20,
                b -> b.dtls(DtlsConfig.serverCertificate(cert.privateKey(), cert.certificate()).build()),
                b -> b.dtls(DtlsConfig.clientCertificateVerifier((chain, peer) -> {
                    if (!DtlsConfig.fingerprint(chain[0]).equals(fingerprint)) {
                        throw DtlsException.certificateRejected("not the test certificate");
                    }
                }).build()),
                1452 - DtlsHandler.RECORD_OVERHEAD);
    }

    /**
     * A loopback peer may send 64 KiB datagrams: both sockets read them whole while it is connected
     * (path MTU discovery gets there), and go back to batches once the connection is gone.
     */
    @Test
    void aLoopbackPeerGetsWholeReadsUntilItLeaves() throws Exception {
        long bytes = 8L << 20;
        DigestReceiver receiver = new DigestReceiver(bytes, false);
        try (Loopback lo = Loopback.start(receiver, b -> { }, b -> { })) {
            Assumptions.assumeTrue(lo.serverChannel instanceof EpollDatagramChannel, "needs the epoll transport");
            BulkSender sender = new BulkSender(bytes, 64 * 1024, 7, Delivery.ORDERED, false);
            RudpChannel ch = lo.connect(sender);
            assertArrayEquals(sender.sent.get(60, TimeUnit.SECONDS), receiver.done.get(60, TimeUnit.SECONDS));
            assertEquals(0, on(lo.serverChannel, () -> payloadSize(lo.serverChannel)));
            assertEquals(65_507, on(ch, () -> ch.stats().datagramSize()).intValue());
            ch.close().sync();
            // Each side forgets the connection after its closing period, which may end after close() returned.
            awaitNoConnections(lo.serverChannel);
            awaitNoConnections(lo.clientChannel);
            assertEquals(ReadSizing.FLOOR, on(lo.serverChannel, () -> payloadSize(lo.serverChannel)));
            assertEquals(ReadSizing.FLOOR, on(lo.clientChannel, () -> payloadSize(lo.clientChannel)));
        }
    }

    /** Polls the codec's connection count on its loop until it is 0; bounded at 30 s. */
    private static void awaitNoConnections(Channel socket) throws Exception {
        RudpCodec codec = socket.pipeline().get(RudpCodec.class);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (on(socket, codec::connectionCount) > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, on(socket, codec::connectionCount));
    }
}
