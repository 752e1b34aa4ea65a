package dev.rudp.fileclient.keys;

import dev.rudp.fileserver.auth.Ed25519Key;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A user's Ed25519 key pair and its two files, as ssh keeps them: the private key in
 * {@code ~/.fileclient/id_ed25519} (PKCS#8 PEM, {@code -----BEGIN PRIVATE KEY-----}, RFC 8410, which
 * {@code openssl pkey} reads; mode 600 in a folder of mode 700) and the public key in
 * {@code id_ed25519.pub}, one line {@code ed25519 BASE64 comment} (see {@link Ed25519Key}). A private
 * key file readable by group or others is refused, as ssh refuses it. Immutable.
 */
public final class Identity {
    /** PKCS#8 PrivateKeyInfo of an Ed25519 key up to the 32-byte seed (RFC 8410 section 10.3). */
    private static final byte[] PKCS8_PREFIX = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
        0x04, 0x22, 0x04, 0x20};
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    private final Ed25519PrivateKeyParameters privateKey;
    /**
     * Derived on a thread of its own ({@link #deriveAside}): a new client's first Ed25519 point
     * multiplication (BouncyCastle's tables and its registrar's start-up) takes 0.05-0.07 s, which
     * would otherwise come before the connection starts; the login, after the handshake, is the first
     * to need it. A login the resumed DTLS session carries needs none of it.
     */
    private final FutureTask<Ed25519Key> publicKey;
    /** The public key of the .pub file beside the private key, unchecked against it; null: none. */
    private final Ed25519Key pubFileKey;
    private boolean deriving;

    /** {@code pubFileKey}: the .pub file's key, whose comment is kept when it is this key's. */
    private Identity(Ed25519PrivateKeyParameters privateKey, Ed25519Key pubFileKey) {
        this.privateKey = privateKey;
        this.pubFileKey = pubFileKey;
        this.publicKey = new FutureTask<>(() -> {
            byte[] raw = privateKey.generatePublicKey().getEncoded();
            boolean same = pubFileKey != null && Arrays.equals(pubFileKey.raw(), raw);
            return Ed25519Key.of(raw, same ? pubFileKey.comment() : "");
        });
    }

    /**
     * Starts deriving the public key on a thread of its own, once, so that a key login after the
     * handshake finds it ready; {@link #publicKey()} derives it on the caller's thread otherwise.
     */
    public synchronized void deriveAside() {
        if (deriving) {
            return;
        }
        deriving = true;
        Thread t = new Thread(publicKey, "fileclient-identity");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The public key as the {@code .pub} file beside the private key says, without deriving it (else the
     * derived one). Only for a claim the server checks against a key that proved itself before (a login
     * the resumed DTLS session carries): a {@code .pub} that does not match costs a full key login.
     */
    public Ed25519Key claimedPublicKey() {
        return pubFileKey != null ? pubFileKey : publicKey();
    }

    /** {@code ~/.fileclient/id_ed25519}. */
    public static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".fileclient", "id_ed25519");
    }

    /** The public key file beside {@code privateFile}: its name plus {@code .pub}. */
    public static Path publicFile(Path privateFile) {
        return privateFile.resolveSibling(privateFile.getFileName() + ".pub");
    }

    /** A new random key pair with {@code comment} on its public key. */
    public static Identity generate(String comment) {
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(new SecureRandom());
        return new Identity(key, Ed25519Key.of(key.generatePublicKey().getEncoded(), comment));
    }

    /** {@code user@host}, the comment ssh-keygen gives a new key. */
    public static String defaultComment() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            } catch (IOException | RuntimeException e) {
                host = "localhost";
            }
        }
        return System.getProperty("user.name") + "@" + host;
    }

    /**
     * Loads the private key in {@code privateFile}; the comment comes from the {@code .pub} beside it
     * when that holds the same key.
     *
     * @throws NoSuchFileException when there is no such file
     * @throws IOException with a one-line reason when it is not an Ed25519 private key, or is
     *     readable by others
     */
    public static Identity load(Path privateFile) throws IOException {
        byte[] der = readPem(privateFile);
        if (der.length != PKCS8_PREFIX.length + 32
                || !Arrays.equals(Arrays.copyOf(der, PKCS8_PREFIX.length), PKCS8_PREFIX)) {
            throw new IOException(privateFile + ": not an Ed25519 private key (PKCS#8)");
        }
        checkPrivate(privateFile);
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(der, PKCS8_PREFIX.length);
        Arrays.fill(der, (byte) 0);
        Ed25519Key pubFileKey = null;
        Path pub = publicFile(privateFile);
        if (Files.isRegularFile(pub)) {
            try {
                pubFileKey = Ed25519Key.parse(Files.readString(pub, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException | IOException e) {
                // a damaged .pub does not stop the private key from working
            }
        }
        return new Identity(key, pubFileKey);
    }

    /**
     * Writes the pair: the private key to {@code privateFile} (mode 600) and the public key beside it
     * (mode 644), each through a temporary file renamed into place; a missing folder is created with
     * mode 700.
     *
     * @throws FileAlreadyExistsException when either file exists and {@code force} is false
     */
    public void save(Path privateFile, boolean force) throws IOException {
        Path pub = publicFile(privateFile);
        if (!force) {
            for (Path p : List.of(privateFile, pub)) {
                if (Files.exists(p)) {
                    throw new FileAlreadyExistsException(p.toString());
                }
            }
        }
        Path dir = privateFile.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            if (posix(dir.getParent() == null ? dir : dir.getParent())) {
                Files.createDirectories(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        byte[] der = Arrays.copyOf(PKCS8_PREFIX, PKCS8_PREFIX.length + 32);
        privateKey.encode(der, PKCS8_PREFIX.length);
        String pem = BEGIN + "\n" + Base64.getEncoder().encodeToString(der) + "\n" + END + "\n";
        Arrays.fill(der, (byte) 0);
        write(privateFile, pem, "rw-------");
        write(pub, publicKey().line() + "\n", "rw-r--r--");
    }

    /** The public key, with its comment. */
    public Ed25519Key publicKey() {
        publicKey.run(); // derives it here unless a thread did or does (then a no-op, and get waits)
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return publicKey.get();
                } catch (InterruptedException e) {
                    interrupted = true; // a cancel arrives as an interrupt: the key is a moment away anyway
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot derive the public key", e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The Ed25519 signature (64 bytes) of {@code data}. */
    public byte[] sign(byte[] data) {
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, privateKey);
        s.update(data, 0, data.length);
        return s.generateSignature();
    }

    private static byte[] readPem(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        if (b < 0 || e < b) {
            throw new IOException(file + ": not a PEM private key (expected " + BEGIN + ")");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + BEGIN.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IOException(file + ": bad base64 in the private key");
        }
    }

    private static void checkPrivate(Path file) throws IOException {
        if (!posix(file)) {
            return;
        }
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        for (PosixFilePermission bad : List.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE)) {
            if (p.contains(bad)) {
                throw new IOException("private key " + file + " is accessible by others ("
                        + PosixFilePermissions.toString(p)
                        + "); it is ignored: chmod 600 " + file);
            }
        }
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void write(Path target, String text, String mode) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (posix(target)) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        } else {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
