package dev.rudp.bench.load;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every session does, and the bounds on it: random files of log-uniform sizes (1 KiB to {@code maxFile}),
 * until a deadline or until all sessions together have sent {@code maxBytes}.
 */
final class Workload {
    static final long MIN_FILE = 1024;

    final long deadlineNanos;
    final long maxFile;
    private final long maxBytes;
    private final AtomicLong sent = new AtomicLong();

    Workload(long deadlineNanos, long maxFile, long maxBytes) {
        this.deadlineNanos = deadlineNanos;
        this.maxFile = Math.max(MIN_FILE, maxFile);
        this.maxBytes = maxBytes;
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
