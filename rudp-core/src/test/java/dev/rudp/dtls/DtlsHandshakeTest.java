package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.dtls.DtlsConfig.KeyAndCertificate;
import io.netty.channel.ChannelFuture;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Handshakes with certificates and pre-shared keys, echoes, and the record size limit, over loopback. */
@Timeout(60)
class DtlsHandshakeTest {
    static final KeyAndCertificate SERVER = DtlsConfig.selfSigned("rudp test server");
    static final byte[] PSK_ID = "alice".getBytes(StandardCharsets.UTF_8);
    static final byte[] PSK = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);

    static DtlsConfig certificateServer() {
        return DtlsConfig.serverCertificate(SERVER.privateKey(), SERVER.certificate()).build();
    }

    static DtlsConfig pinnedClient(String fingerprint) {
        return DtlsConfig.clientCertificateVerifier((chain, peer) -> {
            String got = DtlsConfig.fingerprint(chain[0]);
            if (!got.equals(fingerprint)) {
                throw DtlsException.certificateRejected("server certificate fingerprint mismatch: expected "
                        + fingerprint + ", got " + got);
            }
        }).build();
    }

    static DtlsConfig pskServer() {
        return DtlsConfig.serverPsk(id -> Arrays.equals(id, PSK_ID) ? PSK.clone() : null).build();
    }

    @Test
    void certificateHandshakeThenManyEchoes() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(certificateServer())) {
            DtlsLoopback.Client client = lo.client(pinnedClient(DtlsConfig.fingerprint(SERVER.certificate())));
            echoMany(client, 400);
            DtlsHandshakeCompletionEvent atServer = lo.nextServerEvent(DtlsHandshakeCompletionEvent.class);
            assertTrue(atServer.isSuccess(), atServer.toString());
            assertEquals(client.address(), atServer.peer());
            DtlsStats server = lo.serverDtls.stats();
            assertEquals(1, server.handshakesSucceeded(), server.toString());
            assertTrue(server.helloVerifyRequestsSent() >= 1, "the cookie exchange ran: " + server);
            assertEquals(1, server.sessionsOpen());
            assertEquals(400, client.dtls.recordsSent(client.server));
            client.close();
        }
    }

    /**
     * The client offers fixed groups and ECDSA signature algorithms (TlsPeers) rather than probing
     * BouncyCastle's defaults: a server whose key is on P-384, signing with SHA-384, still agrees.
     */
    @Test
    void serverKeyOnP384Handshakes() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair pair = gen.generateKeyPair();
        X500Name name = new X500Name("CN=p384 server");
        Instant now = Instant.now();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.ONE, Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(1))),
                name, pair.getPublic()).build(new JcaContentSignerBuilder("SHA384withECDSA").build(pair.getPrivate())));
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsConfig.serverCertificate(pair.getPrivate(), cert).build())) {
            DtlsLoopback.Client client = lo.client(pinnedClient(DtlsConfig.fingerprint(cert)));
            echoMany(client, 10);
            assertEquals(1, lo.serverDtls.stats().handshakesSucceeded());
            client.close();
        }
    }

    @Test
    void pskHandshakeThenManyEchoes() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(pskServer())) {
            DtlsLoopback.Client client = lo.client(DtlsConfig.clientPsk(PSK_ID, PSK).build());
            echoMany(client, 400);
            client.close();
        }
    }

    @Test
    void bouncyCastleCryptoInteroperatesWithJca() throws Exception {
        DtlsConfig server = DtlsConfig.serverCertificate(SERVER.privateKey(), SERVER.certificate())
                .crypto(DtlsConfig.Crypto.BC).build();
        try (DtlsLoopback lo = DtlsLoopback.start(server)) {
            DtlsLoopback.Client client = lo.client(pinnedClient(DtlsConfig.fingerprint(SERVER.certificate())));
            echoMany(client, 20);
            client.close();
        }
    }

    /**
     * The client a new JVM runs (fileclient's): BouncyCastle's own crypto for the handshake, the server
     * pinned by the fingerprint of the certificate's bytes; its application records still go to the JDK.
     */
    @Test
    void bouncyCastleClientPinningTheFingerprintUsesJdkRecords() throws Exception {
        String expected = DtlsConfig.fingerprint(SERVER.certificate());
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        DtlsConfig config = DtlsConfig.clientCertificateVerifier(ServerCertificateVerifier.pinning((fp, peer) -> {
            seen.add(fp);
            if (!fp.equals(expected)) {
                throw DtlsException.certificateRejected("pin mismatch");
            }
        })).crypto(DtlsConfig.Crypto.BC).build();
        try (DtlsLoopback lo = DtlsLoopback.start(certificateServer())) {
            DtlsLoopback.Client client = lo.client(config);
            echoMany(client, 50);
            assertEquals(java.util.List.of(expected), seen);
            assertTrue(client.dtls.usesJdkRecords(client.server), "records on the JDK's AES-GCM");
            assertTrue(lo.serverDtls.usesJdkRecords(client.address()));
            client.close();
        }
    }

    @Test
    void recordAtTheLimitPassesAndOneByteMoreIsRefused() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(pskServer())) {
            DtlsLoopback.Client client = lo.client(DtlsConfig.clientPsk(PSK_ID, PSK).build());
            int limit = client.dtls.plaintextLimit();
            assertEquals(DtlsConfig.DEFAULT_MAX_RECORD_PLAINTEXT, limit);
            assertEquals(37, DtlsHandler.recordOverhead());
            byte[] full = new byte[limit];
            new Random(1).nextBytes(full);
            client.echo(full);
            client.echo(new byte[0]);
            ChannelFuture tooLarge = client.send(new byte[limit + 1]);
            assertTrue(tooLarge.await(DtlsLoopback.WAIT_SECONDS, TimeUnit.SECONDS));
            DtlsException e = assertInstanceOf(DtlsException.class, tooLarge.cause());
            assertEquals(DtlsException.Reason.RECORD_TOO_LARGE, e.reason());
            client.echo(full);
            client.close();
        }
    }

    @Test
    void smallerConfiguredLimitSizesRecords() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(pskServer())) {
            DtlsLoopback.Client client = lo.client(DtlsConfig.clientPsk(PSK_ID, PSK).maxRecordPlaintext(1200).build());
            client.echo(new byte[1200]);
            ChannelFuture tooLarge = client.send(new byte[1201]);
            assertTrue(tooLarge.await(DtlsLoopback.WAIT_SECONDS, TimeUnit.SECONDS));
            assertFalse(tooLarge.isSuccess());
            client.close();
        }
    }

    /** The first datagram starts the handshake; the rest echo back in order, 16 in flight at most. */
    static void echoMany(DtlsLoopback.Client client, int count) throws InterruptedException {
        Random random = new Random(count);
        byte[][] sent = new byte[count][];
        int acked = 0;
        for (int i = 0; i < count; i++) {
            sent[i] = new byte[1 + random.nextInt(client.dtls.plaintextLimit())];
            random.nextBytes(sent[i]);
            sent[i][0] = (byte) i;
            client.send(sent[i]);
            if (i == 0) {
                DtlsHandshakeCompletionEvent done = client.handshake();
                assertNull(done.cause(), () -> "handshake failed: " + done.cause());
                assertEquals(client.server, done.peer());
            }
            while (i - acked >= 16 || (i == count - 1 && acked < count)) {
                byte[] got = client.recorder.received.poll(DtlsLoopback.WAIT_SECONDS, TimeUnit.SECONDS);
                assertNotNull(got, "echo " + acked + " missing");
                assertTrue(Arrays.equals(sent[acked], got), "echo " + acked + " differs");
                acked++;
            }
        }
    }
}
