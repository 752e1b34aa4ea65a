package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.testing.Loopback;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.BufferedReader;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The /proc/net/udp reader: the format, and real drops at a socket nobody reads. */
@Timeout(60)
class SocketDropsTest {
    private static final String HEADER = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode ref pointer drops            \n";
    private static final String HEADER6 = "  sl  local_address                         remote_address                  "
            + "      st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n";

    private static long find(String table, long inode, InetSocketAddress local, boolean v6) throws Exception {
        return SocketDrops.find(new BufferedReader(new StringReader(table)), inode, local, v6);
    }

    private static InetSocketAddress at(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Test
    void addressesArePrintedAsWordsInHostOrder() throws Exception {
        byte[] loop = InetAddress.getByName("127.0.0.1").getAddress();
        assertEquals("0100007F", SocketDrops.hex(loop, ByteOrder.LITTLE_ENDIAN));
        assertEquals("7F000001", SocketDrops.hex(loop, ByteOrder.BIG_ENDIAN));
        byte[] v6 = InetAddress.getByName("2001:db8::1").getAddress();
        assertEquals("B80D0120000000000000000001000000", SocketDrops.hex(v6, ByteOrder.LITTLE_ENDIAN));
        String port = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "0100007F:9C40" : "7F000001:9C40";
        assertArrayEquals(new String[] {port}, SocketDrops.addressKeys(at("127.0.0.1", 40000), false));
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            // Java's dual-stack sockets: an IPv4 bind appears in udp6 as a v4-mapped address.
            assertArrayEquals(new String[] {"0000000000000000FFFF00000100007F:9C40"},
                    SocketDrops.addressKeys(at("127.0.0.1", 40000), true));
            assertArrayEquals(new String[] {"00000000000000000000000000000000:0050"},
                    SocketDrops.addressKeys(new InetSocketAddress(80), true));
        }
    }

