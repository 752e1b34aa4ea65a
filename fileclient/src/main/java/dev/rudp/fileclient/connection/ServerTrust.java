package dev.rudp.fileclient.connection;

import dev.rudp.dtls.DtlsConfig;
import dev.rudp.dtls.DtlsException;
import dev.rudp.dtls.DtlsSessionStore;
import dev.rudp.dtls.ServerCertificateVerifier;
import java.io.IOException;
import java.util.Optional;

/**
 * How the client decides whether a file server's DTLS identity (its certificate's
 * {@code SHA256:<base64>} fingerprint) is the right one, or whether to run without DTLS:
 * <ul>
 * <li>{@link #knownHosts(KnownHosts, boolean)}: trust on first use, as ssh. A server pinned in the
 * known-hosts file must present the pinned fingerprint (else {@link Outcome#CHANGED}); an unknown one
 * is pinned when {@code trustNew}, else refused as {@link Outcome#UNKNOWN} with its fingerprint
 * available from {@link #unknownFingerprint()} so that an interactive caller can ask the user, pin
 * it and connect again (the verifier runs on a DTLS handshake thread and never waits for a user).</li>
 * <li>{@link #fingerprint(String)}: exactly that fingerprint (else {@link Outcome#MISMATCH}); the
 * known-hosts file is neither read nor written.</li>
 * <li>{@link #plaintext()}: no DTLS at all.</li>
 * </ul>
 * A refusal fails the connect with {@link ExitCode#UNTRUSTED}.
 */
public final class ServerTrust {
    /** Why a server's identity was refused. */
    public enum Outcome {
        /** Not in the known-hosts file (and not {@code --trust-new}). */
        UNKNOWN,
        /** The known-hosts file pins another fingerprint for this host:port. */
        CHANGED,
        /** Not the fingerprint demanded with {@code --fingerprint}. */
        MISMATCH,
        /** The known-hosts file could not be read. */
        UNREADABLE
    }

    private final boolean plaintext;
    private final String expected;
    private final KnownHosts knownHosts;
    private final boolean trustNew;
    private volatile Outcome refused;
    private volatile String seen;
    private volatile String refusal;
    private volatile boolean pinOnSuccess;

    private ServerTrust(boolean plaintext, String expected, KnownHosts knownHosts, boolean trustNew) {
        this.plaintext = plaintext;
        this.expected = expected;
        this.knownHosts = knownHosts;
        this.trustNew = trustNew;
    }

    /** Trust on first use with {@code knownHosts}; {@code trustNew} pins unknown servers without asking. */
    public static ServerTrust knownHosts(KnownHosts knownHosts, boolean trustNew) {
        return new ServerTrust(false, null, knownHosts, trustNew);
    }

    /** The default: {@code ~/.fileclient/known_hosts}, unknown servers refused. */
    public static ServerTrust defaults() {
        return knownHosts(new KnownHosts(KnownHosts.defaultFile()), false);
    }

    /** Only a server presenting {@code fingerprint} ({@code SHA256:<base64>}). */
    public static ServerTrust fingerprint(String fingerprint) {
        return new ServerTrust(false, fingerprint, null, false);
    }

    /** No DTLS: everything travels in the clear. */
    public static ServerTrust plaintext() {
        return new ServerTrust(true, null, null, false);
    }

    /** Whether DTLS is off. */
    public boolean isPlaintext() {
        return plaintext;
    }

    /** The known-hosts file in use, or null. */
    public KnownHosts knownHostsFile() {
        return knownHosts;
    }

    /** Why the last connect refused the server, or null. */
    public Outcome refused() {
        return refused;
    }

    /** The fingerprint the server presented in the last connect's handshake, or null. */
    public String seenFingerprint() {
        return seen;
    }

    /** The fingerprint of the server the last connect refused as unknown, or null. */
    public String unknownFingerprint() {
        return refused == Outcome.UNKNOWN ? seen : null;
    }

    /** The message of the last refusal, or null. */
    String refusal() {
        return refusal;
    }

