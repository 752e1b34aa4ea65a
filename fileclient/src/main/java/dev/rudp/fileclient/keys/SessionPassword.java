package dev.rudp.fileclient.keys;

import dev.rudp.fileclient.connection.ClientException;
import java.util.Arrays;

/**
 * The password of one session, asked for (from its source) at most once and then kept in this
 * object's memory only, so that a reconnect can log in again without asking: never written anywhere,
 * never logged. Each {@link #get} hands out a copy (the login clears what it used);
 * {@link #close} wipes the kept one.
 */
public final class SessionPassword implements KeyFirstLogin.PasswordSource, AutoCloseable {
    private final KeyFirstLogin.PasswordSource source;
    private char[] kept;

    /** Asks {@code source} when the password is first needed. */
    public SessionPassword(KeyFirstLogin.PasswordSource source) {
        this.source = source;
    }

    @Override
    public synchronized char[] get() throws ClientException {
        if (kept == null) {
            char[] p = source.get();
            kept = p.clone();
            Arrays.fill(p, '\0');
        }
        return kept.clone();
    }

    @Override
    public synchronized void close() {
        if (kept != null) {
            Arrays.fill(kept, '\0');
            kept = null;
        }
    }
}
