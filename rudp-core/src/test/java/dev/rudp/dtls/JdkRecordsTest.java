package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Application records on the JDK path ({@link GcmRecords}) through real handlers on loopback: both
 * ends take it over after the handshake, and either end still talks to one that keeps every record on
 * BouncyCastle's path (our records opened by BouncyCastle, BouncyCastle's opened by ours), with records
 * of every size up to 16 KiB and the close_notify that BouncyCastle seals after the hand-over.
 */
@Timeout(90)
class JdkRecordsTest {
    private static DtlsConfig pskServer(boolean jdk) {
        return DtlsConfig.serverPsk(id -> Arrays.equals(id, DtlsHandshakeTest.PSK_ID) ? DtlsHandshakeTest.PSK.clone()
                : null).jdkRecords(jdk).build();
    }

    private static DtlsConfig pskClient(boolean jdk) {
        return DtlsConfig.clientPsk(DtlsHandshakeTest.PSK_ID, DtlsHandshakeTest.PSK).jdkRecords(jdk).build();
    }

    @Test
    void certificateSessionsUseJdkRecordsOnBothEnds() throws Exception {
        DtlsConfig server = DtlsConfig.serverCertificate(DtlsHandshakeTest.SERVER.privateKey(),
                DtlsHandshakeTest.SERVER.certificate()).jdkRecords(true).build();
        try (DtlsLoopback lo = DtlsLoopback.start(server)) {
            DtlsLoopback.Client client = lo.client(
                    DtlsHandshakeTest.pinnedClient(DtlsConfig.fingerprint(DtlsHandshakeTest.SERVER.certificate())));
            DtlsHandshakeTest.echoMany(client, 300);
            assertTrue(client.dtls.usesJdkRecords(client.server), "client on the JDK path");
            assertTrue(lo.serverDtls.usesJdkRecords(client.address()), "server on the JDK path");
            assertEquals(0, lo.serverDtls.stats().droppedReplayOrTampered(), lo.serverDtls.stats().toString());
            assertEquals(0, client.dtls.stats().droppedReplayOrTampered(), client.dtls.stats().toString());
            client.close();
        }
    }

    @Test
    void jdkClientTalksToBouncyCastleServer() throws Exception {
        mixed(false, true);
    }

    @Test
    void bouncyCastleClientTalksToJdkServer() throws Exception {
        mixed(true, false);
    }

    @Test
    void bouncyCastleOnBothEndsWhenSwitchedOff() throws Exception {
        mixed(false, false);
    }

    private static void mixed(boolean jdkServer, boolean jdkClient) throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(pskServer(jdkServer))) {
            DtlsLoopback.Client client = lo.client(pskClient(jdkClient));
            DtlsHandshakeTest.echoMany(client, 300);
            client.echo(new byte[client.dtls.plaintextLimit()]);
            client.echo(new byte[1]);
            assertEquals(jdkClient, client.dtls.usesJdkRecords(client.server));
            assertEquals(jdkServer, lo.serverDtls.usesJdkRecords(client.address()));
            assertEquals(0, lo.serverDtls.stats().droppedReplayOrTampered(), lo.serverDtls.stats().toString());
            assertEquals(0, client.dtls.stats().droppedReplayOrTampered(), client.dtls.stats().toString());
            // close_notify: sealed by BouncyCastle, then (on a JDK client) sealed again with the JDK
            // path's sequence number; the server must accept it and end the session.
            client.dtls.closeSession(client.server);
            DtlsSessionClosedEvent closed = lo.nextServerEvent(DtlsSessionClosedEvent.class);
            assertEquals(client.address(), closed.peer());
            assertFalse(lo.serverDtls.isEstablished(client.address()));
            client.close();
        }
    }
}
