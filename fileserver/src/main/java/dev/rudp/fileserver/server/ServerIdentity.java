package dev.rudp.fileserver.server;

import dev.rudp.dtls.DtlsConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

/**
 * The server's DTLS identity, kept in its data folder: {@code server-key.pem} (the EC P-256 private
 * key, PKCS#8 PEM, permissions 600 where POSIX permissions exist) and {@code server-cert.pem} (the
 * self-signed certificate, PEM). The first {@link #loadOrCreate} creates both; later calls reuse
 * them, so the fingerprint clients pin stays the same across restarts.
 */
public final class ServerIdentity {
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
    public static synchronized ServerIdentity loadOrCreate(Path dataDir) throws IOException {
        Path keyFile = dataDir.resolve(KEY_FILE);
        Path certFile = dataDir.resolve(CERT_FILE);
        boolean hasKey = Files.exists(keyFile);
        boolean hasCert = Files.exists(certFile);
        if (hasKey && hasCert) {
            return new ServerIdentity(readKey(keyFile), readCert(certFile), false);
        }
        if (hasKey || hasCert) {
            throw new IOException("incomplete server identity in " + dataDir + ": " + (hasKey ? CERT_FILE : KEY_FILE)
                    + " is missing; restore it, or delete " + (hasKey ? KEY_FILE : CERT_FILE)
                    + " to create a new identity (clients will then see a changed fingerprint)");
        }
        Files.createDirectories(dataDir);
        DtlsConfig.KeyAndCertificate kc = DtlsConfig.selfSigned("fileserver");
        // the key goes in first (a half-written identity is refused above, never silently replaced)
        writeAtomically(keyFile, kc.privateKeyPem(), true);
        writeAtomically(certFile, kc.certificatePem(), false);
        return new ServerIdentity(kc.privateKey(), kc.certificate(), true);
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

    /** The DTLS settings of a server with this identity. */
    public DtlsConfig dtlsConfig() {
        return DtlsConfig.serverCertificate(key, certificate).build();
    }

    private static boolean posix(Path p) {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                && p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void writeAtomically(Path target, String text, boolean secret) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret && posix(target)) {
            Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(owner));
        } else {
            Files.createFile(tmp);
        }
        Files.write(tmp, text.getBytes(StandardCharsets.US_ASCII));
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target);
        }
    }

    private static byte[] pemBody(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
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

    private static PrivateKey readKey(Path file) throws IOException {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pemBody(file, "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not an EC private key (PKCS#8): " + e.getMessage(), e);
        }
    }

    private static X509Certificate readCert(Path file) throws IOException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pemBody(file, "CERTIFICATE")));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not an X.509 certificate: " + e.getMessage(), e);
        }
    }
}
