package dev.rudp.fileclient.progress;

import dev.rudp.fileclient.connection.TransferListener;
import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * Shows one transfer's progress: bytes, percent, rate and ETA. On a terminal ({@code bar} true) a
 * single line redrawn with a carriage return at most 10 times a second; otherwise a plain line at
 * every 10% or 5 seconds, whichever comes first. Rates count only the bytes moved in this run, so a
 * resumed transfer shows an honest speed.
 */
public final class ProgressDisplay implements TransferListener {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LINE_NANOS = 5_000_000_000L;

    private final PrintWriter out;
    private final boolean bar;
    private final int width;
    private final LongSupplier clock;
    private String name = "";
    private long start;
    private long startNanos;
    private long lastNanos;
    private int lastTenth = -1;
    private boolean drawn;

    /** A display writing to {@code out}; a redrawn bar of {@code width} columns when {@code bar}. */
    public ProgressDisplay(PrintWriter out, boolean bar, int width, LongSupplier clock) {
        this.out = out;
        this.bar = bar;
        this.width = Math.max(40, width);
        this.clock = clock;
    }

    @Override
    public void started(String name, long start, long total) {
        this.name = name;
        this.start = start;
        this.startNanos = clock.getAsLong();
        this.lastNanos = startNanos - REDRAW_NANOS - LINE_NANOS;
        if (start > 0) {
            out.println("resuming " + name + " at " + human(start) + " of " + human(total)
                    + " (" + percent(start, total) + "%)");
            out.flush();
        }
        progress(start, total);
    }

    @Override
    public void progress(long done, long total) {
        long now = clock.getAsLong();
        if (bar) {
            if (now - lastNanos < REDRAW_NANOS && done < total) {
                return;
            }
            lastNanos = now;
            out.print("\r" + line(done, total, now) + "\u001b[K");
            out.flush();
            drawn = true;
        } else {
            int tenth = total == 0 ? 10 : (int) (done * 10 / total);
            if (tenth == lastTenth && now - lastNanos < LINE_NANOS) {
                return;
            }
            lastTenth = tenth;
            lastNanos = now;
            out.println(line(done, total, now));
            out.flush();
        }
    }

    @Override
    public void finished(boolean ok) {
        if (bar && drawn) {
            out.println();
            out.flush();
        }
    }

    /** The progress line: name, bar, bytes, percent, rate, ETA. */
    String line(long done, long total, long now) {
        double secs = Math.max(1e-3, (now - startNanos) / 1e9);
        double rate = (done - start) / secs;
        String eta = rate <= 0 || done >= total ? "--:--" : clockTime((long) ((total - done) / rate));
        String tail = String.format(" %s/%s %3d%% %s/s ETA %s", human(done), human(total), percent(done, total),
                human((long) rate), eta);
        if (!bar) {
            return name + tail;
        }
        // a fixed allowance for the tail keeps the bar from changing length as the numbers change
        int cells = Math.max(10, width - 56 - Math.min(name.length(), 24) - 4);
        int filled = total == 0 ? cells : (int) (cells * (double) done / total);
        String label = name.length() > 24 ? "..." + name.substring(name.length() - 21) : name;
        return label + " [" + "#".repeat(filled) + " ".repeat(cells - filled) + "]" + tail;
    }

    private static int percent(long done, long total) {
        return total == 0 ? 100 : (int) (done * 100 / total);
    }

    /** Bytes in a short human form: 512B, 1.5KiB, 20.0MiB. */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f%s", v, units[u]);
    }

    private static String clockTime(long seconds) {
        return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%02d:%02d", seconds / 60, seconds % 60);
    }
}
