package dev.rudp.dtls;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SessionParameters;
import org.bouncycastle.tls.TlsSession;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.TlsSecret;

/**
 * DTLS 1.2 session resumption (RFC 5246 section 7.3, the abbreviated handshake; RFC 7627 makes it safe
 * only for sessions with the extended master secret, which BouncyCastle requires): the session a client
 * saves ({@link #encode}, {@link #decode}) and the sessions a server keeps ({@link Cache}).
 *
 * <p>A resumed handshake skips the ephemeral key exchange, the server's certificate and its signature:
 * it proves both ends hold the master secret of a full handshake in which the client checked the
 * server's certificate. Its records have no forward secrecy of their own (whoever learns the master
 * secret can read them), so sessions expire after {@link DtlsConfig#sessionLifetimeMillis()}.
 *
 * <p>A saved session (all integers big-endian):
 * <pre>
 * version(1) = 1 | saved at, epoch seconds(8) | cipher suite(2) | extended master secret(1) = 1
 * | session ID length(1) | session ID | master secret length(1) | master secret
 * </pre>
 * It holds a secret: whoever keeps it must keep it like a private key.
 */
final class Resumption {
    private static final int FORMAT = 1;

    private Resumption() {
    }

    /**
     * The saved form of the session a full handshake just established, or null when it cannot be
     * resumed (no session ID, no extended master secret, not DTLS 1.2, its secret gone).
     */
    static byte[] encode(TlsSession session, TlsCrypto crypto, long nowSeconds) {
        if (session == null || !session.isResumable()) {
            return null;
        }
        SessionParameters p = session.exportSessionParameters();
        byte[] id = session.getSessionID();
        if (p == null || !p.isExtendedMasterSecret() || !ProtocolVersion.DTLSv12.equals(p.getNegotiatedVersion())
                || id.length == 0 || id.length > 32) {
            return null;
        }
        if (p.getMasterSecret() == null) {
            return null;
        }
        TlsSecret master;
        synchronized (p.getMasterSecret()) { // as BouncyCastle copies it (TlsUtils.getSessionMasterSecret)
            if (!p.getMasterSecret().isAlive()) {
                return null;
            }
            master = crypto.adoptSecret(p.getMasterSecret()); // a copy: extract() consumes it
        }
        byte[] ms = master.extract();
        try {
            return ByteBuffer.allocate(1 + 8 + 2 + 1 + 1 + id.length + 1 + ms.length).put((byte) FORMAT)
                    .putLong(nowSeconds).putShort((short) p.getCipherSuite()).put((byte) 1)
                    .put((byte) id.length).put(id).put((byte) ms.length).put(ms).array();
        } finally {
            Arrays.fill(ms, (byte) 0);
        }
    }

    /** Whether {@code saved} is of this format and younger than {@code lifetimeSeconds} (its secret unread). */
    static boolean isCurrent(byte[] saved, long nowSeconds, long lifetimeSeconds) {
        if (saved == null || saved.length < 9 || saved[0] != FORMAT) {
            return false;
        }
        long savedAt = ByteBuffer.wrap(saved, 1, 8).getLong();
        return nowSeconds >= savedAt && nowSeconds - savedAt < lifetimeSeconds;
    }