    /**
     * The DTLS settings of one connect to {@code key} ({@code host:port}), or null for plaintext.
     * BouncyCastle's own crypto for the handshake (X25519, the server's ECDSA signature, the PRF): a new
     * client JVM then loads none of the JCA's EC, RSA and TLS providers, 0.02 s of a one-shot command's
     * start; the records after the handshake are the JDK's AES-GCM all the same (DtlsConfig.Crypto).
     * With known-hosts trust the session is kept for the next command to resume ({@link #sessions}).
     */
    DtlsConfig dtlsConfig(String key, long handshakeTimeoutMillis) {
        if (plaintext) {
            return null;
        }
        DtlsConfig.Builder b = DtlsConfig.clientCertificateVerifier(verifier(key))
                .handshakeTimeoutMillis(Math.max(1_000, handshakeTimeoutMillis)).crypto(DtlsConfig.Crypto.BC);
        DtlsSessionStore store = sessions(key);
        return (store != null ? b.sessionStore(store) : b).build();
    }

    /**
     * Where the DTLS session with {@code key} ({@code host:port}) is kept for resumption
     * ({@link SessionFiles}), or null: with known-hosts trust only (a {@code --fingerprint} run keeps
     * nothing on disk, as it neither reads nor writes the known-hosts file), and not when the
     * environment sets {@code FILECLIENT_RESUME=0}.
     */
    DtlsSessionStore sessions(String key) {
        if (knownHosts == null || plaintext || "0".equals(System.getenv("FILECLIENT_RESUME"))) {
            return null;
        }
        return new SessionFiles(SessionFiles.folderBeside(knownHosts.file()), key, this);
    }

    /**
     * Whether a connect to {@code host:port} will likely resume a saved DTLS session (one is saved, pinned
     * and current; the server decides): then its login is the one the session carries, and the key's
     * public half need not be derived ahead ({@link dev.rudp.fileclient.keys.Identity#deriveAside}).
     */
    public boolean mayResume(String host, int port) {
        String key = KnownHosts.key(host, port);
        return sessions(key) instanceof SessionFiles files && files.current();
    }

    /** The fingerprint the known-hosts file pins for {@code key}, or null (none, or it cannot be read). */
    String pinned(String key) {
        if (knownHosts == null) {
            return null;
        }
        try {
            return knownHosts.lookup(key).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A saved session made with {@code fingerprint} (the pinned one) is offered: the server's identity,
     * should it resume, for {@link #seenFingerprint()}; a full handshake's certificate replaces it.
     */
    void offered(String fingerprint) {
        seen = fingerprint;
    }

    /** Called before each connect attempt. */
    void reset() {
        refused = null;
        seen = null;
        refusal = null;
        pinOnSuccess = false;
    }

    /** A verifier for one connect to {@code key} ({@code host:port}); runs on a DTLS handshake thread. */
    ServerCertificateVerifier verifier(String key) {
        return ServerCertificateVerifier.pinning((fp, peer) -> {
            seen = fp;
            if (expected != null) {
                if (!expected.equals(fp)) {
                    throw refuse(Outcome.MISMATCH, "server fingerprint mismatch for " + key + ": expected "
                            + expected + " (--fingerprint) but the server presented " + fp);
                }
                return;
            }
            Optional<String> pinned;
            try {
                pinned = knownHosts.lookup(key);
            } catch (IOException e) {
                throw refuse(Outcome.UNREADABLE, "cannot read known-hosts file " + knownHosts.file() + ": " + e);
            }
            if (pinned.isPresent()) {
                if (!pinned.get().equals(fp)) {
                    throw refuse(Outcome.CHANGED, "WARNING: SERVER IDENTITY HAS CHANGED for " + key + ": "
                            + knownHosts.file() + " pins fingerprint " + pinned.get() + " but the server presented "
                            + fp + ". Someone may be impersonating the server, or its identity was replaced."
                            + " If you trust the change, remove the line for " + key + " from " + knownHosts.file());
                }
                return;
            }
            if (trustNew) {
                pinOnSuccess = true; // pinned once the handshake completes (the server proved its key)
                return;
            }
            throw refuse(Outcome.UNKNOWN, "unknown server " + key + " with fingerprint " + fp + " (not in "
                    + knownHosts.file() + "); to trust it, connect interactively and confirm, or pass --trust-new,"
                    + " or --fingerprint " + fp);
        });
    }

    /** After a successful handshake: pins a new server under {@code --trust-new}. */
    void connected(String key) throws IOException {
        if (pinOnSuccess && seen != null) {
            knownHosts.add(key, seen);
            pinOnSuccess = false;
        }
    }

    private DtlsException refuse(Outcome outcome, String message) {
        refused = outcome;
        refusal = message;
        return DtlsException.certificateRejected(message);
    }
}
