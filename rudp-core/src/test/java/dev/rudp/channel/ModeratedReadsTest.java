package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rudp.CongestionControl;
import dev.rudp.Delivery;
import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.sim.Direction;
import dev.rudp.sim.ImpairmentHandler;
import dev.rudp.sim.ImpairmentProfile;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import dev.rudp.testing.Loopback;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollDatagramChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real sockets through a simulated long, rate-limited path (20 ms round trip, 10 MB/s, 0.5% loss), with
 * Ethernet-sized datagrams so that reads come in {@code recvmmsg} batches: the receiver's reads are
 * moderated, and everything still arrives intact. Needs the epoll transport (batched reads).
 */
class ModeratedReadsTest {
    @Test
    void aPacedTransferOnALongPathIsReadInBatchesAndArrivesIntact() throws Exception {
        assumeTrue(NativeTransport.datagramChannelClass() == EpollDatagramChannel.class, "needs epoll");
        long bytes = 8L << 20;
        ImpairmentProfile profile = ImpairmentProfile.builder().delay(10).rateLimit(10_000_000, 256 << 10)
                .loss(0.005).seed(20261205).build();
        DigestReceiver receiver = new DigestReceiver(bytes, false);
        ChannelInitializer<RudpChannel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(RudpChannel ch) {
                ch.pipeline().addLast(receiver);
            }
        };
        try (Loopback lo = Loopback.start(init,
                b -> b.option(RudpChannelOption.MAX_DATAGRAM_SIZE, 1472),
                b -> b.option(RudpChannelOption.MAX_DATAGRAM_SIZE, 1472)
                        .option(RudpChannelOption.CONGESTION_CONTROL, CongestionControl.BBR))) {
            lo.clientChannel.pipeline().addFirst(new ImpairmentHandler(profile, Direction.BOTH));
            BulkSender sender = new BulkSender(bytes, 64 * 1024, 3, Delivery.ORDERED, false);
            RudpChannel client = lo.connect(sender);
            byte[] sent = sender.sent.get(120, TimeUnit.SECONDS);
            byte[] got = receiver.done.get(120, TimeUnit.SECONDS);
            assertArrayEquals(sent, got, "corrupted under " + profile);
            RudpCodec serverCodec = lo.serverChannel.pipeline().get(RudpCodec.class);
            long moderated = lo.serverChannel.eventLoop().submit(serverCodec::moderatedReads).get(10, TimeUnit.SECONDS);
            assertTrue(moderated > 0, "the receiver never paused its reads");
            assertEquals(0, client.stats().invalidPackets());
            client.close().sync();
        }
    }
}
