package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link DtlsHandler#wholeDatagrams()}: a plaintext larger than a record leaves as several records in one
 * datagram and comes up whole, on the JDK record path and on BouncyCastle's, in every pairing of the two;
 * one bad record drops its datagram; the limit is what one UDP datagram holds.
 */
@Timeout(120)
class WholeDatagramsTest {
    private static final int[] SIZES = {1, 100, 16_383, 16_384, 16_385, 40_000, 49_152, 65_359};

    private static DtlsConfig server(boolean jdk) {
        return DtlsConfig.serverPsk(id -> Arrays.equals(id, DtlsHandshakeTest.PSK_ID) ? DtlsHandshakeTest.PSK.clone()
                : null).jdkRecords(jdk).build();
    }

    private static DtlsConfig client(boolean jdk) {
        return DtlsConfig.clientPsk(DtlsHandshakeTest.PSK_ID, DtlsHandshakeTest.PSK).jdkRecords(jdk).build();
    }

    @Test
    void jdkOnBothEnds() throws Exception {
        echoWhole(true, true);
    }

    @Test
    void jdkClientBouncyCastleServer() throws Exception {
        echoWhole(false, true);
    }

    @Test
    void bouncyCastleClientJdkServer() throws Exception {
        echoWhole(true, false);
    }

    @Test
    void bouncyCastleOnBothEnds() throws Exception {
        echoWhole(false, false);
    }

    private static void echoWhole(boolean jdkServer, boolean jdkClient) throws Exception {
        Sizes arriving = new Sizes();
        try (DtlsLoopback lo = DtlsLoopback.start(server(jdkServer), true, arriving)) {
            DtlsLoopback.Client c = lo.client(client(jdkClient), true);
            assertEquals(65_359, c.dtls.plaintextLimit());
            c.echo(new byte[1]); // the handshake
            assertEquals(jdkClient, c.dtls.usesJdkRecords(c.server));
            assertEquals(jdkServer, lo.serverDtls.usesJdkRecords(c.address()));
            Random random = new Random(7);
            for (int size : SIZES) {
                byte[] plaintext = new byte[size];
                random.nextBytes(plaintext);
                arriving.sizes.clear();
                c.echo(plaintext);
                assertEquals(List.of(size + DtlsHandler.overhead(size, 16_384)), arriving.sizes,
                        "one datagram of " + DtlsHandler.overhead(size, 16_384) / DtlsHandler.RECORD_OVERHEAD
                                + " records for " + size + " bytes");
            }
            assertEquals(0, lo.serverDtls.stats().droppedReplayOrTampered(), lo.serverDtls.stats().toString());
            assertEquals(0, c.dtls.stats().droppedReplayOrTampered(), c.dtls.stats().toString());
            c.close();
        }
    }

    @Test
    void aTamperedOrReplayedRecordDropsItsWholeDatagram() throws Exception {
        Meddler meddler = new Meddler();
        try (DtlsLoopback lo = DtlsLoopback.start(server(true), true, meddler)) {
            DtlsLoopback.Client c = lo.client(client(true), true);
            c.echo(new byte[1]);
            byte[] big = new byte[40_000];
            new Random(3).nextBytes(big);
            meddler.arm(Meddler.Mode.TAMPER); // the last record's tag
            c.send(big);
            byte[] small = {42};
            c.echo(small); // the echo that comes next is the small one: the big datagram went nowhere
            assertEquals(3, lo.serverDtls.stats().droppedReplayOrTampered(), lo.serverDtls.stats().toString());

            meddler.arm(Meddler.Mode.REPLAY);
            c.echo(big); // delivered once; its copy is dropped before the next echo
            c.echo(small);
            assertEquals(6, lo.serverDtls.stats().droppedReplayOrTampered(), lo.serverDtls.stats().toString());
            c.close();
        }
    }

    @Test
    void aPlaintextLargerThanOneDatagramIsRefused() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(server(true), true)) {
            DtlsLoopback.Client c = lo.client(client(true), true);
            c.echo(new byte[1]);
            ChannelFuture f = c.send(new byte[c.dtls.plaintextLimit() + 1]).await();
            DtlsException e = assertInstanceOf(DtlsException.class, f.cause());
            assertEquals(DtlsException.Reason.RECORD_TOO_LARGE, e.reason());
            c.echo(new byte[c.dtls.plaintextLimit()]);
            c.close();
        }
    }

    @Test
    void withoutTheModeEachRecordIsItsOwnMessage() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(server(true))) {
            DtlsLoopback.Client c = lo.client(client(true));
            assertEquals(16_384, c.dtls.plaintextLimit());
            c.echo(new byte[16_384]);
            ChannelFuture f = c.send(new byte[16_385]).await();
            assertTrue(f.cause() instanceof DtlsException, String.valueOf(f.cause()));
            c.close();
        }
    }

    /** Beneath a DtlsHandler: the sizes of the application-data datagrams arriving. */
    @ChannelHandler.Sharable
    static final class Sizes extends ChannelInboundHandlerAdapter {
        final List<Integer> sizes = new CopyOnWriteArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf content = ((DatagramPacket) msg).content();
            if (content.readableBytes() > RecordGuard.RECORD_HEADER
                    && content.getUnsignedByte(content.readerIndex()) == RecordGuard.APPLICATION_DATA) {
                sizes.add(content.readableBytes());
            }
            ctx.fireChannelRead(msg);
        }
    }

}
