package dev.rudp.fileserver.storage.local;

import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.StoreConformance;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The storage conformance suite on the data folder backend, each test in a new account. */
class LocalStoreConformanceTest extends StoreConformance {
    private static final AtomicInteger USERS = new AtomicInteger();

    @TempDir
    Path data;

    @Override
    protected Store newStore(long quota) throws Exception {
        return new LocalBackend(data).open("user" + USERS.incrementAndGet(), quota);
    }
}