    @Test
    void findsTheRowByInodeOrBySingleAddress() throws Exception {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "sample rows are from x86");
        String table = HEADER
                + "  123: 0100007F:9C40 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 456789 2"
                + " ffff8880062f2000 17        \n"
                + "  124: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1000 2"
                + " ffff8880062f2400 0         \n"
                + "  125: 0100007F:9C41 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 2000 2"
                + " ffff8880062f2800 5         \n"
                + "  125: 0100007F:9C41 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 2001 2"
                + " ffff8880062f2c00 6         \n";
        assertEquals(17, find(table, 456789, null, false));
        assertEquals(17, find(table, -1, at("127.0.0.1", 40000), false));
        assertEquals(0, find(table, -1, new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 53), false));
        assertEquals(SocketDrops.UNKNOWN, find(table, 999, null, false), "no such inode");
        assertEquals(SocketDrops.UNKNOWN, find(table, -1, at("127.0.0.1", 1), false), "no such port");
        assertEquals(SocketDrops.AMBIGUOUS, find(table, -1, at("127.0.0.1", 40001), false), "SO_REUSEPORT twins");
        assertEquals(6, find(table, 2001, null, false), "the inode tells them apart");
        assertEquals(SocketDrops.UNKNOWN, find(HEADER, 456789, null, false), "empty table");
        assertEquals(SocketDrops.UNKNOWN, find("", 456789, null, false), "empty file");
        String six = HEADER6
                + " 1234: 0000000000000000FFFF00000100007F:9C40 00000000000000000000000000000000:0000 07"
                + " 00000000:00000000 00:00000000 00000000  1000        0 77 2 ffff888006a1b000 3\n";
        assertEquals(3, find(six, -1, at("127.0.0.1", 40000), true));
        assertEquals(3, find(six, 77, null, true));
    }

    @Test
    void descriptorLinksNameTheSocketInode() {
        assertEquals(456789, SocketDrops.parseSocketLink("socket:[456789]"));
        assertEquals(-1, SocketDrops.parseSocketLink("pipe:[12]"));
        assertEquals(-1, SocketDrops.parseSocketLink("socket:[x]"));
        assertEquals(-1, SocketDrops.parseSocketLink("/dev/null"));
    }

    @Test
    void withoutProcTheCountIsUnknown() throws Exception {
        Path none = Path.of("/nonexistent-proc");
        SocketDrops drops = new SocketDrops(none.resolve("udp"), none.resolve("udp6"), none.resolve("fd"));
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try {
            Channel ch = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress("127.0.0.1", 0)).sync()
                    .channel();
            assertEquals(SocketDrops.UNKNOWN, ch.eventLoop().submit(() -> drops.drops(ch, 0)).get());
            ch.close().sync();
            assertEquals(SocketDrops.UNKNOWN, new SocketDrops().drops(ch, 0), "a closed channel has no socket");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * Floods a socket that does not read and has a tiny receive buffer; returns the drops the
     * kernel reports afterwards, read through {@code freshDrops} (which must not answer from the
     * reader's cache) until they show or ten seconds pass. Loopback counts the drops within the sends,
     * so the first fresh reading normally has them.
     */
    private static long flood(InetSocketAddress target, LongSupplier freshDrops) throws Exception {
        byte[] junk = new byte[1000];
        try (DatagramChannel sender = DatagramChannel.open()) {
            for (int i = 0; i < 2000; i++) {
                sender.send(ByteBuffer.wrap(junk), target);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long n = freshDrops.getAsLong();
        while (n <= 0 && System.nanoTime() < deadline) {
            n = freshDrops.getAsLong();
        }
        return n;
    }

    private static boolean procReadable() {
        return Files.isReadable(Path.of("/proc/net/udp"));
    }

    @Test
    void aCodecSocketThatIsNotReadCountsItsDrops() throws Exception {
        Assumptions.assumeTrue(procReadable(), "Linux /proc/net/udp");
        try (Loopback lo = Loopback.start(new ChannelInboundHandlerAdapter())) {
            RudpChannel client = lo.connect(new ChannelInboundHandlerAdapter());
            RudpCodec codec = lo.clientChannel.pipeline().get(RudpCodec.class);
            Channel socket = lo.clientChannel;
            long before = socket.eventLoop().submit(codec::socketReceiveDrops).get();
            assertEquals(0, before, "a fresh socket has dropped nothing");
            assertEquals(0, client.stats().socketReceiveDrops());
            socket.eventLoop().submit(() -> {
                socket.config().setAutoRead(false);
                socket.config().setOption(ChannelOption.SO_RCVBUF, 4096);
            }).get();
            // Read once the codec's cached reading has expired on its own clock: a task scheduled that far ahead.
            long drops = flood((InetSocketAddress) socket.localAddress(), () -> {
                try {
                    return socket.eventLoop().schedule(codec::socketReceiveDrops, SocketDrops.REFRESH_NANOS,
                            TimeUnit.NANOSECONDS).get();
                } catch (InterruptedException | ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(drops > 0, "drops at a full socket: " + drops);
            assertTrue(client.stats().socketReceiveDrops() >= drops, "the connection reports its socket's count");
            socket.eventLoop().submit(() -> socket.config().setAutoRead(true)).get();
        }
    }

    @Test
    void aNioSocketIsFoundByItsAddress() throws Exception {
        Assumptions.assumeTrue(procReadable(), "Linux /proc/net/udp");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel ch = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .option(ChannelOption.AUTO_READ, false).option(ChannelOption.SO_RCVBUF, 4096)
                    .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress("127.0.0.1", 0)).sync()
                    .channel();
            SocketDrops reader = new SocketDrops();
            AtomicLong clock = new AtomicLong(System.nanoTime());
            assertEquals(0, get(ch, () -> reader.drops(ch, clock.get())));
            // Each reading a refresh interval after the last: the reader's clock is passed in.
            long drops = flood((InetSocketAddress) ch.localAddress(),
                    () -> get(ch, () -> reader.drops(ch, clock.addAndGet(SocketDrops.REFRESH_NANOS))));
            assertTrue(drops > 0, "drops at a full socket: " + drops);
            ch.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static long get(Channel ch, LongSupplier s) {
        try {
            return ch.eventLoop().submit(s::getAsLong).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