    /**
     * The session {@code saved} holds, for a client to offer; null when it is malformed, of another
     * format, or older than {@code lifetimeSeconds}.
     */
    static TlsSession decode(byte[] saved, TlsCrypto crypto, long nowSeconds, long lifetimeSeconds) {
        if (saved == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(saved);
        byte[] ms = null;
        try {
            if (b.get() != FORMAT) {
                return null;
            }
            long savedAt = b.getLong();
            if (nowSeconds < savedAt || nowSeconds - savedAt >= lifetimeSeconds) {
                return null;
            }
            int suite = b.getShort() & 0xFFFF;
            if (b.get() != 1) {
                return null;
            }
            byte[] id = new byte[b.get() & 0xFF];
            b.get(id);
            ms = new byte[b.get() & 0xFF];
            b.get(ms);
            if (id.length == 0 || id.length > 32 || ms.length != 48 || b.hasRemaining()) {
                return null;
            }
            SessionParameters p = new SessionParameters.Builder().setCipherSuite(suite).setExtendedMasterSecret(true)
                    .setNegotiatedVersion(ProtocolVersion.DTLSv12).setMasterSecret(crypto.createSecret(ms)).build();
            return TlsUtils.importSession(id, p);
        } catch (RuntimeException malformed) { // a short or garbled file
            return null;
        } finally {
            if (ms != null) {
                Arrays.fill(ms, (byte) 0);
            }
        }
    }

    /**
     * A server's resumable sessions by ID: at most {@code capacity}, the least recently used dropped
     * first, none older than the lifetime. Shared by the handshake threads of one {@link DtlsConfig}.
     */
    static final class Cache {
        private final int capacity;
        private final long lifetimeNanos;
        private final SecureRandom random = new SecureRandom();
        /** By ID (a ByteBuffer compares its bytes), least recently used first. */
        private final LinkedHashMap<ByteBuffer, Entry> sessions = new LinkedHashMap<>(16, 0.75f, true);

        Cache(int capacity, long lifetimeMillis) {
            this.capacity = capacity;
            this.lifetimeNanos = lifetimeMillis * 1_000_000L;
        }

        /** A random 32-byte ID for a new session. */
        byte[] newSessionId() {
            byte[] id = new byte[32];
            random.nextBytes(id);
            return id;
        }

        /** The live session with this ID, or null. */
        synchronized TlsSession lookup(byte[] id, long nowNanos) {
            if (id == null || id.length == 0) {
                return null;
            }
            ByteBuffer key = ByteBuffer.wrap(id.clone());
            Entry e = sessions.get(key);
            if (e == null) {
                return null;
            }
            if (nowNanos - e.storedNanos >= lifetimeNanos || !e.session.isResumable()) {
                sessions.remove(key);
                forget(e);
                return null;
            }
            return e.session;
        }

        /**
         * The values bound to the live session with this ID ({@link DtlsHandler#sessionValues}), or null.
         * Touches it, as a resumption does.
         */
        synchronized ConcurrentMap<String, Object> values(byte[] id) {
            Entry e = id == null || id.length == 0 ? null : sessions.get(ByteBuffer.wrap(id.clone()));
            return e == null ? null : e.values;
        }

        /**
         * No longer resumable, its master secret zeroed (a handshake copying it just then falls back to a
         * full one), and what was bound to it dropped: a value bound to a session must not outlive the
         * session's resumability.
         */
        private static void forget(Entry e) {
            e.values.clear();
            TlsSession session = e.session;
            session.invalidate();
            SessionParameters p = session.exportSessionParameters();
            if (p != null) {
                p.clear();
            }
        }

        /**
         * Keeps a session a full handshake established; returns the values bound to it (new, empty), or
         * null when it cannot be kept.
         */
        synchronized ConcurrentMap<String, Object> store(TlsSession session, long nowNanos) {
            if (session == null || !session.isResumable() || session.getSessionID().length == 0) {
                return null;
            }
            Entry stored = new Entry(session, nowNanos, new ConcurrentHashMap<>(4));
            sessions.put(ByteBuffer.wrap(session.getSessionID().clone()), stored);
            Iterator<Map.Entry<ByteBuffer, Entry>> it = sessions.entrySet().iterator();
            while (it.hasNext()) { // least recently used first: over capacity, or expired
                Entry e = it.next().getValue();
                if (sessions.size() <= capacity && nowNanos - e.storedNanos < lifetimeNanos) {
                    break;
                }
                it.remove();
                forget(e);
            }
            return stored.values();
        }

        synchronized int size() {
            return sessions.size();
        }

        private record Entry(TlsSession session, long storedNanos, ConcurrentMap<String, Object> values) {
        }
    }
}
