package dev.rudp.dtls;

import java.net.InetSocketAddress;

/**
 * Where a DTLS client keeps the session it may resume with each server, so that a later handshake
 * (in this process or another) is the abbreviated one: no key exchange, certificate or signature,
 * about half a new JVM's handshake. The bytes are opaque and hold the session's master secret:
 * keep them as a private key is kept (owner-only), and under a name that says which server identity
 * they were made with, since a resumed handshake does not show the server's certificate again.
 *
 * <p>Called on a handshake thread; implementations must be thread-safe and should not block long.
 * Failures to store are the store's to report; a session that cannot be loaded is just not offered.
 */
public interface DtlsSessionStore {
    /** The session saved for {@code server}, or null. */
    byte[] load(InetSocketAddress server);

    /** Keeps {@code session}, which a full handshake with {@code server} just established, replacing any other. */
    void save(InetSocketAddress server, byte[] session);

    /**
     * Whether a client would still offer {@code saved} (bytes it gave {@link #save}): of this version and
     * younger than {@code lifetimeMillis} ({@link DtlsConfig#sessionLifetimeMillis()}). Lets a caller
     * guess, before connecting, whether the handshake may resume; the server decides.
     */
    static boolean isCurrent(byte[] saved, long lifetimeMillis) {
        return Resumption.isCurrent(saved, System.currentTimeMillis() / 1000, lifetimeMillis / 1000);
    }
}
