package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Closing a session, rekeying at the record limit, idle eviction, channel close and client restarts. */
@Timeout(60)
class SessionLifecycleTest {
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

    private static DtlsConfig.Builder pskClient() {
        return DtlsConfig.clientPsk(DtlsHandshakeTest.PSK_ID, DtlsHandshakeTest.PSK);
    }

    @Test
    void closeSessionSendsCloseNotifyAndTheNextWriteHandshakesAgain() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer())) {
            DtlsLoopback.Client client = lo.client(pskClient().build());
            client.echo(HELLO);
            assertTrue(client.dtls.isEstablished(client.server));
            client.dtls.closeSession(client.server);
            DtlsSessionClosedEvent mine = client.recorder.next(DtlsSessionClosedEvent.class);
            assertEquals(DtlsException.Reason.CLOSED, mine.reason().reason());
            DtlsSessionClosedEvent theirs = lo.nextServerEvent(DtlsSessionClosedEvent.class);
            assertEquals(DtlsException.Reason.CLOSED_BY_PEER, theirs.reason().reason(), theirs.toString());
            assertEquals(client.address(), theirs.peer());
            client.echo(HELLO);
            assertEquals(2, client.dtls.stats().handshakesSucceeded());
            client.close();
        }
    }

    @Test
    void recordLimitClosesTheSessionAndAClientRekeysWithANewHandshake() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer())) {
            DtlsLoopback.Client client = lo.client(pskClient().maxRecordsPerKey(5).build());
            for (int i = 0; i < 5; i++) {
                client.echo(HELLO);
            }
            assertTrue(client.handshake().isSuccess());
            assertEquals(5, client.dtls.recordsSent(client.server));
            client.echo(HELLO);
            DtlsSessionClosedEvent closed = client.recorder.next(DtlsSessionClosedEvent.class);
            assertEquals(DtlsException.Reason.KEY_LIMIT_REACHED, closed.reason().reason());
            assertTrue(client.handshake().isSuccess(), "a second handshake rekeyed");
            assertEquals(1, client.dtls.recordsSent(client.server));
            assertEquals(2, client.dtls.stats().handshakesSucceeded());
            client.close();
        }
    }

    @Test
    void idleSessionsAreEvicted() throws Exception {
        DtlsConfig server = DtlsConfig.serverPsk(id -> DtlsHandshakeTest.PSK.clone()).idleTimeoutMillis(300).build();
        try (DtlsLoopback lo = DtlsLoopback.start(server)) {
            DtlsLoopback.Client client = lo.client(pskClient().build());
            client.echo(HELLO);
            DtlsSessionClosedEvent idle = lo.nextServerEvent(DtlsSessionClosedEvent.class);
            assertEquals(DtlsException.Reason.IDLE_TIMEOUT, idle.reason().reason());
            DtlsSessionClosedEvent notified = client.recorder.next(DtlsSessionClosedEvent.class);
            assertEquals(DtlsException.Reason.CLOSED_BY_PEER, notified.reason().reason());
            assertEquals(0, lo.serverDtls.stats().sessionsOpen());
            client.echo(HELLO);
            client.close();
        }
    }

    @Test
    void closingTheServerChannelNotifiesClients() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer())) {
            DtlsLoopback.Client client = lo.client(pskClient().build());
            client.echo(HELLO);
            lo.server.close().sync();
            DtlsSessionClosedEvent closed = client.recorder.next(DtlsSessionClosedEvent.class);
            assertEquals(DtlsException.Reason.CLOSED_BY_PEER, closed.reason().reason());
            assertEquals(0, lo.serverDtls.stats().sessionsOpen());
            client.close();
        }
    }

    @Test
    void aRestartedClientOnTheSameAddressReplacesItsSession() throws Exception {
        try (DtlsLoopback lo = DtlsLoopback.start(DtlsHandshakeTest.pskServer())) {
            DtlsLoopback.Client first = lo.client(pskClient().build());
            first.echo(HELLO);
            assertTrue(lo.nextServerEvent(DtlsHandshakeCompletionEvent.class).isSuccess());
            DtlsHandler restarted = DtlsHandler.client(pskClient().build());
            first.channel.pipeline().replace(first.dtls, "restarted", restarted);
            DtlsLoopback.Client second = new DtlsLoopback.Client(first.channel, restarted, first.recorder, first.server);
            second.echo(HELLO);
            DtlsSessionClosedEvent replaced = lo.nextServerEvent(DtlsSessionClosedEvent.class);
            assertEquals(DtlsException.Reason.CLOSED_BY_PEER, replaced.reason().reason());
            assertTrue(lo.nextServerEvent(DtlsHandshakeCompletionEvent.class).isSuccess());
            assertEquals(1, lo.serverDtls.stats().sessionsOpen());
            assertEquals(2, lo.serverDtls.stats().handshakesSucceeded());
            second.close();
        }
    }
}
