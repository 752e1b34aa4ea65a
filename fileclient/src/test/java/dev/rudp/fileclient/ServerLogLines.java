package dev.rudp.fileclient;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The test servers' log lines ({@code dev.rudp.fileserver}, through java.util.logging in tests) that
 * start with a prefix, from {@link #starting} until {@link #close}: the server's own account of what
 * happened (a login, an idle close, a disconnect), with when it was logged.
 */
final class ServerLogLines implements AutoCloseable {
    private static final Logger SERVER_LOG = Logger.getLogger("dev.rudp.fileserver");

    /** One line and {@link System#nanoTime()} when it was logged. */
    record Line(long atNanos, String text) {
    }

    private final LinkedBlockingQueue<Line> unread = new LinkedBlockingQueue<>();
    private final List<String> all = new CopyOnWriteArrayList<>();
    private final Handler handler;

    private ServerLogLines(String prefix) {
        handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String m = r.getMessage();
                if (m != null && m.startsWith(prefix)) {
                    all.add(m);
                    unread.add(new Line(System.nanoTime(), m));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        SERVER_LOG.addHandler(handler);
    }

    /** Collects the lines that start with {@code prefix} from now on. */
    static ServerLogLines starting(String prefix) {
        return new ServerLogLines(prefix);
    }

    /** Every line so far, in order. */
    List<String> all() {
        return List.copyOf(all);
    }

    /** The next line not polled yet, waiting up to {@code timeout}; null if none came. */
    Line poll(long timeout, TimeUnit unit) throws InterruptedException {
        return unread.poll(timeout, unit);
    }

    /** Whether every line so far has been polled. */
    boolean allPolled() {
        return unread.isEmpty();
    }

    @Override
    public void close() {
        SERVER_LOG.removeHandler(handler);
    }
}
