package dev.rudp.fileserver.storage;

import dev.rudp.fileserver.protocol.ProtocolException;
import java.time.Duration;

/**
 * What a server keeps its users' files and its own records in: a data folder on this machine
 * ({@code storage.local}, the default) or a bucket that any number of servers share
 * ({@code storage.s3}). One per server process; thread-safe.
 */
public interface StoreBackend extends AutoCloseable {

    /** Account {@code user}'s tree with {@code quota} bytes (-1: none); creates the home when missing. */
    Store open(String user, long quota) throws ProtocolException;

    /**
     * The small records every server on this backend shares: the accounts, the authorized keys, the
     * server's DTLS identity.
     */
    SystemRecords records();

    /**
     * Removes interrupted uploads that nobody touched for {@code maxAge} (on a shared store, any
     * server's). Returns how many went.
     */
    int expireUploads(Duration maxAge) throws ProtocolException;

    /** Where the files live, for logs and messages (never credentials): a folder, or {@code s3://bucket/prefix}. */
    String describe();

    /** Releases connections and threads; stores nothing more. */
    @Override
    void close();
}
