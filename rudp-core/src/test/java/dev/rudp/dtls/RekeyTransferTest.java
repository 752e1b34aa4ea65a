package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.Delivery;
import dev.rudp.RudpChannel;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import dev.rudp.testing.Loopback;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A long transfer outlives its DTLS keys: each session ends at the record limit and the client's
 * next packet opens a new one, while the rudp connection above carries on and loses nothing.
 */
class RekeyTransferTest {
    @Test
    void transferContinuesIntactAcrossManyRekeys() throws Exception {
        DtlsConfig.KeyAndCertificate server = DtlsConfig.selfSigned("rekey test");
        String pin = DtlsConfig.fingerprint(server.certificate());
        // 16 KiB records on loopback once path MTU discovery has run: about 520 from the client, and
        // as many ACKs back; several keys at 200 records each
        long bytes = 8L << 20;
        DigestReceiver receiver = new DigestReceiver(bytes, true);
        ChannelInitializer<RudpChannel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(RudpChannel ch) {
                ch.pipeline().addLast(receiver);
            }
        };
        AtomicInteger rekeys = new AtomicInteger();
        try (Loopback lo = Loopback.start(init,
                b -> b.dtls(DtlsConfig.serverCertificate(server.privateKey(), server.certificate())
                        .maxRecordsPerKey(200).build()),
                b -> b.dtls(DtlsConfig.clientCertificateVerifier((chain, peer) -> {
                    if (!DtlsConfig.fingerprint(chain[0]).equals(pin)) {
                        throw DtlsException.certificateRejected("fingerprint mismatch");
                    }
                }).maxRecordsPerKey(200).build()))) {
            lo.clientChannel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    if (evt instanceof DtlsSessionClosedEvent) {
                        rekeys.incrementAndGet();
                    }
                    ctx.fireUserEventTriggered(evt);
                }
            });
            BulkSender sender = new BulkSender(bytes, 16 * 1024, 5, Delivery.ORDERED, false);
            RudpChannel client = lo.connect(sender);
            assertArrayEquals(sender.sent.get(120, TimeUnit.SECONDS), sender.reply.get(120, TimeUnit.SECONDS));
            assertArrayEquals(sender.sent.get(), receiver.done.get());
            assertTrue(rekeys.get() >= 2, "sessions closed at the record limit: " + rekeys.get());
            assertNull(client.closeCode(), "the rudp connection survived every rekey");
            client.close().sync();
        }
    }
}
