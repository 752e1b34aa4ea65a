package dev.rudp.dtls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.concurrent.ConcurrentMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKIdentity;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.PSKTlsClient;
import org.bouncycastle.tls.PSKTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClient;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSKIdentityManager;
import org.bouncycastle.tls.TlsServer;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsSession;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * BouncyCastle {@link TlsServer}s and {@link TlsClient}s configured from a {@link DtlsConfig}: DTLS 1.2
 * only, AEAD ECDHE suites only, the configured handshake timeout, and the client's certificate check
 * through the {@link ServerCertificateVerifier}. One new peer object per handshake.
 */
final class TlsPeers {
    /** Certificate suites offered, in preference order. */
    static final int[] CERTIFICATE_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    };
    /** PSK suite offered: ECDHE_PSK with AES-128-GCM (0xD001, RFC 8442), absent from BC's default lists. */
    static final int[] PSK_SUITES = {CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256};

    private TlsPeers() {
    }

    static TlsServer server(DtlsConfig config) {
        return server(config, null);
    }

    static TlsClient client(DtlsConfig config, InetSocketAddress server) {
        return client(config, server, null);
    }

    /** A server peer that hands the session's {@link RecordKeys} (or null) to {@code keys}, if any, when the handshake completes. */
    static TlsServer server(DtlsConfig config, Completed keys) {
        return config.pskLookup() != null ? new PskServer(config, keys) : new CertificateServer(config, keys);
    }

    /** A client peer that hands the session's {@link RecordKeys} (or null) to {@code keys}, if any, when the handshake completes. */
    static TlsClient client(DtlsConfig config, InetSocketAddress server, Completed keys) {
        return config.pskKey() != null ? new PskClient(config, keys) : new CertificateClient(config, server, keys);
    }

    /**
     * What a completed handshake hands over: its record keys (null: not usable), whether it resumed a
     * session, and (a server keeping sessions only, else null) the values bound to that session.
     */
    @FunctionalInterface
    interface Completed {
        void accept(RecordKeys keys, boolean resumed, ConcurrentMap<String, Object> sessionValues);
    }

    private static int[] supported(TlsCrypto crypto, int[] suites) {
        return TlsUtils.getSupportedCipherSuites(crypto, suites);
    }

    /*
     * A client's key-exchange groups and signature algorithms are fixed lists, not BouncyCastle's
     * defaults: those are probed against the JCA one by one on a new JVM's first handshake (about
     * twenty algorithms, some in no provider, so every provider in java.security gets loaded), about
     * 0.02 s of a one-shot command. Every JDK 17 has these in SunEC; the server's key is an EC key (DtlsConfig).
     */

    /** X25519 for ECDHE; P-256 and P-384 for ECDHE and for the server's ECDSA key. */
    private static Vector<Integer> clientGroups() {
        Vector<Integer> groups = new Vector<>(3);
        groups.add(NamedGroup.x25519);
        groups.add(NamedGroup.secp256r1);
        groups.add(NamedGroup.secp384r1);
        return groups;
    }

    /** ECDSA with SHA-256, SHA-384 or SHA-512: what an EC server key signs with in DTLS 1.2. */
    private static Vector<SignatureAndHashAlgorithm> clientSignatureAlgorithms() {
        Vector<SignatureAndHashAlgorithm> algorithms = new Vector<>(3);
        for (short hash : new short[] {HashAlgorithm.sha256, HashAlgorithm.sha384, HashAlgorithm.sha512}) {
            algorithms.add(SignatureAndHashAlgorithm.getInstance(hash, SignatureAlgorithm.ecdsa));
        }
        return algorithms;
    }

    private static final class CertificateServer extends DefaultTlsServer {
        private final DtlsConfig config;
        private final Completed keys;

        CertificateServer(DtlsConfig config, Completed keys) {
            super(config.tlsCrypto());
            this.config = config;
            this.keys = keys;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return supported(getCrypto(), CERTIFICATE_SUITES);
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            boolean resumed = context.getSecurityParametersConnection().isResumedSession();
            Resumption.Cache cache = config.sessionCache();
            ConcurrentMap<String, Object> values = null; // what the application binds to the session
            if (cache != null) {
                values = resumed ? cache.values(context.getSession().getSessionID())
                        : cache.store(context.getSession(), System.nanoTime());
            }
            if (keys != null) {
                keys.accept(RecordKeys.derive(context), resumed, values);
            }
        }

        /** A new session gets an ID only when the server keeps sessions (DtlsConfig.Builder#resumableSessions). */
        @Override
        public byte[] getNewSessionID() {
            Resumption.Cache cache = config.sessionCache();
            return cache == null ? null : cache.newSessionId();
        }

        @Override
        public TlsSession getSessionToResume(byte[] sessionID) {
            Resumption.Cache cache = config.sessionCache();
            return cache == null ? null : cache.lookup(sessionID, System.nanoTime());
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return (int) config.handshakeCapMillis();
        }

        @Override
        protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
            SignatureAndHashAlgorithm algorithm = chooseEcdsa(context.getSecurityParametersHandshake().getClientSigAlgs());
            Certificate chain;
            try {
                chain = new Certificate(new TlsCertificate[] {
                    getCrypto().createCertificate(config.serverCertificate().getEncoded())});
            } catch (GeneralSecurityException e) {
                throw new TlsFatalAlert(AlertDescription.internal_error, e);
            }
            TlsCryptoParameters parameters = new TlsCryptoParameters(context);
            if (getCrypto() instanceof JcaTlsCrypto) {
                return new JcaDefaultTlsCredentialedSigner(parameters, (JcaTlsCrypto) getCrypto(), config.serverKey(),
                        chain, algorithm);
            }
            return new BcDefaultTlsCredentialedSigner(parameters, (BcTlsCrypto) getCrypto(),
                    PrivateKeyFactory.createKey(config.serverKey().getEncoded()), chain, algorithm);
        }

        /** SHA-256 with ECDSA when the client offers it, else the first ECDSA algorithm it offers. */
        private static SignatureAndHashAlgorithm chooseEcdsa(Vector<?> clientAlgorithms) {
            SignatureAndHashAlgorithm preferred = SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256,
                    SignatureAlgorithm.ecdsa);
            if (clientAlgorithms == null || clientAlgorithms.contains(preferred)) {
                return preferred;
            }
            for (Object o : clientAlgorithms) {
                SignatureAndHashAlgorithm a = (SignatureAndHashAlgorithm) o;
                if (a.getSignature() == SignatureAlgorithm.ecdsa) {
                    return a;
                }
            }
            return preferred;
        }
    }

    private static final class PskServer extends PSKTlsServer {
        private final DtlsConfig config;
        private final Completed keys;

        PskServer(DtlsConfig config, Completed keys) {
            super(config.tlsCrypto(), new TlsPSKIdentityManager() {
                @Override
                public byte[] getHint() {
                    return null;
                }

                @Override
                public byte[] getPSK(byte[] identity) {
                    return config.pskLookup().apply(identity.clone());
                }
            });
            this.config = config;
            this.keys = keys;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return supported(getCrypto(), PSK_SUITES);
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            if (keys != null) {
                keys.accept(RecordKeys.derive(context), context.getSecurityParametersConnection().isResumedSession(), null);
            }
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return (int) config.handshakeCapMillis();
        }
    }

    private static final class CertificateClient extends DefaultTlsClient {
        private final DtlsConfig config;
        private final Completed keys;
        private final InetSocketAddress server;

        CertificateClient(DtlsConfig config, InetSocketAddress server, Completed keys) {
            super(config.tlsCrypto());
            this.config = config;
            this.keys = keys;
            this.server = server;
        }

        @Override
        protected Vector<Integer> getSupportedGroups(Vector namedGroupRoles) {
            return clientGroups();
        }

        @Override
        protected Vector<SignatureAndHashAlgorithm> getSupportedSignatureAlgorithms() {
            return clientSignatureAlgorithms();
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return supported(getCrypto(), CERTIFICATE_SUITES);
        }

        /** The session the store holds for this server, if it has not expired; BouncyCastle falls back to a full handshake. */
        @Override
        public TlsSession getSessionToResume() {
            DtlsSessionStore store = config.sessionStore();
            if (store == null) {
                return null;
            }
            try {
                return Resumption.decode(store.load(server), getCrypto(), System.currentTimeMillis() / 1000,
                        config.sessionLifetimeMillis() / 1000);
            } catch (RuntimeException storeFailed) { // the caller's store: a full handshake, not a failed one
                return null;
            }
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            boolean resumed = context.getSecurityParametersConnection().isResumedSession();
            DtlsSessionStore store = config.sessionStore();
            if (store != null && !resumed) {
                byte[] saved = Resumption.encode(context.getSession(), getCrypto(), System.currentTimeMillis() / 1000);
                try {
                    if (saved != null) {
                        store.save(server, saved);
                    }
                } catch (RuntimeException storeFailed) {
                    // the caller's store: only the next handshake's speed is lost, not this session
                }
            }
            if (keys != null) {
                keys.accept(RecordKeys.derive(context), resumed, null);
            }
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return (int) config.handshakeCapMillis();
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                    List<byte[]> chain = encoded(serverCertificate.getCertificate());
                    try {
                        config.verifier().verifyEncoded(chain, server);
                    } catch (DtlsException refused) {
                        throw new TlsFatalAlert(AlertDescription.bad_certificate, refused);
                    } catch (RuntimeException e) {
                        throw new TlsFatalAlert(AlertDescription.internal_error, DtlsException.certificateRejected(
                                "the server certificate verifier failed: " + e, e));
                    }
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) {
                    return null;
                }
            };
        }

        private static List<byte[]> encoded(Certificate certificate) throws IOException {
            if (certificate == null || certificate.isEmpty()) {
                throw new TlsFatalAlert(AlertDescription.bad_certificate,
                        DtlsException.certificateRejected("the server sent no certificate"));
            }
            List<byte[]> chain = new ArrayList<>(certificate.getLength());
            for (int i = 0; i < certificate.getLength(); i++) {
                chain.add(certificate.getCertificateAt(i).getEncoded());
            }
            return chain;
        }
    }

    private static final class PskClient extends PSKTlsClient {
        private final DtlsConfig config;
        private final Completed keys;

        PskClient(DtlsConfig config, Completed keys) {
            super(config.tlsCrypto(), new BasicTlsPSKIdentity(config.pskIdentity(), config.pskKey()));
            this.config = config;
            this.keys = keys;
        }

        @Override
        protected Vector<Integer> getSupportedGroups(Vector namedGroupRoles) {
            return clientGroups();
        }

        @Override
        protected Vector<SignatureAndHashAlgorithm> getSupportedSignatureAlgorithms() {
            return clientSignatureAlgorithms();
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return supported(getCrypto(), PSK_SUITES);
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            if (keys != null) {
                keys.accept(RecordKeys.derive(context), context.getSecurityParametersConnection().isResumedSession(), null);
            }
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return (int) config.handshakeCapMillis();
        }
    }
}
