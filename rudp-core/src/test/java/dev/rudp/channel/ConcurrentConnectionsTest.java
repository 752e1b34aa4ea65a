package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rudp.Delivery;
import dev.rudp.RudpChannel;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import dev.rudp.testing.Loopback;
import io.netty.channel.ChannelInitializer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many connections share one server socket; each moves its data intact and independently. */
class ConcurrentConnectionsTest {
    private static final int CONNECTIONS = 50;
    private static final long BYTES = 10L << 20;

    @Test
    void fiftyConnectionsEachMoveTenMegabytesIntact() throws Exception {
        ChannelInitializer<RudpChannel> server = new ChannelInitializer<>() {
            @Override
            protected void initChannel(RudpChannel ch) {
                ch.pipeline().addLast(new DigestReceiver(BYTES, true));
            }
        };
        try (Loopback lo = Loopback.start(server)) {
            List<BulkSender> senders = new ArrayList<>();
            List<RudpChannel> channels = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                BulkSender s = new BulkSender(BYTES, 16 * 1024, 1000 + i, Delivery.ORDERED, false);
                senders.add(s);
                channels.add(lo.connect(s));
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                byte[] sent = senders.get(i).sent.get(120, TimeUnit.SECONDS);
                byte[] echoed = senders.get(i).reply.get(120, TimeUnit.SECONDS);
                assertArrayEquals(sent, echoed, "connection " + i + " digest");
            }
            RudpCodec codec = lo.serverChannel.pipeline().get(RudpCodec.class);
            assertEquals(CONNECTIONS, lo.serverChannel.eventLoop().submit(codec::connectionCount).get());
            for (RudpChannel ch : channels) {
                ch.close().sync();
            }
        }
    }
}
