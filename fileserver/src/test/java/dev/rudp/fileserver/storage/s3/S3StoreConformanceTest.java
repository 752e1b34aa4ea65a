package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.StoreConformance;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage conformance suite on the S3 backend against the real engine, each test in a new
 * account of one bucket, with 5 MiB parts (S3's smallest) so that uploads of a few parts stay small.
 */
class S3StoreConformanceTest extends StoreConformance {
    @TempDir
    static Path scratch;

    private static TestBucket bucket;
    private static S3Backend backend;
    private static final AtomicInteger USERS = new AtomicInteger();

    @BeforeAll
    static void open() throws Exception {
        bucket = new TestBucket(scratch);
        S3Settings settings = new S3Settings();
        settings.partSize = S3Settings.MIN_PART;
        backend = bucket.backend("conformance", settings);
    }

    @AfterAll
    static void close() throws Exception {
        if (backend != null) {
            backend.close();
        }
        if (bucket != null) {
            bucket.close();
        }
    }

    @Override
    protected Store newStore(long quota) throws Exception {
        return backend.open("user" + USERS.incrementAndGet(), quota);
    }

    @Override
    protected int resumeGranule() {
        return S3Settings.MIN_PART;
    }
}
