package dev.rudp.fileserver.storage.s3;

import java.time.Duration;

/**
 * The S3 backend's tuning, package-private so that tests can shrink sizes and exercise paths
 * (multipart copy, many parts) with small objects. Set before the backend is used.
 */
final class S3Settings {
    static final int MIB = 1 << 20;
    /** S3's smallest part but the last. */
    static final int MIN_PART = 5 * MIB;

    /** Upload part size: 8 MiB (S3's minimum is 5 MiB; at most 10,000 parts make 78 GiB). */
    int partSize = 8 * MIB;
    /**
     * Part buffers one upload may hold (being filled, waiting to be hashed in order, or being
     * sent): 12 (96 MiB) covers the transport's 64 MiB window of unordered chunks plus parts in
     * flight; write() blocks while more would be needed and a part is still being sent.
     */
    int maxPartBuffers = 12;
    /** Objects above this size are copied with UploadPartCopy: 5 GiB, S3's limit for one CopyObject. */
    long multipartCopyThreshold = 5L << 30;
    /** Part size of a multipart copy: 512 MiB. */
    long copyPartSize = 512L * MIB;
    /** Ranged GET size of a download: 8 MiB. */
    int readBlock = 8 * MIB;
    /** Ranged GETs a download keeps in flight ahead of its reader: 3. */
    int readAhead = 3;
    /** How long a computed usage is reused: 5 s (a server's own changes refresh it at once). */
    Duration usageTtl = Duration.ofSeconds(5);
    /** Keys per ListObjectsV2 page: 1000, S3's most. */
    int listPageSize = 1000;
    /**
     * Keys per DeleteObjects request: 100 (S3 takes up to 1000, but Swift deletes them a few at a
     * time before it answers, and a busy single node manages a few dozen a second: a batch must
     * be answered within the client's stall timeout, 30 s by default).
     */
    int deleteBatch = 100;
    /** DeleteObjects requests of one operation in flight at once: 8. */
    int deleteConcurrency = 8;
    /** Concurrent requests of one bulk operation (folder move, copy, delete): 32. */
    int bulkConcurrency = 32;
    /** Test hook: a folder move throws after this many copies (-1: never), leaving a half-done move. */
    int interruptMoveAfterCopies = -1;

    void check() {
        if (partSize < MIN_PART || maxPartBuffers < 2 || readBlock < 1 || readAhead < 0
                || copyPartSize < MIN_PART || bulkConcurrency < 1
                || listPageSize < 1 || listPageSize > 1000 || deleteBatch < 1 || deleteBatch > 1000
                || deleteConcurrency < 1) {
            throw new IllegalArgumentException("invalid S3 settings");
        }
    }
}
