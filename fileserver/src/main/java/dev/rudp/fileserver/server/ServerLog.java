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
        LOG.log(Level.INFO, () -> event + " " + clean(who) + (details.isEmpty() ? "" : " " + clean(details)));
    }

    /** Logs an error event. */
    public void error(String who, String details) {
        LOG.log(Level.WARNING, () -> "error " + clean(who) + " " + clean(details));
    }

    /** Client-chosen text (names, paths) cannot forge log lines: control characters become '?', length is capped. */
    static String clean(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 512));
        for (int i = 0; i < s.length() && b.length() < 512; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 512 ? b + "..." : b.toString();
    }
}
