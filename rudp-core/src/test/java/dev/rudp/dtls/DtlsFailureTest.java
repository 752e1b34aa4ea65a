package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Refused handshakes report precisely why, and leave the server healthy for the next client. */
@Timeout(60)
class DtlsFailureTest {
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

    @Test
    void wrongPinnedCertificateIsRefusedAndTheServerStaysHealthy() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.certificateServer())) {
            DtlsLoopback.Client wrong = lo.client(DtlsHandshakeTest.pinnedClient("SHA256:not-the-server"));
            ChannelFuture write = wrong.send(HELLO);
            DtlsException cause = failure(wrong);
            assertEquals(DtlsException.Reason.CERTIFICATE_REJECTED, cause.reason());
            assertTrue(cause.getMessage().contains("server certificate fingerprint mismatch"), cause.getMessage());
            assertTrue(write.await(DtlsLoopback.WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(cause, write.cause(), "the queued datagram's write fails with the same cause");
            DtlsHandshakeCompletionEvent atServer = lo.nextServerEvent(DtlsHandshakeCompletionEvent.class);
            DtlsException serverCause = assertInstanceOf(DtlsException.class, atServer.cause());
            assertEquals(DtlsException.Reason.CERTIFICATE_REJECTED, serverCause.reason(), serverCause.getMessage());
            wrong.close();

            DtlsLoopback.Client right = lo.client(
                    DtlsHandshakeTest.pinnedClient(DtlsConfig.fingerprint(DtlsHandshakeTest.SERVER.certificate())));
            right.echo(HELLO);
            assertEquals(1, lo.serverDtls.stats().handshakesFailed());
            assertEquals(1, lo.serverDtls.stats().handshakesSucceeded());
            right.close();
        }
    }

    @Test
    void aFingerprintPinRefusesAnotherServer() throws Exception {
        DtlsConfig pinned = DtlsConfig.clientCertificateVerifier(ServerCertificateVerifier.pinning((fp, peer) -> {
            throw DtlsException.certificateRejected("pinned SHA256:other, the server presented " + fp);
        })).crypto(DtlsConfig.Crypto.BC).build();
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.certificateServer())) {
            DtlsLoopback.Client wrong = lo.client(pinned);
            wrong.send(HELLO);
            DtlsException cause = failure(wrong);
            assertEquals(DtlsException.Reason.CERTIFICATE_REJECTED, cause.reason());
            assertTrue(cause.getMessage().contains("the server presented "
                    + DtlsConfig.fingerprint(DtlsHandshakeTest.SERVER.certificate())), cause.getMessage());
            wrong.close();
        }
    }

    @Test
    void unknownPskIdentityIsReported() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer())) {
            DtlsLoopback.Client stranger = lo.client(DtlsConfig.clientPsk(
                    "mallory".getBytes(StandardCharsets.UTF_8), DtlsHandshakeTest.PSK).build());
            stranger.send(HELLO);
            DtlsException cause = failure(stranger);
            assertEquals(DtlsException.Reason.PSK_UNKNOWN, cause.reason());
            assertTrue(cause.getMessage().contains("does not know this PSK identity"), cause.getMessage());
            stranger.close();
            healthyPskClient(lo);
        }
    }

    @Test
    void wrongPskKeyTimesOutWithAHint() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer())) {
            DtlsLoopback.Client wrong = lo.client(DtlsConfig.clientPsk(DtlsHandshakeTest.PSK_ID,
                    "wrong key".getBytes(StandardCharsets.UTF_8)).handshakeTimeoutMillis(1500).build());
            wrong.send(HELLO);
            DtlsException cause = failure(wrong);
            assertEquals(DtlsException.Reason.HANDSHAKE_TIMEOUT, cause.reason());
            assertTrue(cause.getMessage().contains("DTLS handshake with " + wrong.server + " timed out after 1500 ms"),
                    cause.getMessage());
            assertTrue(cause.getMessage().contains("different pre-shared key"), cause.getMessage());
            wrong.close();
            healthyPskClient(lo);
        }
    }

    @Test
    void serverCannotWriteToAPeerWithoutSession() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer())) {
            ChannelFuture write = lo.server.writeAndFlush(
                    new DatagramPacket(Unpooled.wrappedBuffer(HELLO), new InetSocketAddress("127.0.0.1", 9)));
            assertTrue(write.await(DtlsLoopback.WAIT_SECONDS, TimeUnit.SECONDS));
            assertFalse(write.isSuccess());
            assertEquals(DtlsException.Reason.NO_SESSION,
                    assertInstanceOf(DtlsException.class, write.cause()).reason());
        }
    }

    @Test
    void clientHandshakeCapRefusesTheNextPeer() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer())) {
            DtlsLoopback.Client client = lo.client(DtlsConfig.clientPsk(DtlsHandshakeTest.PSK_ID, DtlsHandshakeTest.PSK)
                    .maxConcurrentHandshakes(1).handshakeTimeoutMillis(5000).build()); // the last, real handshake must fit too, on a busy machine
            InetSocketAddress silent = new InetSocketAddress("127.0.0.1", 9);
            client.channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(HELLO), silent));
            ChannelFuture refused = client.send(HELLO);
            assertTrue(refused.await(DtlsLoopback.WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(DtlsException.Reason.TOO_MANY_HANDSHAKES,
                    assertInstanceOf(DtlsException.class, refused.cause()).reason());
            DtlsException first = failure(client);
            assertEquals(DtlsException.Reason.TOO_MANY_HANDSHAKES, first.reason());
            DtlsException timedOut = failure(client);
            assertEquals(DtlsException.Reason.HANDSHAKE_TIMEOUT, timedOut.reason());
            client.echo(HELLO);
            client.close();
        }
    }

    private static void healthyPskClient(DtlsLoopback lo) throws Exception {
        DtlsLoopback.Client good = lo.client(DtlsConfig.clientPsk(DtlsHandshakeTest.PSK_ID, DtlsHandshakeTest.PSK).build());
        good.echo(HELLO);
        assertTrue(lo.serverDtls.stats().handshakesSucceeded() >= 1);
        good.close();
    }

    private static DtlsException failure(DtlsLoopback.Client client) throws InterruptedException {
        DtlsHandshakeCompletionEvent done = client.handshake();
        assertFalse(done.isSuccess(), "the handshake should have failed");
        return assertInstanceOf(DtlsException.class, done.cause());
    }
}
