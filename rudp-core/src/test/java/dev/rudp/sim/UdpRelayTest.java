package dev.rudp.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.NativeTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The relay on loopback, in front of an echo server. */
@ExtendWith(LeakCheck.class)
@Timeout(30)
class UdpRelayTest {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
    private static final int WAIT_MILLIS = 5_000;

    private EventLoopGroup group;
    private Channel echo;
    /** Source addresses the echo server saw: the relay's upstream sockets. */
    private final LinkedBlockingQueue<InetSocketAddress> echoSenders = new LinkedBlockingQueue<>();

    @BeforeEach
    void startEchoServer() throws InterruptedException {
        group = NativeTransport.newEventLoopGroup(1);
        echo = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(NatTable.MAX_DATAGRAM))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        echoSenders.add(p.sender());
                        ctx.writeAndFlush(new DatagramPacket(p.content().retain(), p.sender()));
                    }
                }).bind(ANY_LOOPBACK).sync().channel();
    }

    @AfterEach
    void stopEchoServer() throws InterruptedException {
        echo.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private InetSocketAddress echoAddress() {
        return (InetSocketAddress) echo.localAddress();
    }

    private static DatagramSocket client() throws IOException {
        DatagramSocket s = new DatagramSocket(ANY_LOOPBACK);
        s.setSoTimeout(WAIT_MILLIS);
        return s;
    }

    private static void send(DatagramSocket s, InetSocketAddress to, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.send(new java.net.DatagramPacket(b, b.length, to));
    }

    private static String receive(DatagramSocket s) throws IOException {
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[NatTable.MAX_DATAGRAM], NatTable.MAX_DATAGRAM);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void withoutLossEveryDatagramEchoes() throws IOException {
        try (UdpRelay relay = UdpRelay.start(ANY_LOOPBACK, echoAddress(), ImpairmentProfile.NONE);
                DatagramSocket c = client()) {
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                send(c, relay.address(), "msg " + i);
                expected.add("msg " + i);
            }
            Set<String> got = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                got.add(receive(c));
            }
            assertEquals(expected, got);
            assertEquals(200, relay.stats(Direction.INBOUND).packets());
            assertEquals(200, relay.stats(Direction.OUTBOUND).packets());
            assertEquals(1, relay.clientCount());
        }
    }

    @Test
    void lossDropsExactlyWhatTheSeededScheduleSays() throws IOException {
        ImpairmentProfile profile = ImpairmentProfile.builder().loss(0.5).seed(7).build();
        int sent = 400;
        // Loss alone depends only on each packet's position, so the engines predict the outcome.
        Impairment there = new Impairment(ImpairmentHandler.forWay(profile, Direction.INBOUND));
        Impairment back = new Impairment(ImpairmentHandler.forWay(profile, Direction.OUTBOUND));
        int expected = 0;
        for (int i = 0; i < sent; i++) {
            if (!there.decide(10, 0).dropped() && !back.decide(10, 0).dropped()) {
                expected++;
            }
        }
        try (UdpRelay relay = UdpRelay.start(ANY_LOOPBACK, echoAddress(), profile); DatagramSocket c = client()) {
            for (int i = 0; i < sent; i++) {
                send(c, relay.address(), "msg " + i);
            }
            for (int i = 0; i < expected; i++) {
                receive(c);
            }
            c.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, () -> receive(c), "more echoes than " + profile + " allows");
            assertTrue(expected < sent / 2, "loss both ways leaves about a quarter: " + expected);
            assertEquals(sent, relay.stats(Direction.INBOUND).packets());
            assertEquals(sent - expected, relay.stats().dropped(), relay.stats().toString());
        }
    }

    @Test
    void largestDatagramPassesWhole() throws IOException {
        try (UdpRelay relay = UdpRelay.start(ANY_LOOPBACK, echoAddress(), ImpairmentProfile.NONE);
                DatagramSocket c = client()) {
            String big = "x".repeat(65_506) + "y";
            send(c, relay.address(), big);
            String got = receive(c);
            assertEquals(big.length(), got.length(), "truncated");
            assertTrue(big.equals(got), "content changed");
        }
    }

    @Test
    void eachClientGetsItsOwnUpstreamSocketAndItsOwnReplies() throws IOException {
        try (UdpRelay relay = UdpRelay.start(ANY_LOOPBACK, echoAddress(), ImpairmentProfile.NONE);
                DatagramSocket a = client(); DatagramSocket b = client()) {
            for (int i = 0; i < 20; i++) {
                send(a, relay.address(), "a" + i);
                send(b, relay.address(), "b" + i);
            }
            for (int i = 0; i < 20; i++) {
                assertTrue(receive(a).startsWith("a"));
                assertTrue(receive(b).startsWith("b"));
            }
            assertEquals(2, relay.clientCount());
            Set<InetSocketAddress> upstreams = new HashSet<>(echoSenders);
            assertEquals(2, upstreams.size(), upstreams.toString());
            assertTrue(upstreams.stream().noneMatch(u -> u.getPort() == relay.address().getPort()));
        }
    }

    @Test
    void delayAppliesEachWay() throws IOException {
        ImpairmentProfile profile = ImpairmentProfile.builder().delay(50).build();
        try (UdpRelay relay = UdpRelay.start(ANY_LOOPBACK, echoAddress(), profile); DatagramSocket c = client()) {
            long start = System.nanoTime();
            send(c, relay.address(), "slow");
            assertEquals("slow", receive(c));
            long rtt = System.nanoTime() - start;
            assertTrue(rtt >= TimeUnit.MILLISECONDS.toNanos(100), "round trip " + rtt + " ns");
        }
    }

    @Test
    void idleMappingExpires() throws Exception {
        long idle = TimeUnit.MILLISECONDS.toNanos(200);
        try (UdpRelay relay = UdpRelay.start(ANY_LOOPBACK, echoAddress(), ImpairmentProfile.NONE, idle);
                DatagramSocket c = client()) {
            send(c, relay.address(), "one");
            assertEquals("one", receive(c));
            assertEquals(1, relay.clientCount());
            // The sweep runs every idle / 4 on the relay's thread: by idle + 2 sweeps it has run.
            assertEquals(0, relay.clientCountAfter(idle + idle / 2, TimeUnit.NANOSECONDS).get(WAIT_MILLIS,
                    TimeUnit.MILLISECONDS));
            send(c, relay.address(), "two");
            assertEquals("two", receive(c));
            InetSocketAddress first = echoSenders.poll();
            InetSocketAddress second = echoSenders.poll();
            assertNotNull(second);
            assertNotEquals(first, second, "a new mapping has a new upstream socket");
        }
    }

    /** Waits, a few milliseconds of the relay's thread at a time, until it has seen {@code n} datagrams. */
    private static void awaitPackets(UdpRelay relay, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (relay.stats().packets() < n) {
            assertTrue(System.nanoTime() < deadline, "relay saw " + relay.stats() + ", waiting for " + n);
            relay.clientCountAfter(5, TimeUnit.MILLISECONDS).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void closeReleasesTheSocketAndHeldDatagrams() throws Exception {
        UdpRelay relay = UdpRelay.start(ANY_LOOPBACK, echoAddress(), ImpairmentProfile.builder().delay(10_000)
                .build());
        InetSocketAddress address = relay.address();
        try (DatagramSocket c = client()) {
            for (int i = 0; i < 50; i++) {
                send(c, address, "held " + i);
            }
            awaitPackets(relay, 50);
            relay.close();
            relay.close();
            assertTrue(relay.closeFuture().isDone());
            assertEquals(0, relay.clientCount());
            try (DatagramSocket again = new DatagramSocket(address)) {
                assertEquals(address.getPort(), again.getLocalPort(), "the port is free again");
            }
        }
    }

    @Test
    void busyPortFailsToStartWithAClearMessage() throws IOException {
        try (DatagramSocket taken = new DatagramSocket(ANY_LOOPBACK)) {
            InetSocketAddress busy = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> UdpRelay.start(busy, echoAddress(), ImpairmentProfile.NONE));
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + busy.getPort()), e.getMessage());
        }
    }
}
