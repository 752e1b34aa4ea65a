package dev.rudp.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.testing.Loopback;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The simulator used as intended: rudp connections across a bad path still deliver everything, in order. */
@Timeout(60)
@SuppressWarnings("try") // Loopback.close() may throw InterruptedException; the tests declare it
class RudpUnderImpairmentTest {
    private static final int MESSAGES = 200;
    private static final ImpairmentProfile BAD_PATH = ImpairmentProfile.builder().loss(0.05).duplicate(0.02)
            .reorder(0.05, 10).delay(5).jitter(2).corrupt(0.01).seed(20_261_121).build();

    private static final ChannelInboundHandlerAdapter ECHO = new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }

        @Override
        public boolean isSharable() {
            return true;
        }
    };

    @Test
    void echoesEverythingThroughTheRelay() throws Exception {
        try (Loopback lo = wanSized();
                UdpRelay relay = UdpRelay.start(new InetSocketAddress("127.0.0.1", 0), lo.serverAddress(), BAD_PATH)) {
            echoAll(lo, relay.address());
            assertTrue(relay.stats().dropped() > 0, "the path was bad: " + relay.stats());
        }
    }

    @Test
    void echoesEverythingThroughAHandlerInThePipeline() throws Exception {
        try (Loopback lo = wanSized()) {
            ImpairmentHandler impairment = new ImpairmentHandler(BAD_PATH, Direction.BOTH);
            lo.clientChannel.pipeline().addFirst(impairment);
            echoAll(lo, lo.serverAddress());
            assertTrue(impairment.stats().dropped() > 0, "the path was bad: " + impairment.stats());
        }
    }

    /**
     * The impaired path stands for a WAN: Ethernet-sized datagrams, so the messages take many packets
     * (loopback's 64 KiB would carry them all in a few and the losses might miss them).
     */
    private static Loopback wanSized() throws InterruptedException {
        return Loopback.start(ECHO, b -> b.option(RudpChannelOption.MAX_DATAGRAM_SIZE, 1452),
                b -> b.option(RudpChannelOption.MAX_DATAGRAM_SIZE, 1452));
    }

    private static void echoAll(Loopback lo, InetSocketAddress server) throws Exception {
        LinkedBlockingQueue<Integer> got = new LinkedBlockingQueue<>();
        RudpChannel ch = RudpChannel.newBootstrap(lo.clientChannel).remoteAddress(server)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        got.add(msg.readInt());
                    }
                }).connect().get(20, TimeUnit.SECONDS);
        for (int i = 0; i < MESSAGES; i++) {
            ch.write(Unpooled.buffer(1000).writeInt(i).writeZero(996));
        }
        ch.flush();
        for (int i = 0; i < MESSAGES; i++) {
            assertEquals(i, got.poll(20, TimeUnit.SECONDS), "message " + i + " under " + BAD_PATH);
        }
        ch.close().sync();
    }
}
