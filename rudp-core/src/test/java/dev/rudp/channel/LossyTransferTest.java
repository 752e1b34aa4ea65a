package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.Delivery;
import dev.rudp.RudpChannel;
import dev.rudp.RudpStats;
import dev.rudp.sim.Direction;
import dev.rudp.sim.ImpairmentHandler;
import dev.rudp.sim.ImpairmentProfile;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import dev.rudp.testing.Loopback;
import io.netty.channel.ChannelInitializer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real sockets, a bad path in between: 5% loss each way plus reordering, duplication and corruption. */
class LossyTransferTest {
    @Test
    void hundredMegabytesArriveIntactThroughFivePercentLoss() throws Exception {
        long bytes = 100L << 20;
        ImpairmentProfile profile = ImpairmentProfile.builder().loss(0.05).reorder(0.02, 2).duplicate(0.01)
                .corrupt(0.005).seed(20261121).build();
        DigestReceiver receiver = new DigestReceiver(bytes, false);
        ChannelInitializer<RudpChannel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(RudpChannel ch) {
                ch.pipeline().addLast(receiver);
            }
        };
        try (Loopback lo = Loopback.start(init)) {
            ImpairmentHandler impairment = new ImpairmentHandler(profile, Direction.BOTH);
            lo.clientChannel.pipeline().addFirst(impairment);
            BulkSender sender = new BulkSender(bytes, 64 * 1024, 3, Delivery.ORDERED, false);
            RudpChannel client = lo.connect(sender);
            byte[] sent = sender.sent.get(180, TimeUnit.SECONDS);
            byte[] got = receiver.done.get(180, TimeUnit.SECONDS);
            assertArrayEquals(sent, got, "corrupted under " + profile);
            RudpStats stats = client.stats();
            assertTrue(stats.packetsLost() > 0 && stats.bytesRetransmitted() > 0, "no loss recovered: " + stats);
            assertTrue(impairment.stats().dropped() > 0 && impairment.stats().corrupted() > 0, impairment.stats().toString());
            client.close().sync();
        }
    }
}
