package dev.rudp.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.Delivery;
import dev.rudp.RudpChannel;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import dev.rudp.testing.Loopback;
import dev.rudp.wire.Checksum;
import dev.rudp.wire.Handshake;
import dev.rudp.wire.PacketHeader;
import dev.rudp.wire.PacketType;
import dev.rudp.wire.TransportParameters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Garbage, forged and unvalidated datagrams: dropped and counted; healthy connections carry on. */
class HostileInputTest {

    private static byte[] initial(byte[] token, int size) {
        ByteBuf b = Unpooled.buffer();
        PacketHeader.encode(b, PacketType.INITIAL, 0x1234L);
        Handshake.encodeInitial(b, token, new TransportParameters(30_000, 1452, 1 << 20, 1 << 20), size - Checksum.SIZE);
        new Checksum().append(b);
        byte[] bytes = ByteBufUtil.getBytes(b);
        b.release();
        return bytes;
    }

    private static int codecCount(Loopback lo) throws Exception {
        RudpCodec codec = lo.serverChannel.pipeline().get(RudpCodec.class);
        return lo.serverChannel.eventLoop().submit(codec::connectionCount).get();
    }

    private static long invalid(Loopback lo) throws Exception {
        RudpCodec codec = lo.serverChannel.pipeline().get(RudpCodec.class);
        return lo.serverChannel.eventLoop().submit(codec::invalidDatagrams).get();
    }

    @Test
    void unvalidatedInitialGetsASmallRetryAndCreatesNoState() throws Exception {
        try (Loopback lo = Loopback.start(new ChannelInboundHandlerAdapter());
                DatagramSocket raw = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            raw.setSoTimeout(2000);
            byte[] hello = initial(new byte[0], Handshake.MIN_DATAGRAM_SIZE);
            raw.send(new DatagramPacket(hello, hello.length, lo.serverAddress()));
            DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
            raw.receive(reply);
            assertEquals(PacketType.RETRY.code(), reply.getData()[1]);
            assertTrue(reply.getLength() * 3 <= hello.length, "retry of " + reply.getLength() + " bytes amplifies");
            assertEquals(0, codecCount(lo), "state created before address validation");

            // A forged cookie is refused the same way: another small RETRY, still no state.
            byte[] forged = initial(new byte[20], Handshake.MIN_DATAGRAM_SIZE);
            raw.send(new DatagramPacket(forged, forged.length, lo.serverAddress()));
            raw.receive(reply);
            assertEquals(PacketType.RETRY.code(), reply.getData()[1]);
            assertEquals(0, codecCount(lo));

            // An INITIAL under 1200 bytes gets no answer at all.
            byte[] small = initial(new byte[0], 600);
            raw.send(new DatagramPacket(small, small.length, lo.serverAddress()));
            raw.setSoTimeout(300);
            DatagramPacket none = new DatagramPacket(new byte[2048], 2048);
            SocketTimeoutException silent = null;
            try {
                raw.receive(none);
            } catch (SocketTimeoutException e) {
                silent = e;
            }
            assertTrue(silent != null, "server answered a short INITIAL");
        }
    }

    @Test
    void garbageFloodLeavesAnActiveTransferIntact() throws Exception {
        long bytes = 8L << 20;
        DigestReceiver[] receiver = new DigestReceiver[1];
        ChannelInitializer<RudpChannel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(RudpChannel ch) {
                receiver[0] = new DigestReceiver(bytes, false);
                ch.pipeline().addLast(receiver[0]);
            }
        };
        try (Loopback lo = Loopback.start(init);
                DatagramSocket raw = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            BulkSender sender = new BulkSender(bytes, 4096, 99, Delivery.ORDERED, false);
            RudpChannel client = lo.connect(sender);
            SplittableRandom random = new SplittableRandom(5);
            byte[] validHeader = new byte[PacketHeader.DATA_HEADER_SIZE + 40];
            for (int i = 0; i < 5000; i++) {
                byte[] junk;
                switch (i % 5) {
                    case 0: // random bytes of random size, empty included
                        junk = new byte[random.nextInt(1500)];
                        random.nextBytes(junk);
                        break;
                    case 1: // a plausible header with a wrong checksum
                        junk = validHeader.clone();
                        junk[0] = 1;
                        junk[1] = (byte) PacketType.DATA.code();
                        random.nextBytes(junk);
                        junk[0] = 1;
                        break;
                    case 2: // the largest datagram there is
                        junk = new byte[65_000];
                        break;
                    case 3: // a replayed handshake without its cookie
                        junk = initial(new byte[0], Handshake.MIN_DATAGRAM_SIZE);
                        break;
                    default: // one byte
                        junk = new byte[] {1};
                }
                raw.send(new DatagramPacket(junk, junk.length, lo.serverAddress()));
            }
            assertArrayEquals(sender.sent.get(60, TimeUnit.SECONDS), receiver[0].done.get(60, TimeUnit.SECONDS));
            assertTrue(client.isActive());
            assertNull(client.closeCode());
            // The kernel drops part of the flood when the socket buffer overflows; what reaches the
            // codec is counted, never delivered.
            assertTrue(invalid(lo) > 0, "garbage was not counted");
            assertEquals(1, codecCount(lo));
            client.close().sync();
        }
    }
}
