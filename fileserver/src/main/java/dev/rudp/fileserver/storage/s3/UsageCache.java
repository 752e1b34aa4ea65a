package dev.rudp.fileserver.storage.s3;

import java.time.Duration;

/**
 * An account's usage, computed by listing its prefix and its unfinished uploads (one request per
 * 1000 objects and one per upload), reused for a few seconds. Changes this server makes invalidate
 * it; another server's changes show after at most the time to live.
 */
final class UsageCache {
    /** Computes the usage; may throw. */
    @FunctionalInterface
    interface Source {
        long compute() throws S3StoreException;
    }

    private final long ttlNanos;
    private long value;
    private long at;
    private boolean valid;

    UsageCache(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    synchronized long get(Source source) throws S3StoreException {
        long now = System.nanoTime();
        if (!valid || now - at > ttlNanos) {
            value = source.compute();
            at = now;
            valid = true;
        }
        return value;
    }

    synchronized void invalidate() {
        valid = false;
    }
}
