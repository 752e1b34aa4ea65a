package dev.rudp.dtls;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;

/**
 * Decides whether a client trusts the certificate chain a DTLS server presented, for example by
 * comparing {@link DtlsConfig#fingerprint(X509Certificate)} of {@code chain[0]} with a pinned value.
 * BouncyCastle has already checked that the server holds the private key of {@code chain[0]}.
 *
 * <p>Called on a handshake thread (never on the event loop), once per handshake; it may block briefly.
 */
@FunctionalInterface
public interface ServerCertificateVerifier {
    /**
     * Accepts the chain by returning, refuses it by throwing.
     *
     * @param chain the server's certificates, its own first; never empty
     * @param server the address the handshake runs with
     * @throws DtlsException to refuse, typically {@link DtlsException#certificateRejected(String)}; its
     *         message reaches the {@link DtlsHandshakeCompletionEvent} unchanged
     */
    void verify(X509Certificate[] chain, InetSocketAddress server) throws DtlsException;
}
