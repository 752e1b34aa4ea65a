package dev.rudp.fileserver.storage;

import dev.rudp.fileserver.protocol.ProtocolException;
import java.nio.ByteBuffer;

/**
 * Where one upload's bytes go until they are verified: a partial file on a disk, a multipart upload
 * in an object store. Called from the upload's serial writer only (one thread at a time, in the
 * order the chunks arrived), except {@link #start()} and {@link #size()}.
 *
 * <p>The contract every backend keeps: nothing appears under the final name, and an existing file
 * there is untouched, until {@link #finish} has checked the whole file's SHA-256 (or
 * {@link #finishByCrc32c} its CRC32C); a mismatch discards
 * the upload; {@link #abort} keeps every complete byte a later resume can use (which, on a shared
 * store, any server can find).
 */
public interface UploadSink {

    /** Where the client must start sending: 0, or the end of what an earlier upload kept. */
    long start();

    /** The file's final size. */
    long size();

    /**
     * Stores {@code data} at {@code offset} (within {@code [start, size)}; chunks come in any order
     * and never overlap). Consumes {@code data}'s remaining bytes before returning; keeps no
     * reference to it. May block while the backend catches up (that is the upload's backpressure).
     */
    void write(long offset, ByteBuffer data) throws ProtocolException;

    /**
     * Every byte has been written: checks the whole file against {@code expectedSha256} (hex) and,
     * when it matches, makes it visible under the final name (replacing any old version atomically)
     * and returns the digest. On a mismatch the upload is discarded and CHECKSUM_MISMATCH thrown.
     */
    String finish(String expectedSha256) throws ProtocolException;

    /** Whether {@link #finishByCrc32c} can check the file (its CRC32C is computed beside the SHA-256). */
    default boolean checksCrc32c() {
        return false;
    }

    /**
     * As {@link #finish}, checking the file's CRC32C against {@code expectedCrc32c} (hex) instead of its
     * SHA-256, which it still returns (null after {@link #skipSha256()} said true). Only when
     * {@link #checksCrc32c()}.
     */
    default String finishByCrc32c(String expectedCrc32c) throws ProtocolException {
        throw new IllegalStateException("this upload is checked by its SHA-256 only");
    }

    /**
     * The client checks this upload by its CRC32C and needs no SHA-256
     * ({@link dev.rudp.fileserver.protocol.Op#FLAG_NO_SHA256}): a backend that can compute the SHA-256
     * later from the stored file, when it is asked for, may leave it out now. Returns whether it does;
     * {@link #finishByCrc32c} then returns null. Called at most once, before any write, and only when
     * {@link #checksCrc32c()}.
     */
    default boolean skipSha256() {
        return false;
    }

    /**
     * Stops the upload, keeping what a resume can use. Idempotent; never throws (problems are logged
     * by the backend). After it, no other method is called.
     */
    void abort();
}
