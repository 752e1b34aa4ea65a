package dev.rudp.fileserver.server;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * One log line per event (connect, login, upload, download, delete, error), through the JDK's
 * {@code System.Logger} facade. Never logs passwords or hashes.
 */
public final class ServerLog {
    private static final Logger LOG = System.getLogger("dev.rudp.fileserver");

    /** Logs {@code event} for {@code who} (an address or user@address) with details. */
    public void event(String event, String who, String details) {
        LOG.log(Level.INFO, () -> event + " " + who + (details.isEmpty() ? "" : " " + clean(details)));
    }

    /** Logs an error event. */
    public void error(String who, String details) {
        LOG.log(Level.WARNING, () -> "error " + who + " " + clean(details));
    }

    private static String clean(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
