package dev.rudp.dtls;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Decides whether a client trusts the certificate chain a DTLS server presented, for example by
 * comparing {@link DtlsConfig#fingerprint(X509Certificate)} of {@code chain[0]} with a pinned value.
 * BouncyCastle has already checked that the server holds the private key of {@code chain[0]}.
 * A verifier that only pins a fingerprint is better made with {@link #pinning(FingerprintCheck)}.
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

    /**
     * The call the handshake makes, with the chain as it arrived (DER encodings, the server's own first,
     * never empty). The default parses it with the JDK's X.509 factory and calls
     * {@link #verify(X509Certificate[], InetSocketAddress)}; a certificate the JDK cannot parse is refused.
     */
    default void verifyEncoded(List<byte[]> chain, InetSocketAddress server) throws DtlsException {
        X509Certificate[] parsed = new X509Certificate[chain.size()];
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (int i = 0; i < parsed.length; i++) {
                parsed[i] = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(chain.get(i)));
            }
        } catch (GeneralSecurityException e) {
            throw DtlsException.certificateRejected("the server certificate does not parse: " + e, e);
        }
        verify(parsed, server);
    }

    /**
     * A verifier that decides on the {@link DtlsConfig#fingerprint(byte[]) fingerprint} of the server's
     * own certificate alone, hashed from the bytes that arrived. It never builds the JDK's
     * {@code X509Certificate}: on a new JVM that parse loads the JDK's EC provider and its curve tables,
     * 0.01-0.02 s of a client's first handshake (BouncyCastle has parsed the certificate already, to check
     * the server's signature with its key).
     */
    static ServerCertificateVerifier pinning(FingerprintCheck check) {
        return new ServerCertificateVerifier() {
            @Override
            public void verify(X509Certificate[] chain, InetSocketAddress server) throws DtlsException {
                check.check(DtlsConfig.fingerprint(chain[0]), server);
            }

            @Override
            public void verifyEncoded(List<byte[]> chain, InetSocketAddress server) throws DtlsException {
                check.check(DtlsConfig.fingerprint(chain.get(0)), server);
            }
        };
    }

    /** The decision of a {@link #pinning(FingerprintCheck)} verifier. */
    @FunctionalInterface
    interface FingerprintCheck {
        /**
         * Accepts the server by returning, refuses it by throwing, as {@link ServerCertificateVerifier#verify}.
         *
         * @param fingerprint {@link DtlsConfig#fingerprint(byte[])} of the server's own certificate
         * @param server the address the handshake runs with
         */
        void check(String fingerprint, InetSocketAddress server) throws DtlsException;
    }
}
