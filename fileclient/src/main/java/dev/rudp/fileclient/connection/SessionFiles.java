package dev.rudp.fileclient.connection;

import dev.rudp.dtls.DtlsConfig;
import dev.rudp.dtls.DtlsSessionStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;

/**
 * The DTLS session the client may resume with one server ({@code host:port}), kept in a file of a
 * {@code sessions} folder beside the known-hosts file: a later command's handshake is then the
 * abbreviated one (no key exchange, certificate or signature; about 0.04 s less of a new client's
 * start). The file names the fingerprint the session was made with, and is offered only while the
 * known-hosts file pins that same fingerprint for the server: a resumed handshake shows no certificate,
 * so the pin is checked here instead. The file holds the session's master secret: the folder is
 * owner-only (0700) and the file too (0600), written to a temporary name and renamed into place.
 *
 * <pre>
 * fileclient-dtls-session 1
 * SHA256:&lt;base64 fingerprint&gt;
 * &lt;base64 of the session, dev.rudp.dtls's saved form&gt;
 * </pre>
 * A file that cannot be read or written costs only the full handshake; nothing is reported.
 */
final class SessionFiles implements DtlsSessionStore {
    private static final String MAGIC = "fileclient-dtls-session 1";

    private final Path file;
    private final String key;
    private final ServerTrust trust;

    SessionFiles(Path dir, String key, ServerTrust trust) {
        // a name of safe characters; two keys mapping to one name only cost a full handshake (the pin check)
        this.file = dir.resolve(safeName(key));
        this.key = key;
        this.trust = trust;
    }

    /**
     * {@code key} with each character but {@code [A-Za-z0-9._-]} (each code point) made {@code _}. A
     * loop, not a regular expression: the JVM's first pattern is 6 ms of a one-shot command's start.
     */
    static String safeName(String key) {
        StringBuilder b = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); ) {
            int c = key.codePointAt(i);
            i += Character.charCount(c);
            boolean safe = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-';
            b.append(safe ? (char) c : '_');
        }
        return b.toString();
    }

    /** The {@code sessions} folder beside {@code knownHostsFile}. */
    static Path folderBeside(Path knownHostsFile) {
        return knownHostsFile.toAbsolutePath().resolveSibling("sessions");
    }

    @Override
    public byte[] load(InetSocketAddress server) {
        Saved saved = saved();
        if (saved == null) {
            return null;
        }
        trust.offered(saved.pinned());
        return saved.session();
    }

    /** Whether a session is saved that the next handshake would offer: pinned, and not expired. */
    boolean current() {
        Saved saved = saved();
        return saved != null && DtlsSessionStore.isCurrent(saved.session(), DtlsConfig.DEFAULT_SESSION_LIFETIME_MILLIS);
    }

    /** A saved session and the pinned fingerprint it was made with. */
    private record Saved(String pinned, byte[] session) {
    }

    /** The saved session, if the known-hosts file pins the fingerprint it was made with; else null. */
    private Saved saved() {
        String pinned = trust.pinned(key);
        if (pinned == null) {
            return null;
        }
        Saved saved;
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            if (lines.size() != 3 || !lines.get(0).equals(MAGIC) || !lines.get(1).equals(pinned)) {
                return null;
            }
            saved = new Saved(pinned, Base64.getDecoder().decode(lines.get(2)));
        } catch (IOException | IllegalArgumentException e) { // none yet, unreadable, or not base64
            return null;
        }
        // The run that records bin/fileclient's class-data archive reads the session as any run does (its
        // classes are archived too) but runs a full handshake: a resumed one would leave out X25519, ECDSA
        // and the certificate's classes, which every later full handshake (a new server, an expired
        // session) would then read from the jars. FirstRun loads the few a resumed one adds.
        return Boolean.getBoolean("fileclient.archiving") ? null : saved;
    }

    @Override
    public void save(InetSocketAddress server, byte[] session) {
        String fingerprint = trust.seenFingerprint();
        if (fingerprint == null) {
            return;
        }
        Path dir = file.getParent();
        Path tmp = null;
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            tmp = Files.createTempFile(dir, ".session-", ".tmp", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, MAGIC + "\n" + fingerprint + "\n" + Base64.getEncoder().encodeToString(session)
                    + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException | UnsupportedOperationException e) {
            // only the next handshake's speed is lost
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray temporary file, owner-only
                }
            }
        }
    }
}
