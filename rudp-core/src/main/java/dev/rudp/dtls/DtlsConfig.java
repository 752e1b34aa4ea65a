package dev.rudp.dtls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * Immutable settings of a {@link DtlsHandler}: its role (server or client), how it authenticates, and
 * limits. Start from one of the four role factories, adjust, then {@link Builder#build()}:
 * <pre>{@code
 * DtlsConfig server = DtlsConfig.serverCertificate(key, cert).handshakeTimeoutMillis(5_000).build();
 * DtlsConfig client = DtlsConfig.clientCertificateVerifier((chain, peer) -> {
 *     if (!DtlsConfig.fingerprint(chain[0]).equals(pinned)) {
 *         throw DtlsException.certificateRejected("server certificate fingerprint mismatch");
 *     }
 * }).build();
 * }</pre>
 *
 * <p>Only AEAD suites with ephemeral ECDH are offered, over DTLS 1.2 only: with certificates
 * {@code TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256} and {@code TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384} (the
 * server key must be an EC key), with a pre-shared key {@code TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256}
 * (0xD001, RFC 8442). A config may be shared by several handlers.
 */
public final class DtlsConfig {
    /** Default {@link Builder#handshakeTimeoutMillis(long)}: 10 s. */
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    /**
     * The cap on a whole handshake, in multiples of {@link Builder#handshakeTimeoutMillis(long)}: generous,
     * because the timeout counts the peer's silence and a busy peer that keeps answering is not cut off.
     */
    public static final int HANDSHAKE_CAP_FACTOR = 6;
    /** Default {@link Builder#maxConcurrentHandshakes(int)}: 64. */
    public static final int DEFAULT_MAX_CONCURRENT_HANDSHAKES = 64;
    /** Default {@link Builder#idleTimeoutMillis(long)}: 120 s. */
    public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 120_000;
    /**
     * Largest plaintext of a handshake datagram: 1415 bytes, so that a flight's datagrams fit a 1500-byte
     * MTU over IPv6 (1500 - 40 IPv6 - 8 UDP - {@link DtlsHandler#RECORD_OVERHEAD} 37 = 1415) before any
     * path MTU is known. Flights use the smaller of this and {@link Builder#maxRecordPlaintext(int)}.
     */
    public static final int HANDSHAKE_DATAGRAM_PLAINTEXT = 1500 - 40 - 8 - DtlsHandler.RECORD_OVERHEAD;
    /**
     * Default {@link Builder#maxRecordPlaintext(int)}: 16 384 bytes, the most a DTLS record carries. The
     * records actually sent are as large as the writer's datagrams: rudp's path MTU discovery keeps them
     * within what the path carries (1435 bytes of plaintext on Ethernet, all of it on loopback).
     */
    public static final int DEFAULT_MAX_RECORD_PLAINTEXT = 16_384;
    /**
     * Records one session sends on one key before the handler closes it: 2^24 - 16, below the AES-GCM
     * usage limit of RFC 8446 section 5.5 (2^24.5 full-size records), leaving room for the handshake's
     * Finished and the close_notify. DTLS 1.2 has no key update; a new handshake is the only rekey.
     */
    public static final long MAX_RECORDS_PER_KEY = (1L << 24) - 16;
    /**
     * System property that, set to {@code false}, keeps every record on BouncyCastle's record layer.
     * By default, once a session is established with an AES-GCM suite, its application-data records
     * are sealed and opened with the JDK's AES-GCM directly on Netty buffers (the same bytes on the
     * wire, less CPU per record); handshake, alerts and everything else stay with BouncyCastle.
     */
    public static final String JDK_RECORDS_PROPERTY = "rudp.dtls.jdkRecords";
    /** Default {@link #sessionLifetimeMillis()}: an hour. */
    public static final long DEFAULT_SESSION_LIFETIME_MILLIS = 3_600_000;

    /**
     * The crypto back end of the handshake, and of the records where the JDK's AES-GCM does not seal them
     * ({@link #JDK_RECORDS_PROPERTY}: by default every application-data record of an AES-GCM session is
     * the JDK's, whichever back end).
     */
    public enum Crypto {
        /**
         * BouncyCastle's {@code JcaTlsCrypto} over the JDK's providers: the default, and the faster one in a
         * JVM that has run a while (a server's).
         */
        JCA,
        /**
         * BouncyCastle's pure-Java {@code BcTlsCrypto}: a new JVM's first handshake loads none of the JCA's
         * EC, RSA and TLS providers (a short-lived client's choice); its own AES-GCM, for records the JDK
         * does not seal, is about 12x slower than the JDK's.
         */
        BC
    }

    enum Role { SERVER, CLIENT }

    private static final AtomicInteger POOL_THREADS = new AtomicInteger();

    private final Role role;
    private final PrivateKey serverKey;
    private final X509Certificate serverCertificate;
    private final Function<byte[], byte[]> pskLookup;
    private final ServerCertificateVerifier verifier;
    private final byte[] pskIdentity;
    private final byte[] pskKey;
    private final long handshakeTimeoutMillis;
    private final int maxConcurrentHandshakes;
    private final Executor handshakeExecutor;
    private final Crypto crypto;
    private final TlsCrypto tlsCrypto;
    private final int maxRecordPlaintext;
    private final long idleTimeoutMillis;
    private final long maxRecordsPerKey;
    private final boolean jdkRecords;
    private final DtlsSessionStore sessionStore;
    private final long sessionLifetimeMillis;
    private final Resumption.Cache sessionCache;

    private DtlsConfig(Builder b) {
        role = b.role;
        serverKey = b.serverKey;
        serverCertificate = b.serverCertificate;
        pskLookup = b.pskLookup;
        verifier = b.verifier;
        pskIdentity = b.pskIdentity;
        pskKey = b.pskKey;
        handshakeTimeoutMillis = b.handshakeTimeoutMillis;
        maxConcurrentHandshakes = b.maxConcurrentHandshakes;
        handshakeExecutor = b.handshakeExecutor != null ? b.handshakeExecutor : newPool(b.maxConcurrentHandshakes);
        crypto = b.crypto;
        SecureRandom random = new SecureRandom();
        tlsCrypto = crypto == Crypto.JCA ? new JcaTlsCryptoProvider().create(random) : new BcTlsCrypto(random);
        maxRecordPlaintext = b.maxRecordPlaintext;
        idleTimeoutMillis = b.idleTimeoutMillis;
        maxRecordsPerKey = b.maxRecordsPerKey;
        jdkRecords = b.jdkRecords;
        sessionStore = b.sessionStore;
        sessionLifetimeMillis = b.sessionLifetimeMillis;
        sessionCache = b.resumableSessions > 0 ? new Resumption.Cache(b.resumableSessions, b.sessionLifetimeMillis) : null;
    }

    // ---- role factories -------------------------------------------------------------------------

    /**
     * A server authenticating with an EC private key and its X.509 certificate (for example from
     * {@link #selfSigned(String)}).
     */
    public static Builder serverCertificate(PrivateKey key, X509Certificate cert) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(cert, "cert");
        if (!(key instanceof ECPrivateKey) && !"EC".equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("the DTLS server key must be an EC key (ECDSA suites only), not "
                    + key.getAlgorithm());
        }
        Builder b = new Builder(Role.SERVER);
        b.serverKey = key;
        b.serverCertificate = cert;
        return b;
    }

    /**
     * A server authenticating clients by pre-shared key: {@code lookup} maps a client's identity to its
     * key, or to {@code null} for an unknown identity (the client then fails with
     * {@link DtlsException.Reason#PSK_UNKNOWN}). Called on a handshake thread.
     */
    public static Builder serverPsk(Function<byte[], byte[]> lookup) {
        Builder b = new Builder(Role.SERVER);
        b.pskLookup = Objects.requireNonNull(lookup, "lookup");
        return b;
    }

    /** A client that accepts a server's certificate chain when {@code verifier} does not throw. */
    public static Builder clientCertificateVerifier(ServerCertificateVerifier verifier) {
        Builder b = new Builder(Role.CLIENT);
        b.verifier = Objects.requireNonNull(verifier, "verifier");
        return b;
    }

    /** A client authenticating with a pre-shared key: {@code identity} is sent in clear, {@code key} never. */
    public static Builder clientPsk(byte[] identity, byte[] key) {
        Builder b = new Builder(Role.CLIENT);
        b.pskIdentity = Objects.requireNonNull(identity, "identity").clone();
        b.pskKey = Objects.requireNonNull(key, "key").clone();
        if (b.pskKey.length == 0) {
            throw new IllegalArgumentException("empty pre-shared key");
        }
        return b;
    }

    // ---- certificates -----------------------------------------------------------------------------

    /** A private key with its certificate, as {@link #selfSigned(String)} makes them. */
    public record KeyAndCertificate(PrivateKey privateKey, X509Certificate certificate) {
        /** The private key as PEM ({@code -----BEGIN PRIVATE KEY-----}, PKCS#8), as OpenSSL reads it. */
        public String privateKeyPem() {
            return pem("PRIVATE KEY", privateKey.getEncoded());
        }

        /** The certificate as PEM ({@code -----BEGIN CERTIFICATE-----}). */
        public String certificatePem() {
            try {
                return pem("CERTIFICATE", certificate.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }

        private static String pem(String type, byte[] der) {
            String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
            return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
        }
    }

    /**
     * Generates an EC P-256 key pair and a self-signed certificate for {@code CN=commonName}, valid from
     * a day ago for ten years, signed with SHA256withECDSA through the JDK's providers. For tests and for
     * a server's first start (persist it; clients pin {@link #fingerprint(X509Certificate)}).
     */
    public static KeyAndCertificate selfSigned(String commonName) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = gen.generateKeyPair();
            X500Name name = new X500Name("CN=" + commonName.replace(",", "\\,").replace("=", "\\="));
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder cert = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(3650))), name, pair.getPublic());
            X509Certificate x509 = new JcaX509CertificateConverter()
                    .getCertificate(cert.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new KeyAndCertificate(pair.getPrivate(), x509);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a self-signed EC certificate", e);
        }
    }

    /** {@code SHA256:} and the unpadded base64 of the SHA-256 of the certificate's DER encoding, like ssh. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return fingerprint(certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #fingerprint(X509Certificate)} of a certificate's DER encoding. */
    public static String fingerprint(byte[] encodedCertificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(encodedCertificate);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- settings ---------------------------------------------------------------------------------

    /**
     * Handshake timeout in milliseconds (default 10 000): how long the peer may stay silent during a
     * handshake, from its start or from the peer's last handshake datagram.
     */
    public long handshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    /**
     * The most a whole handshake may take, however much the peer keeps answering:
     * {@link #HANDSHAKE_CAP_FACTOR} times {@link #handshakeTimeoutMillis()}, at most {@code Integer.MAX_VALUE}
     * (BouncyCastle's own total timeout is set to it).
     */
    public long handshakeCapMillis() {
        return Math.min(Integer.MAX_VALUE, handshakeTimeoutMillis * HANDSHAKE_CAP_FACTOR);
    }

    /** Handshakes one handler runs at once (default 64). */
    public int maxConcurrentHandshakes() {
        return maxConcurrentHandshakes;
    }

    /** Where blocking handshakes run. */
    public Executor handshakeExecutor() {
        return handshakeExecutor;
    }

    /** The crypto back end (default {@link Crypto#JCA}). */
    public Crypto crypto() {
        return crypto;
    }

    /** Largest plaintext of one handshake datagram: the smaller of the record limit and 1415 bytes. */
    public int handshakeDatagramPlaintext() {
        return Math.min(maxRecordPlaintext, HANDSHAKE_DATAGRAM_PLAINTEXT);
    }

    /** Largest plaintext datagram one record carries (default 16 384). */
    public int maxRecordPlaintext() {
        return maxRecordPlaintext;
    }

    /** Sessions without a record either way for this long are closed (default 120 000 ms). */
    public long idleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    /**
     * How long a session stays resumable after the full handshake that made it (default an hour): a
     * server forgets it then, a client no longer offers it. Resumed records have no forward secrecy of
     * their own, so this bounds what one leaked master secret opens.
     */
    public long sessionLifetimeMillis() {
        return sessionLifetimeMillis;
    }

    /** Whether this config is for a server. */
    public boolean isServer() {
        return role == Role.SERVER;
    }

    /** A client's saved sessions, or null (no resumption). */
    DtlsSessionStore sessionStore() {
        return sessionStore;
    }

    /** A certificate server's resumable sessions, or null (none kept). */
    Resumption.Cache sessionCache() {
        return sessionCache;
    }

    TlsCrypto tlsCrypto() {
        return tlsCrypto;
    }

    PrivateKey serverKey() {
        return serverKey;
    }

    X509Certificate serverCertificate() {
        return serverCertificate;
    }

    Function<byte[], byte[]> pskLookup() {
        return pskLookup;
    }

    ServerCertificateVerifier verifier() {
        return verifier;
    }

    byte[] pskIdentity() {
        return pskIdentity;
    }

    byte[] pskKey() {
        return pskKey;
    }

    boolean usesPsk() {
        return pskLookup != null || pskKey != null;
    }

    long maxRecordsPerKey() {
        return maxRecordsPerKey;
    }

    /** Whether established sessions seal and open application records with the JDK ({@link GcmRecords}). */
    boolean jdkRecords() {
        return jdkRecords;
    }

    private static Executor newPool(int threads) {
        // The handler caps handshakes in progress itself. The pool must not refuse a new handshake
        // just because the thread of one that timed out is still unwinding, so it queues instead;
        // the queue never holds more than a few entries, since every task it takes is counted by the cap.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "rudp-dtls-handshake-" + POOL_THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Adjusts a {@link DtlsConfig} before {@link #build()}; not thread-safe. */
    public static final class Builder {
        private final Role role;
        private PrivateKey serverKey;
        private X509Certificate serverCertificate;
        private Function<byte[], byte[]> pskLookup;
        private ServerCertificateVerifier verifier;
        private byte[] pskIdentity;
        private byte[] pskKey;
        private long handshakeTimeoutMillis = DEFAULT_HANDSHAKE_TIMEOUT_MILLIS;
        private int maxConcurrentHandshakes = DEFAULT_MAX_CONCURRENT_HANDSHAKES;
        private Executor handshakeExecutor;
        private Crypto crypto = Crypto.JCA;
        private int maxRecordPlaintext = DEFAULT_MAX_RECORD_PLAINTEXT;
        private long idleTimeoutMillis = DEFAULT_IDLE_TIMEOUT_MILLIS;
        private long maxRecordsPerKey = MAX_RECORDS_PER_KEY;
        private boolean jdkRecords = !"false".equals(System.getProperty(JDK_RECORDS_PROPERTY));
        private DtlsSessionStore sessionStore;
        private int resumableSessions;
        private long sessionLifetimeMillis = DEFAULT_SESSION_LIFETIME_MILLIS;

        private Builder(Role role) {
            this.role = role;
        }

        /**
         * How long the peer may stay silent during a handshake (from its start, or from the last
         * handshake datagram the peer sent) before the handshake fails with
         * {@link DtlsException.Reason#HANDSHAKE_TIMEOUT}; a handshake that keeps making progress may take
         * up to {@link DtlsConfig#HANDSHAKE_CAP_FACTOR} times as long in all. Default 10 000 ms
         * (BouncyCastle's own default, 0, would wait forever).
         */
        public Builder handshakeTimeoutMillis(long millis) {
            if (millis < 1 || millis > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("handshakeTimeoutMillis: " + millis);
            }
            this.handshakeTimeoutMillis = millis;
            return this;
        }

        /**
         * Most handshakes one handler runs at once; a server drops ClientHellos beyond it (the client
         * retransmits), a client fails the handshake with {@link DtlsException.Reason#TOO_MANY_HANDSHAKES}.
         * Default 64. Also the thread count of the default executor.
         */
        public Builder maxConcurrentHandshakes(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrentHandshakes: " + max);
            }
            this.maxConcurrentHandshakes = max;
            return this;
        }

        /**
         * Where the blocking BouncyCastle handshakes run; each holds a thread for the whole handshake.
         * Default: a pool that this config owns and every handler using it shares, of up to
         * {@link #maxConcurrentHandshakes(int)} daemon threads that end after 30 s idle, so it needs no
         * closing. An executor given here is the caller's to shut down.
         */
        public Builder handshakeExecutor(Executor executor) {
            this.handshakeExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The crypto back end (default {@link Crypto#JCA}; {@link Crypto} says when to choose which). */
        public Builder crypto(Crypto crypto) {
            this.crypto = Objects.requireNonNull(crypto, "crypto");
            return this;
        }

        /**
         * Largest plaintext datagram one record carries; a record adds
         * {@link DtlsHandler#RECORD_OVERHEAD} bytes. Default 16 384, DTLS's own limit. Handshake flights are
         * fragmented to the smaller of this and {@link #HANDSHAKE_DATAGRAM_PLAINTEXT}. Between 256 and 16 384.
         */
        public Builder maxRecordPlaintext(int bytes) {
            if (bytes < 256 || bytes > 16_384) {
                throw new IllegalArgumentException("maxRecordPlaintext: " + bytes);
            }
            this.maxRecordPlaintext = bytes;
            return this;
        }

        /** Close sessions after this long without a record either way. Default 120 000 ms. */
        public Builder idleTimeoutMillis(long millis) {
            if (millis < 1) {
                throw new IllegalArgumentException("idleTimeoutMillis: " + millis);
            }
            this.idleTimeoutMillis = millis;
            return this;
        }

        /** For tests: records per key before the session is closed (default {@link #MAX_RECORDS_PER_KEY}). */
        Builder maxRecordsPerKey(long records) {
            if (records < 1 || records > MAX_RECORDS_PER_KEY) {
                throw new IllegalArgumentException("maxRecordsPerKey: " + records);
            }
            this.maxRecordsPerKey = records;
            return this;
        }

        /**
         * A certificate client: offers the session {@code store} holds for the server, and saves each new
         * one there ({@link DtlsSessionStore}); a server that still knows it resumes it. Default none.
         */
        public Builder sessionStore(DtlsSessionStore store) {
            if (role != Role.CLIENT || pskKey != null) {
                throw new IllegalStateException("a session store is for certificate clients");
            }
            this.sessionStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * A certificate server: keeps up to {@code max} sessions resumable (the least recently used
         * forgotten first), each for {@link #sessionLifetimeMillis(long)}. Default 0: every handshake is a
         * full one. A session costs about 0.5 KiB.
         */
        public Builder resumableSessions(int max) {
            if (role != Role.SERVER || pskLookup != null) {
                throw new IllegalStateException("resumable sessions are kept by certificate servers");
            }
            if (max < 0) {
                throw new IllegalArgumentException("max must be >= 0: " + max);
            }
            this.resumableSessions = max;
            return this;
        }

        /** See {@link DtlsConfig#sessionLifetimeMillis()}; at least 1 000 ms. */
        public Builder sessionLifetimeMillis(long millis) {
            if (millis < 1_000) {
                throw new IllegalArgumentException("millis must be >= 1000: " + millis);
            }
            this.sessionLifetimeMillis = millis;
            return this;
        }

        /**
         * For tests and A/B measurements: whether established sessions seal and open application records
         * with the JDK's AES-GCM directly on Netty buffers (default, unless the system property
         * {@value DtlsConfig#JDK_RECORDS_PROPERTY} is {@code false}) or through BouncyCastle's record layer.
         */
        Builder jdkRecords(boolean on) {
            this.jdkRecords = on;
            return this;
        }

        public DtlsConfig build() {
            return new DtlsConfig(this);
        }
    }
}
