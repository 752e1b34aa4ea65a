package dev.rudp.fileclient.connection;

import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A password LOGIN that may be queued on a busy server: it asks for interim
 * {@link dev.rudp.fileserver.protocol.Status#QUEUED} replies, shows the first one once
 * ({@code server busy, waiting (N ahead)}), and restarts its reply timeout at each, so a burst of
 * users larger than the server's hashing threads slows down instead of timing out. An older server
 * ignores the request's flag and answers once.
 */
final class QueuedLogin {
    private QueuedLogin() {
    }

    /** Sends the login and returns its final reply (an error reply is thrown). */
    static Reply call(FileConnection conn, String user, char[] password, Consumer<String> notice)
            throws ClientException {
        long id = conn.nextId();
        BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
        conn.routeReplies(id, replies);
        try {
            conn.send(Request.login(id, user, new String(password), conn.timeoutMillis()));
            boolean shown = false;
            while (true) {
                Reply r = next(conn, replies);
                if (!r.interim()) {
                    if (!r.ok()) {
                        throw ClientException.of(r);
                    }
                    return r;
                }
                if (!shown) {
                    notice.accept(r.message());
                    shown = true;
                }
            }
        } finally {
            conn.unrouteReplies(id);
        }
    }

    /** The next reply within the connection's reply timeout, counted from now. */
    private static Reply next(FileConnection conn, BlockingQueue<Object> replies) throws ClientException {
        long timeoutMillis = conn.timeoutMillis();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            if (conn.cancelled()) {
                throw new ClientException(ExitCode.INTERRUPTED, "interrupted");
            }
            Object o;
            try {
                o = replies.poll(100, TimeUnit.MILLISECONDS); // wakes to notice Ctrl-C
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClientException(ExitCode.INTERRUPTED, "interrupted");
            }
            if (o instanceof Reply r) {
                return r;
            }
            if (o instanceof ClientException e) {
                throw e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ClientException(ExitCode.TIMEOUT, "no reply from the server within "
                        + Math.max(1, timeoutMillis / 1000) + " s");
            }
        }
    }
}
