package dev.rudp.fileclient.keys;

import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Logging in as ssh does: when the user has a key, it is offered first and no password is asked
 * for; when the server does not accept it (not registered, or a bad signature), the client falls
 * back to the password silently. A locked account stops there (the password would be refused too).
 */
public final class KeyFirstLogin {
    /** Where the password comes from when it is needed (environment, file or prompt). */
    @FunctionalInterface
    public interface PasswordSource {
        char[] get() throws ClientException;
    }

    /** The {@code --identity} value that turns key login off. */
    public static final String NONE = "none";

    private KeyFirstLogin() {
    }

    /**
     * The identity to offer: {@code option} ({@code --identity FILE}; {@value #NONE} for none) or else
     * the default file. A missing default file means no key, silently; a named file that is missing,
     * and any file that cannot be used (malformed, readable by others), is skipped with a one-line
     * warning on {@code err}, and the login goes on with the password, as ssh does.
     */
    public static Identity identity(String option, PrintWriter err) {
        if (NONE.equals(option)) {
            return null;
        }
        Path file = option != null ? Path.of(option) : Identity.defaultFile();
        try {
            return Identity.load(file);
        } catch (NoSuchFileException e) {
            if (option != null) {
                err.println("fileclient: warning: no such identity file: " + option + " (using the password)");
            }
            return null;
        } catch (IOException e) {
            err.println("fileclient: warning: " + e.getMessage() + " (using the password)");
            return null;
        }
    }

    /**
     * Before connecting to {@code host:port}: starts deriving the key's public half beside the connect,
     * unless the handshake will likely resume a session whose login then needs none of it (0.05-0.07
     * CPU-s of a new client on its two busy cores).
     */
    public static void prepare(Identity identity, dev.rudp.fileclient.connection.ServerTrust trust, String host,
            int port) {
        if (identity != null && !trust.mayResume(host, port)) {
            identity.deriveAside();
        }
    }

    /**
     * Logs in on {@code conn}: with {@code identity} first when not null (on a resumed DTLS session, with
     * the key login the session carries, if the server still has it: no signature), then with the
     * password from {@code password} (asked only if needed; cleared after use). Returns the server's
     * reply lines.
     */
    public static List<String> login(FileConnection conn, String user, Identity identity, PasswordSource password)
            throws ClientException {
        if (identity != null && conn.resumedSession()) {
            try {
                return conn.loginResumed(user, identity.claimedPublicKey());
            } catch (ClientException e) {
                if (e.code() != ExitCode.AUTH) {
                    throw e;
                }
            }
        }
        if (identity != null) {
            identity.deriveAside(); // if not yet: beside the challenge's round trip
            try {
                return conn.loginWithKey(user, identity.publicKey(), identity::sign);
            } catch (ClientException e) {
                if (e.code() != ExitCode.AUTH) {
                    throw e; // locked, or the connection failed: a password would not help
                }
            }
        }
        char[] pw = password.get();
        try {
            return conn.login(user, pw);
        } finally {
            Arrays.fill(pw, '\0');
        }
    }
}
