package dev.rudp.bench.load;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every session does, and the bounds on it. Sessions connect and log in first, at most
 * {@code parallel} at a time (a burst of logins is another test: the connect phase is reported on its
 * own); once all have, the loop starts for everyone at once and runs rounds on random files of
 * log-uniform sizes (1 KiB to {@code maxFile}) until {@code seconds} have passed or all sessions
 * together have sent {@code maxBytes}.
 */
final class Workload {
    static final long MIN_FILE = 1024;

    final long maxFile;
    private final long maxBytes;
    private final long seconds;
    private final AtomicLong sent = new AtomicLong();
    private final Semaphore connecting;
    private final CountDownLatch connected;
    private final CountDownLatch go = new CountDownLatch(1);
    private volatile long deadlineNanos;

    Workload(int sessions, int parallel, long seconds, long maxFile, long maxBytes) {
        this.connecting = new Semaphore(parallel);
        this.connected = new CountDownLatch(sessions);
        this.seconds = seconds;
        this.maxFile = Math.max(MIN_FILE, maxFile);
        this.maxBytes = maxBytes;
    }

    /** Runs a session's connect and login in one of the connect slots. */
    <T> T connect(Callable<T> login) throws Exception {
        connecting.acquire();
        try {
            return login.call();
        } finally {
            connecting.release();
        }
    }

    /** A session is through its connect phase (connected or failed): counted once per session. */
    void connected() {
        connected.countDown();
    }

    /** The runner: waits until every session is through its connect phase; false on timeout. */
    boolean awaitConnected(long timeout, TimeUnit unit) throws InterruptedException {
        return connected.await(timeout, unit);
    }

    /** The runner: starts the loop for everyone; returns its start in nanos. */
    long start() {
        long t0 = System.nanoTime();
        deadlineNanos = t0 + TimeUnit.SECONDS.toNanos(seconds);
        go.countDown();
        return t0;
    }

    /** A session: waits for the start. */
    void awaitStart() throws InterruptedException {
        go.await();
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    /** True while a session may start another round. */
    boolean goOn() {
        return System.nanoTime() < deadlineNanos && sent.get() < maxBytes;
    }

    /** Writes a random file of a random size to {@code file}, counts it against the budget; returns its SHA-256 hex. */
    String randomFile(SplittableRandom rnd, Path file) throws IOException {
        double lo = Math.log(MIN_FILE);
        double hi = Math.log(maxFile);
        long size = (long) Math.exp(lo + rnd.nextDouble() * (hi - lo));
        sent.addAndGet(size);
        MessageDigest sha = sha256();
        byte[] buf = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0;) {
                int n = (int) Math.min(buf.length, left);
                rnd.nextBytes(buf);
                out.write(buf, 0, n);
                sha.update(buf, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** SHA-256 hex of a file's content (independent of the client's own check). */
    static String sha256(Path file) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[64 * 1024];
        try (var in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0;) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
