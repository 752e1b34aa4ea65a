package dev.rudp.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SessionParameters;
import org.bouncycastle.tls.TlsSession;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The abbreviated handshake: a saved session resumed over loopback, and what is not resumed. */
@Timeout(60)
class ResumptionTest {
    private static final String PIN = DtlsConfig.fingerprint(DtlsHandshakeTest.SERVER.certificate());
    private static final TlsCrypto CRYPTO = new BcTlsCrypto(new SecureRandom());

    /** A client store in memory, by address. */
    private static final class Store implements DtlsSessionStore {
        final Map<InetSocketAddress, byte[]> saved = new ConcurrentHashMap<>();
        final AtomicInteger saves = new AtomicInteger();

        @Override
        public byte[] load(InetSocketAddress server) {
            return saved.get(server);
        }

        @Override
        public void save(InetSocketAddress server, byte[] session) {
            saves.incrementAndGet();
            saved.put(server, session);
        }
    }

    /** A session with this ID, the extended master secret or not, and this master secret. */
    private static TlsSession session(byte[] id, boolean extendedMasterSecret, byte[] master) {
        return TlsUtils.importSession(id, new SessionParameters.Builder()
                .setCipherSuite(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
                .setExtendedMasterSecret(extendedMasterSecret).setNegotiatedVersion(ProtocolVersion.DTLSv12)
                .setMasterSecret(CRYPTO.createSecret(master)).build());
    }

    private static DtlsConfig server(int sessions) {
        DtlsConfig.Builder b = DtlsConfig.serverCertificate(DtlsHandshakeTest.SERVER.privateKey(),
                DtlsHandshakeTest.SERVER.certificate());
        return (sessions > 0 ? b.resumableSessions(sessions) : b).build();
    }

    private static DtlsConfig client(Store store, AtomicInteger verified, DtlsConfig.Crypto crypto) {
        return DtlsConfig.clientCertificateVerifier(ServerCertificateVerifier.pinning((fp, peer) -> {
            verified.incrementAndGet();
            if (!fp.equals(PIN)) {
                throw DtlsException.certificateRejected("pin mismatch");
            }
        })).sessionStore(store).crypto(crypto).build();
    }

    @Test
    void aSecondClientResumesTheSessionTheFirstSaved() throws Exception {
        Store store = new Store();
        AtomicInteger verified = new AtomicInteger();
        try (DtlsLoopback lo = DtlsLoopback.start(server(100))) {
            DtlsLoopback.Client first = lo.client(client(store, verified, DtlsConfig.Crypto.BC));
            DtlsHandshakeTest.echoMany(first, 20);
            assertEquals(1, store.saves.get());
            assertEquals(1, verified.get());
            first.close();

            // a new client config over the same store: as a new process reading the saved session
            DtlsLoopback.Client second = lo.client(client(store, verified, DtlsConfig.Crypto.JCA));
            DtlsHandshakeTest.echoMany(second, 50);
            assertEquals(1, verified.get(), "a resumed handshake shows no certificate");
            assertEquals(1, store.saves.get(), "a resumed session is not saved again");
            assertEquals(1, second.dtls.stats().handshakesResumed());
            assertEquals(1, lo.serverDtls.stats().handshakesResumed());
            assertEquals(2, lo.serverDtls.stats().handshakesSucceeded());
            assertTrue(second.dtls.usesJdkRecords(second.server), "resumed records on the JDK's AES-GCM");
            assertTrue(lo.serverDtls.usesJdkRecords(second.address()));
            second.close();
        }
    }

    /** A server's values bound to a session reach the connections that resume it, and no other. */
    @Test
    void valuesBoundToASessionFollowItsResumption() throws Exception {
        Store store = new Store();
        AtomicInteger verified = new AtomicInteger();
        try (DtlsLoopback lo = DtlsLoopback.start(server(100))) {
            DtlsLoopback.Client first = lo.client(client(store, verified, DtlsConfig.Crypto.BC));
            DtlsHandshakeTest.echoMany(first, 5);
            assertNull(first.dtls.sessionValues(first.server), "a client keeps no values");
            java.util.concurrent.ConcurrentMap<String, Object> values = lo.serverDtls.sessionValues(first.address());
            assertNotNull(values);
            assertTrue(values.isEmpty(), "a new session starts with none");
            values.put("who", "bob");
            first.close();

            DtlsLoopback.Client second = lo.client(client(store, verified, DtlsConfig.Crypto.BC));
            DtlsHandshakeTest.echoMany(second, 5);
            assertEquals(1, second.dtls.stats().handshakesResumed());
            assertEquals("bob", lo.serverDtls.sessionValues(second.address()).get("who"));

            DtlsLoopback.Client other = lo.client(client(new Store(), verified, DtlsConfig.Crypto.BC));
            DtlsHandshakeTest.echoMany(other, 5);
            assertEquals(0, other.dtls.stats().handshakesResumed());
            assertTrue(lo.serverDtls.sessionValues(other.address()).isEmpty(), "another session, other values");
            second.close();
            other.close();
        }
        try (DtlsLoopback lo = DtlsLoopback.start(server(0))) {
            DtlsLoopback.Client c = lo.client(client(new Store(), verified, DtlsConfig.Crypto.BC));
            DtlsHandshakeTest.echoMany(c, 5);
            assertNull(lo.serverDtls.sessionValues(c.address()), "a server keeping no sessions binds nothing");
            c.close();
        }
    }

    @Test
    void aServerThatKeepsNoSessionsRunsFullHandshakes() throws Exception {
        Store store = new Store();
        AtomicInteger verified = new AtomicInteger();
        try (DtlsLoopback lo = DtlsLoopback.start(server(0))) {
            for (int i = 1; i <= 2; i++) {
                DtlsLoopback.Client c = lo.client(client(store, verified, DtlsConfig.Crypto.BC));
                DtlsHandshakeTest.echoMany(c, 5);
                assertEquals(i, verified.get());
                c.close();
            }
            assertEquals(0, store.saves.get(), "a session without an ID cannot be resumed: nothing saved");
            assertEquals(0, lo.serverDtls.stats().handshakesResumed());
        }
    }

    /** A server restarted (or another behind the address) does not know the session: a full handshake, checked and saved anew. */
    @Test
    void anUnknownSessionFallsBackToAFullHandshake() throws Exception {
        Store store = new Store();
        AtomicInteger verified = new AtomicInteger();
        try (DtlsLoopback lo = DtlsLoopback.start(server(100))) {
            DtlsLoopback.Client c = lo.client(client(store, verified, DtlsConfig.Crypto.BC));
            InetSocketAddress at = c.server;
            byte[] stranger = Resumption.encode(session(new byte[32], true, new byte[48]), CRYPTO,
                    System.currentTimeMillis() / 1000);
            store.saved.put(at, stranger);
            DtlsHandshakeTest.echoMany(c, 5);
            assertEquals(1, verified.get());
            assertEquals(0, lo.serverDtls.stats().handshakesResumed());
            assertFalse(java.util.Arrays.equals(stranger, store.saved.get(at)), "the new session replaced it");
            c.close();
        }
    }

    @Test
    void aSavedSessionRoundTripsAndExpires() {
        byte[] id = new byte[32];
        byte[] master = new byte[48];
        new SecureRandom().nextBytes(master);
        TlsSession session = session(id, true, master);
        byte[] saved = Resumption.encode(session, CRYPTO, 1_000);
        assertNotNull(saved);
        assertTrue(session.exportSessionParameters().getMasterSecret().isAlive(), "encoding leaves the session usable");
        TlsSession back = Resumption.decode(saved, CRYPTO, 1_000 + 3_599, 3_600);
        assertNotNull(back);
        assertArrayEquals(id, back.getSessionID());
        SessionParameters p = back.exportSessionParameters();
        assertEquals(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, p.getCipherSuite());
        assertTrue(p.isExtendedMasterSecret());
        assertArrayEquals(master, p.getMasterSecret().extract());
        assertNull(Resumption.decode(saved, CRYPTO, 1_000 + 3_600, 3_600), "expired");
        assertNull(Resumption.decode(saved, CRYPTO, 999, 3_600), "saved in the future");
        assertNull(Resumption.decode(java.util.Arrays.copyOf(saved, saved.length - 1), CRYPTO, 1_000, 3_600));
        assertNull(Resumption.decode(new byte[0], CRYPTO, 1_000, 3_600));
        byte[] other = saved.clone();
        other[0] = 2;
        assertNull(Resumption.decode(other, CRYPTO, 1_000, 3_600), "another format");
        assertNull(Resumption.encode(session(id, false, master),
                CRYPTO, 1_000), "no extended master secret: never resumed (RFC 7627)");
        assertTrue(Resumption.isCurrent(saved, 1_000 + 3_599, 3_600));
        assertFalse(Resumption.isCurrent(saved, 1_000 + 3_600, 3_600), "expired");
        assertFalse(Resumption.isCurrent(other, 1_000, 3_600), "another format");
        assertFalse(Resumption.isCurrent(new byte[3], 1_000, 3_600));
        assertFalse(DtlsSessionStore.isCurrent(null, 3_600_000));
    }

    @Test
    void theServerCacheForgetsTheLeastRecentlyUsedAndTheExpired() {
        Resumption.Cache cache = new Resumption.Cache(2, 1_000);
        TlsSession[] s = new TlsSession[3];
        for (int i = 0; i < 3; i++) {
            s[i] = session(cache.newSessionId(), true, new byte[48]);
        }
        cache.store(s[0], 0);
        cache.store(s[1], 1);
        assertEquals(s[0], cache.lookup(s[0].getSessionID(), 2)); // s[1] is now the least recently used
        cache.store(s[2], 3);
        assertEquals(2, cache.size());
        assertNull(cache.lookup(s[1].getSessionID(), 4));
        assertFalse(s[1].isResumable());
        assertFalse(s[1].exportSessionParameters().getMasterSecret().isAlive(), "its master secret zeroed");
        assertNull(cache.values(s[1].getSessionID()), "its values gone with it");
        cache.values(s[2].getSessionID()).put("who", "bob");
        assertEquals(s[2], cache.lookup(s[2].getSessionID(), 4));
        java.util.concurrent.ConcurrentMap<String, Object> bound = cache.values(s[2].getSessionID());
        assertNull(cache.lookup(s[2].getSessionID(), 3 + 1_000_000_000L), "expired after the lifetime");
        assertTrue(bound.isEmpty(), "what was bound to an expired session is dropped");
        assertNull(cache.lookup(new byte[0], 4));
    }

    @Test
    void onlyCertificatePeersResume() {
        assertThrows(IllegalStateException.class, () -> DtlsConfig.clientPsk(DtlsHandshakeTest.PSK_ID,
                DtlsHandshakeTest.PSK).sessionStore(new Store()));
        assertThrows(IllegalStateException.class, () -> DtlsConfig.serverPsk(id -> null).resumableSessions(1));
        assertThrows(IllegalStateException.class, () -> DtlsConfig.clientCertificateVerifier((c, p) -> { })
                .resumableSessions(1));
    }
}
