package dev.rudp.fileclient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of a real service (the S3 engine), which a test cuts to make
 * that service unreachable mid-transfer, and starts again on the same port. It can also make the
 * service slow or failing instead: {@link #stall()} keeps every connection open but passes no byte
 * on until {@link #resume()}; {@link #fail503()} answers every new HTTP request with
 * {@code 503 Slow Down} as an overloaded S3 engine does, until {@link #resume()}.
 * {@link #loseCompletionAnswer()} passes a multipart upload's completion on to the store and cuts
 * when the answer comes: the store took the request, its client never hears.
 */
final class TcpRelay implements AutoCloseable {
    private enum Mode { RELAY, STALL, FAIL_503, LOSE_COMPLETION_ANSWER }

    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger answered503 = new AtomicInteger();
    private volatile ServerSocket listener;
    private volatile Mode mode = Mode.RELAY;
    private int port;

    TcpRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        start();
    }

    /** The relay's port (the same after {@link #start} again). */
    int port() {
        return port;
    }

    /** Accepts connections again (after {@link #cut}). */
    synchronized void start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", port));
        port = s.getLocalPort();
        listener = s;
        Thread t = new Thread(() -> accept(s), "tcp-relay-accept");
        t.setDaemon(true);
        t.start();
    }

    /** Open connections pass nothing on, new ones are accepted and pass nothing on either. */
    void stall() {
        synchronized (open) {
            mode = Mode.STALL;
        }
    }

    /**
     * New requests are answered 503 (SlowDown) and their connection closed; open connections are
     * closed, so the client's next requests come to the failing relay.
     */
    void fail503() throws IOException {
        synchronized (open) {
            mode = Mode.FAIL_503;
            for (Socket s : open) {
                s.close();
            }
            open.clear();
        }
    }

    /**
     * The next CompleteMultipartUpload request goes on to the store; when the store answers it, the
     * answer is dropped and the relay {@link #cut cuts}.
     */
    void loseCompletionAnswer() {
        synchronized (open) {
            mode = Mode.LOSE_COMPLETION_ANSWER;
        }
    }

    /** How many requests were answered 503. */
    int answered503() {
        return answered503.get();
    }

    /** Relays again (after {@link #stall()} or {@link #fail503()}); stalled connections are closed. */
    void resume() throws IOException {
        synchronized (open) {
            mode = Mode.RELAY;
            open.notifyAll();
        }
    }

    /** Closes every connection and stops listening: the service is unreachable. */
    synchronized void cut() throws IOException {
        synchronized (open) {
            listener.close();
            for (Socket s : open) {
                s.close();
            }
            open.clear();
        }
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket in = s.accept();
                if (mode == Mode.FAIL_503) {
                    answer503(in);
                    continue;
                }
                Socket out = new Socket();
                out.connect(target, 5_000);
                synchronized (open) {
                    // a connection accepted while cut() or fail503() ran must not outlive it (one did:
                    // a request "after the cut" reached the store through it)
                    if (s.isClosed() || mode == Mode.FAIL_503) {
                        in.close();
                        out.close();
                        if (s.isClosed()) {
                            return;
                        }
                        continue;
                    }
                    open.add(in);
                    open.add(out);
                }
                AtomicBoolean completionSent = new AtomicBoolean();
                pump(in, out, completionSent, true);
                pump(out, in, completionSent, false);
            } catch (IOException e) {
                return; // cut
            }
        }
    }

    /** {@code completionSent}: this connection carried a completion while its answer is to be lost. */
    private void pump(Socket from, Socket to, AtomicBoolean completionSent, boolean toStore) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    if (mode == Mode.LOSE_COMPLETION_ANSWER) {
                        if (toStore && isCompletion(buf, n)) {
                            completionSent.set(true);
                        } else if (!toStore && completionSent.get()) {
                            cut();
                            return;
                        }
                    } else if (mode != Mode.RELAY && !holdWhileNotRelaying()) {
                        return; // stalled, then resumed: the peer gave up long ago
                    }
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // one side closed: close both
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }, "tcp-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Whether a request head in {@code buf} is a CompleteMultipartUpload ({@code POST /key?uploadId=}). */
    private static boolean isCompletion(byte[] buf, int n) {
        String text = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        int post = text.indexOf("POST /");
        return post >= 0 && text.indexOf("uploadId=", post) > post && text.indexOf(" HTTP/1.1", post) > post;
    }

    /** Waits while stalled; false when the bytes held must not go on (the relay no longer relays them). */
    private boolean holdWhileNotRelaying() {
        synchronized (open) {
            boolean held = false;
            while (mode == Mode.STALL) {
                held = true;
                try {
                    open.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !held && mode == Mode.RELAY;
        }
    }

    /** Reads one request's head and answers 503 with S3's SlowDown error, then closes. */
    private void answer503(Socket in) {
        Thread t = new Thread(() -> {
            try (in; InputStream is = in.getInputStream(); OutputStream os = in.getOutputStream()) {
                StringBuilder head = new StringBuilder();
                while (head.indexOf("\r\n\r\n") < 0) {
                    int c = is.read();
                    if (c < 0) {
                        return;
                    }
                    head.append((char) c);
                }
                // the body, if any, is not read: the answer says "Connection: close"
                byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
                        + "<Message>Please reduce your request rate.</Message></Error>").getBytes(StandardCharsets.US_ASCII);
                os.write(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: "
                        + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                os.write(body);
                os.flush();
                answered503.incrementAndGet();
                in.shutdownOutput();
                // let the client read the answer before the close resets a connection with unread body
                is.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the client went away
            }
        }, "tcp-relay-503");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        resume();
        cut();
    }
}
