package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.Delivery;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpErrorCode;
import dev.rudp.RudpException;
import dev.rudp.RudpStats;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.dtls.DtlsConfig.KeyAndCertificate;
import dev.rudp.dtls.DtlsException;
import dev.rudp.dtls.DtlsHandler;
import dev.rudp.sim.Direction;
import dev.rudp.sim.ImpairmentHandler;
import dev.rudp.sim.ImpairmentProfile;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import dev.rudp.testing.Loopback;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** rudp connections over DTLS: the codec above, the DTLS handler below, on loopback sockets. */
class DtlsConnectionTest {
    private static final KeyAndCertificate SERVER = DtlsConfig.selfSigned("rudp dtls test");

    private static DtlsConfig pinned(String fingerprint) {
        return DtlsConfig.clientCertificateVerifier((chain, peer) -> {
            String got = DtlsConfig.fingerprint(chain[0]);
            if (!got.equals(fingerprint)) {
                throw DtlsException.certificateRejected("server fingerprint " + got + " is not the pinned " + fingerprint);
            }
        }).build();
    }

    private static DtlsConfig server() {
        return DtlsConfig.serverCertificate(SERVER.privateKey(), SERVER.certificate()).build();
    }

    /** Records whether a marker ever crossed the wire in the clear. */
    private static final class Sniffer extends ChannelDuplexHandler {
        final byte[] marker;
        final AtomicBoolean seen = new AtomicBoolean();

        Sniffer(byte[] marker) {
            this.marker = marker;
        }

        private void look(Object msg) {
            if (msg instanceof DatagramPacket) {
                ByteBuf b = ((DatagramPacket) msg).content();
                if (ByteBufUtil.indexOf(io.netty.buffer.Unpooled.wrappedBuffer(marker), b) >= 0) {
                    seen.set(true);
                }
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            look(msg);
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            look(msg);
            ctx.write(msg, promise);
        }
    }

    @Test
    void transferThroughDtlsIsIntactAndNeverInTheClear() throws Exception {
        assertFalse(sniff(true), "the data crossed the wire in plaintext");
    }

    @Test
    void theSnifferDoesSeePlaintextWithoutDtls() throws Exception {
        assertTrue(sniff(false), "the sniffer is blind: the DTLS test above proves nothing");
    }

    /**
     * Sends 1 MiB (hundreds of datagrams, any of which would show the marker), checks it arrived intact,
     * and says whether its first bytes were seen on the wire.
     */
    private static boolean sniff(boolean dtls) throws Exception {
        long bytes = 1L << 20;
        DigestReceiver receiver = new DigestReceiver(bytes, true);
        ChannelInitializer<RudpChannel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(RudpChannel ch) {
                ch.pipeline().addLast(receiver);
            }
        };
        try (Loopback lo = Loopback.start(init, b -> b.dtls(dtls ? server() : null),
                b -> b.dtls(dtls ? pinned(DtlsConfig.fingerprint(SERVER.certificate())) : null))) {
            // The first bytes the sender will send (its data comes from a seeded generator).
            byte[] first = new byte[32 * 1024];
            new java.util.SplittableRandom(11).nextBytes(first);
            Sniffer sniffer = new Sniffer(Arrays.copyOf(first, 16));
            lo.clientChannel.pipeline().addFirst(sniffer);
            BulkSender sender = new BulkSender(bytes, 32 * 1024, 11, Delivery.ORDERED, false);
            RudpChannel client = lo.connect(sender);
            assertArrayEquals(sender.sent.get(60, TimeUnit.SECONDS), sender.reply.get(60, TimeUnit.SECONDS));
            assertArrayEquals(sender.sent.get(), receiver.done.get());
            client.close().sync();
            return sniffer.seen.get();
        }
    }

    @Test
    void onLoopbackAPacketSpansSeveralRecordsOfOneDatagram() throws Exception {
        long bytes = 8L << 20;
        DigestReceiver receiver = new DigestReceiver(bytes, true);
        ChannelInitializer<RudpChannel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(RudpChannel ch) {
                ch.pipeline().addLast(receiver);
            }
        };
        try (Loopback lo = Loopback.start(init, b -> b.dtls(server()),
                b -> b.dtls(pinned(DtlsConfig.fingerprint(SERVER.certificate()))))) {
            BulkSender sender = new BulkSender(bytes, 32 * 1024, 5, Delivery.ORDERED, false);
            RudpChannel client = lo.connect(sender);
            assertArrayEquals(sender.sent.get(60, TimeUnit.SECONDS), sender.reply.get(60, TimeUnit.SECONDS));
            assertArrayEquals(sender.sent.get(), receiver.done.get());
            RudpStats stats = client.eventLoop().submit(client::stats).get(10, TimeUnit.SECONDS);
            // 65 507 bytes of UDP payload hold a packet of 65 359 in four records of at most 16 384.
            assertEquals(65_507 - 4 * DtlsHandler.RECORD_OVERHEAD, stats.datagramSize(), stats.toString());
            client.close().sync();
        }
    }

    @Test
    void wrongPinnedFingerprintFailsTheConnectWithAClearError() throws Exception {
        try (Loopback lo = Loopback.start(new ChannelInboundHandlerAdapter(), b -> b.dtls(server()),
                b -> b.dtls(pinned("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> lo.connect(new ChannelInboundHandlerAdapter()));
            RudpException cause = assertInstanceOf(RudpException.class, e.getCause());
            assertEquals(RudpErrorCode.HANDSHAKE_FAILED, cause.code());
            assertTrue(cause.getMessage().contains("fingerprint"), cause.getMessage());
        }
    }

    @Test
    void connectsThroughThirtyPercentLoss() throws Exception {
        DigestReceiver receiver = new DigestReceiver(1 << 20, true);
        ChannelInitializer<RudpChannel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(RudpChannel ch) {
                ch.pipeline().addLast(receiver);
            }
        };
        // Ethernet-size datagrams, as on any path that loses packets: on loopback's 64 KiB datagrams
        // (four records each) 1 MiB is 16 packets, and at 30% loss of data and ACKs the tail is left to
        // probe timeouts with exponential backoff, from 4 s to over a minute by the luck of the draw
        // (the same in the clear); the handshake under loss is what this test is about.
        try (Loopback lo = Loopback.start(init, b -> b.dtls(server()).option(RudpChannelOption.MAX_DATAGRAM_SIZE, 1452),
                b -> b.dtls(pinned(DtlsConfig.fingerprint(SERVER.certificate())))
                        .option(RudpChannelOption.MAX_DATAGRAM_SIZE, 1452))) {
            lo.clientChannel.pipeline().addFirst(new ImpairmentHandler(
                    ImpairmentProfile.builder().loss(0.3).seed(30).build(), Direction.BOTH));
            BulkSender sender = new BulkSender(1 << 20, 8 * 1024, 12, Delivery.ORDERED, false);
            RudpChannel client = RudpChannel.newBootstrap(lo.clientChannel).handler(sender)
                    .remoteAddress(lo.serverAddress()).connectTimeoutMillis(30_000).connect().get(40, TimeUnit.SECONDS);
            assertArrayEquals(receiver.done.get(60, TimeUnit.SECONDS), sender.reply.get(60, TimeUnit.SECONDS));
            client.close().sync();
        }
    }
}
