package dev.rudp.fileserver.server;

import dev.rudp.dtls.DtlsConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import dev.rudp.fileserver.storage.SystemRecords;
import dev.rudp.fileserver.storage.local.LocalRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The server's DTLS identity, kept as two records (files in the data folder, or objects in the bucket
 * every server shares): {@code server-key.pem} (the EC P-256 private key, PKCS#8 PEM, permissions 600
 * where POSIX permissions exist) and {@code server-cert.pem} (the self-signed certificate, PEM). The first {@link #loadOrCreate} creates both; later calls reuse
 * them, so the fingerprint clients pin stays the same across restarts.
 */
public final class ServerIdentity {
    /** Sessions a server keeps resumable (about 0.5 KiB each). */
    public static final int RESUMABLE_SESSIONS = 10_000;

    /** The private key's file name in the data folder. */
    public static final String KEY_FILE = "server-key.pem";
    /** The certificate's file name in the data folder. */
    public static final String CERT_FILE = "server-cert.pem";

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final boolean created;

    private ServerIdentity(PrivateKey key, X509Certificate certificate, boolean created) {
        this.key = key;
        this.certificate = certificate;
        this.created = created;
    }

    /** Loads the identity of {@code dataDir}, creating it when neither file exists. */
    public static ServerIdentity loadOrCreate(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        return loadOrCreate(new LocalRecords(dataDir));
    }

    /**
     * Loads the identity kept in {@code records} (the data folder, or the bucket every server
     * shares, so that all of them answer with the same fingerprint), creating it when neither record
     * exists. Servers sharing a bucket should be given their identity before they first start
     * together ({@code fileserver fingerprint --store ...}): two creating one at the same instant
     * would each write their own, and the later write wins.
     */
    public static synchronized ServerIdentity loadOrCreate(SystemRecords records) throws IOException {
        byte[] keyPem = records.read(KEY_FILE);
        byte[] certPem = records.read(CERT_FILE);
        if (keyPem != null && certPem != null) {
            return new ServerIdentity(readKey(keyPem, where(records, KEY_FILE)), readCert(certPem,
                    where(records, CERT_FILE)), false);
        }
        if (keyPem != null || certPem != null) {
            String missing = keyPem != null ? CERT_FILE : KEY_FILE;
            throw new IOException("incomplete server identity in " + records + ": " + missing
                    + " is missing; restore it, or delete " + (keyPem != null ? KEY_FILE : CERT_FILE)
                    + " to create a new identity (clients will then see a changed fingerprint)");
        }
        DtlsConfig.KeyAndCertificate kc = DtlsConfig.selfSigned("fileserver");
        // the key goes in first (a half-written identity is refused above, never silently replaced)
        records.write(KEY_FILE, kc.privateKeyPem().getBytes(StandardCharsets.US_ASCII));
        records.write(CERT_FILE, kc.certificatePem().getBytes(StandardCharsets.US_ASCII));
        return new ServerIdentity(kc.privateKey(), kc.certificate(), true);
    }

    private static String where(SystemRecords records, String name) {
        return records instanceof LocalRecords l ? l.dir().resolve(name).toString() : records + " " + name;
    }

    /** The private key. */
    public PrivateKey privateKey() {
        return key;
    }

    /** The self-signed certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** {@code SHA256:<base64>}, what clients see and pin. */
    public String fingerprint() {
        return DtlsConfig.fingerprint(certificate);
    }

    /** Whether this call created the identity. */
    public boolean created() {
        return created;
    }

    /**
     * The DTLS settings of a server with this identity. Up to {@link #RESUMABLE_SESSIONS} sessions stay
     * resumable for DtlsConfig's default hour: a client's next command skips the key exchange and this
     * server's signature (the login after it is unchanged).
     */
    public DtlsConfig dtlsConfig() {
        return DtlsConfig.serverCertificate(key, certificate).resumableSessions(RESUMABLE_SESSIONS).build();
    }

    private static byte[] pemBody(byte[] pem, String file, String type) throws IOException {
        String text = new String(pem, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IOException(file + ": not a PEM " + type);
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IOException(file + ": bad PEM data", ex);
        }
    }

    private static PrivateKey readKey(byte[] pem, String file) throws IOException {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pemBody(pem, file,
                    "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not an EC private key (PKCS#8): " + e.getMessage(), e);
        }
    }

    private static X509Certificate readCert(byte[] pem, String file) throws IOException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pemBody(pem, file, "CERTIFICATE")));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not an X.509 certificate: " + e.getMessage(), e);
        }
    }
}
