package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.Delivery;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import dev.rudp.testing.Loopback;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** UDP GSO on real loopback sockets with Ethernet-sized datagrams: used, and every byte arrives. */
class GsoTest {
    private static final long BYTES = 32L << 20;

    /** Counts what the codec hands to the socket: GSO runs, and datagrams in all. */
    private static final class Counter extends ChannelOutboundHandlerAdapter {
        final AtomicLong runs = new AtomicLong();
        final AtomicLong datagrams = new AtomicLong();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof SegmentedDatagramPacket) {
                SegmentedDatagramPacket run = (SegmentedDatagramPacket) msg;
                runs.incrementAndGet();
                int bytes = run.content().readableBytes();
                datagrams.addAndGet((bytes + run.segmentSize() - 1) / run.segmentSize());
            } else if (msg instanceof DatagramPacket) {
                datagrams.incrementAndGet();
            }
            ctx.write(msg, promise);
        }
    }

    private Counter transfer(boolean gso) throws Exception {
        DigestReceiver receiver = new DigestReceiver(BYTES, false);
        try (Loopback lo = Loopback.start(receiver, b -> b.option(RudpChannelOption.MAX_DATAGRAM_SIZE, 1452),
                b -> b.option(RudpChannelOption.MAX_DATAGRAM_SIZE, 1452).option(RudpChannelOption.UDP_OFFLOAD, gso))) {
            Assumptions.assumeTrue(Gso.available(lo.clientChannel), "needs the epoll transport and UDP_SEGMENT");
            Counter counter = new Counter();
            lo.clientChannel.pipeline().addFirst(counter);
            BulkSender sender = new BulkSender(BYTES, 64 * 1024, 11, Delivery.ORDERED, false);
            RudpChannel ch = lo.connect(sender);
            assertArrayEquals(sender.sent.get(60, TimeUnit.SECONDS), receiver.done.get(60, TimeUnit.SECONDS));
            assertEquals(1452, ch.eventLoop().submit(() -> ch.stats().datagramSize()).get().intValue());
            ch.close().sync();
            return counter;
        }
    }

    @Test
    void runsOfFullDatagramsGoOutAsOneSend() throws Exception {
        Counter c = transfer(true);
        assertTrue(c.runs.get() > 0, "no GSO run was sent");
        assertTrue(c.datagrams.get() > 2 * (c.runs.get() + 1000), "runs carry several datagrams each: "
                + c.datagrams.get() + " datagrams in " + c.runs.get() + " runs");
    }

    @Test
    void theOptionTurnsItOff() throws Exception {
        assertEquals(0, transfer(false).runs.get());
    }
}
