package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A record altered in flight and a record delivered twice are both dropped and counted, and the session
 * carries on. Datagrams on loopback arrive in order at the one server socket, so once the echo of a later
 * datagram is back the earlier one has been processed.
 */
@Timeout(60)
class TamperReplayTest {
    @Test
    void tamperedRecordIsDroppedAndCounted() throws Exception {
        Meddler meddler = new Meddler();
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer(), meddler)) {
            DtlsLoopback.Client client = lo.client(DtlsConfig.clientPsk(DtlsHandshakeTest.PSK_ID, DtlsHandshakeTest.PSK).build());
            client.echo(bytes("first"));
            meddler.arm(Meddler.Mode.TAMPER);
            client.send(bytes("tampered"));
            client.echo(bytes("after"));
            assertNull(client.recorder.received.poll(0, TimeUnit.SECONDS), "the tampered record came through");
            assertEquals(1, lo.serverDtls.stats().droppedReplayOrTampered(), lo.serverDtls.stats().toString());
            assertEquals(1, lo.serverDtls.stats().sessionsOpen());
            client.echo(bytes("still alive"));
            client.close();
        }
    }

    @Test
    void replayedRecordIsDroppedAndCounted() throws Exception {
        Meddler meddler = new Meddler();
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer(), meddler)) {
            DtlsLoopback.Client client = lo.client(DtlsConfig.clientPsk(DtlsHandshakeTest.PSK_ID, DtlsHandshakeTest.PSK).build());
            client.echo(bytes("first"));
            meddler.arm(Meddler.Mode.REPLAY);
            client.echo(bytes("once"));
            client.echo(bytes("next"));
            assertNull(client.recorder.received.poll(0, TimeUnit.SECONDS), "the replayed record came through");
            assertEquals(1, lo.serverDtls.stats().droppedReplayOrTampered(), lo.serverDtls.stats().toString());
            client.close();
        }
    }

    @Test
    void garbageIsDroppedAndCounted() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer());
                java.net.DatagramSocket raw = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            byte[] junk = bytes("GET / HTTP/1.1");
            raw.send(new java.net.DatagramPacket(junk, junk.length, lo.serverAddress()));
            DtlsLoopback.Client client = lo.client(DtlsConfig.clientPsk(DtlsHandshakeTest.PSK_ID, DtlsHandshakeTest.PSK).build());
            client.echo(bytes("hello"));
            assertEquals(1, lo.serverDtls.stats().droppedGarbage());
            client.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

}
