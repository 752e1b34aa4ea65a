package dev.rudp.fileserver.server;

import dev.rudp.RudpStats;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Locale;

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

    /**
     * One line on how a connection went, for its disconnect event: what moved, the round trip, losses,
     * and what held its sending back (the two largest shares), so an operator can tell a slow client,
     * a lossy path and a busy server apart from the log alone.
     */
    static String transport(RudpStats s) {
        RudpStats.LimitedBy l = s.limitedBy();
        long total = Math.max(1, l.totalNanos());
        String[] names = {"sending", "cwnd", "pacing", "receiver window", "application", "socket"};
        long[] parts = {l.sendingNanos(), l.congestionWindowNanos(), l.pacingNanos(), l.receiverWindowNanos(),
            l.applicationNanos(), l.socketNanos()};
        int first = 0;
        for (int i = 1; i < parts.length; i++) {
            first = parts[i] > parts[first] ? i : first;
        }
        int second = first == 0 ? 1 : 0;
        for (int i = 0; i < parts.length; i++) {
            second = i != first && parts[i] > parts[second] ? i : second;
        }
        return String.format(Locale.ROOT, "after %.1f s: sent %s, received %s, rtt %.1f ms (min %.1f), lost %d of %d"
                + " packets, retransmitted %s; sending limited by %s %d%%, %s %d%%", l.totalNanos() / 1e9,
                bytes(s.bytesSent()), bytes(s.bytesReceived()), s.smoothedRttNanos() / 1e6, s.minRttNanos() / 1e6,
                s.packetsLost(), s.packetsSent(), bytes(s.bytesRetransmitted()), names[first],
                100 * parts[first] / total, names[second], 100 * parts[second] / total);
    }

    private static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n / 1024.0;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
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
