package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.UploadSink;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * One upload into the bucket: a multipart upload with fixed parts ({@link S3Settings#partSize}),
 * each sent with UploadPart as soon as its bytes are complete, whatever order the chunks come in.
 * The whole-file SHA-256 and CRC32C are computed in part order ({@link UploadDigests}), and their
 * state after each part is stored beside the upload ({@link S3Uploads}), so a resume on any server
 * continues them without reading parts back. {@link #finish} (or {@link #finishByCrc32c}) completes
 * the upload only when the client's digest matches (the old object stays untouched until then), then
 * records both in a sidecar with the new object's ETag; a mismatch aborts it. A file
 * of at most one part is kept in memory and stored with one PUT at {@link #finish}.
 *
 * <p>Memory: at most {@link S3Settings#maxPartBuffers} part buffers (parts being filled, complete
 * ones waiting for an earlier part to be hashed, parts being sent). {@link #write} blocks while it
 * needs a new buffer and a part is being sent: that is the upload's backpressure.
 *
 * <p>Threads: the caller's serial writer calls {@link #write}, {@link #finish} and {@link #abort};
 * the SDK's threads complete the requests (shared state under {@link #lock}).
 */
final class S3UploadSink implements UploadSink {
    private static final System.Logger LOG = System.getLogger("fileserver");
    /** Longest wait of {@link #abort} for requests in flight. */
    private static final long ABORT_WAIT_SECONDS = 120;

    /** Where the upload is; every change goes through {@link #transitionTo}. */
    enum State {
        OPEN, FINISHING, DONE, ABORTED;

        boolean mayBecome(State next) {
            return switch (this) {
                case OPEN -> next == FINISHING || next == ABORTED;
                case FINISHING -> next == DONE || next == ABORTED;
                case DONE, ABORTED -> false;
            };
        }
    }

    /** One part's bytes while it is filled, waits to be hashed in order, or is being sent. */
    private static final class Buffer {
        final int number;
        final byte[] data;
        int filled;
        boolean complete;
        boolean hashed;
        boolean sent;

        Buffer(int number, int length) {
            this.number = number;
            this.data = new byte[length];
        }
    }

    private final S3Backend backend;
    private final UsageCache usage;
    private final String key;
    private final String shown;
    private final long size;
    private final int partSize;
    private final int partCount;
    /** Null: the file fits one part and is stored with one PUT. */
    private final String uploadId;
    private final long start;
    private final UploadDigests digest;
    private final int maxBuffers;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Integer, Buffer> buffers = new HashMap<>();
    private final Map<Integer, String> etags = new TreeMap<>();
    private int inFlight;
    private Throwable failure;
    /** The next part to add to the digest (1-based); parts before it are hashed. Writer thread. */
    private int nextToHash;
    private long received;
    private volatile State state = State.OPEN;

    /**
     * An upload of {@code size} bytes to {@code key}: new ({@code uploadId} from
     * {@link S3Uploads#create}, or null for a single PUT) or resumed after {@code keptParts} full
     * parts, whose ETags are {@code keptEtags} and whose digest state is {@code digest}.
     */
    S3UploadSink(S3Backend backend, UsageCache usage, String key, String shown, long size, String uploadId,
            int keptParts, Map<Integer, String> keptEtags, UploadDigests digest) {
        this.backend = backend;
        this.usage = usage;
        this.key = key;
        this.shown = shown;
        this.size = size;
        this.partSize = backend.settings().partSize;
        this.partCount = (int) ((size + partSize - 1) / partSize);
        this.uploadId = uploadId;
        this.start = Math.min(size, (long) keptParts * partSize);
        this.digest = digest;
        this.nextToHash = keptParts + 1;
        this.maxBuffers = backend.settings().maxPartBuffers;
        this.etags.putAll(keptEtags);
    }

    @Override
    public long start() {
        return start;
    }

    @Override
    public long size() {
        return size;
    }

    private int partLength(int n) {
        return (int) Math.min(partSize, size - (long) (n - 1) * partSize);
    }

    @Override
    public void write(long offset, ByteBuffer data) throws ProtocolException {
        int len = data.remaining();
        if (offset < start || offset + len > size || len == 0) {
            throw ProtocolException.of(Status.BAD_REQUEST, "chunk outside the file: offset " + offset);
        }
        lock.lock();
        try {
            checkOpen();
            long pos = offset;
            while (data.hasRemaining()) {
                int n = (int) (pos / partSize) + 1;
                int within = (int) (pos - (long) (n - 1) * partSize);
                int length = partLength(n);
                int take = Math.min(data.remaining(), length - within);
                Buffer b = buffer(n, length);
                if (b.complete || b.filled + take > length) {
                    throw ProtocolException.of(Status.BAD_REQUEST, "chunk overlaps bytes already received: offset " + pos);
                }
                data.get(b.data, within, take);
                b.filled += take;
                pos += take;
                received += take;
                if (b.filled == length) {
                    completed(b);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Part {@code n}'s buffer, allocated when it is first written to (waiting for room). Under the lock. */
    private Buffer buffer(int n, int length) throws ProtocolException {
        Buffer b = buffers.get(n);
        if (b != null) {
            return b;
        }
        if (n < nextToHash) {
            throw ProtocolException.of(Status.BAD_REQUEST, "chunk overlaps bytes already received: part " + n);
        }
        while (buffers.size() >= maxBuffers && inFlight > 0 && failure == null) {
            changed.awaitUninterruptibly();
        }
        checkOpen();
        if (buffers.size() >= maxBuffers) {
            throw ProtocolException.of(Status.IO_ERROR, "upload of " + shown + ": chunks arrived more than "
                    + maxBuffers + " parts of " + (partSize >> 20) + " MiB apart");
        }
        b = new Buffer(n, length);
        buffers.put(n, b);
        return b;
    }

    /** A part's bytes are all there: send it, and hash every part now in order. Under the lock. */
    private void completed(Buffer b) {
        b.complete = true;
        if (uploadId != null) {
            send(b);
        }
        for (Buffer c = buffers.get(nextToHash); c != null && c.complete; c = buffers.get(nextToHash)) {
            digest.update(c.data, 0, c.data.length);
            c.hashed = true;
            byte[] state = uploadId != null ? digest.encodedState() : null;
            if (state != null) { // null only off a 64-byte boundary, which whole-MiB parts never are
                saveDigest(c.number, state);
            }
            release(c);
            nextToHash++;
        }
    }

    private void send(Buffer b) {
        inFlight++;
        S3Calls calls = backend.calls();
        calls.client().uploadPart(r -> r.bucket(calls.bucket()).key(key).uploadId(uploadId).partNumber(b.number)
                .contentLength((long) b.data.length), AsyncRequestBody.fromBytesUnsafe(b.data))
                .whenComplete((r, t) -> {
                    lock.lock();
                    try {
                        inFlight--;
                        if (t != null) {
                            fail(t);
                        } else {
                            etags.put(b.number, r.eTag());
                            b.sent = true;
                            release(b);
                        }
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                });
    }

    /** Stores the digest state after part {@code n}; a failure only costs a resume that part. */
    private void saveDigest(int n, byte[] encoded) {
        inFlight++;
        backend.uploads().writeDigest(key, uploadId, n, encoded).whenComplete((r, t) -> {
            lock.lock();
            try {
                inFlight--;
                if (t != null) {
                    LOG.log(System.Logger.Level.WARNING, "upload of " + shown + ": digest state of part " + n
                            + " not stored: " + backend.calls().translate(t).getMessage());
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        });
    }

    /** Drops a buffer once it is hashed and stored. Under the lock. */
    private void release(Buffer b) {
        if (b.hashed && b.sent) {
            buffers.remove(b.number);
        }
    }

    private void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    private void checkOpen() throws ProtocolException {
        if (failure != null) {
            throw ProtocolException.of(Status.IO_ERROR, "I/O error on " + shown + ": "
                    + backend.calls().translate(failure).getMessage());
        }
        if (state != State.OPEN) {
            throw ProtocolException.of(Status.CANCELLED, "upload of " + shown + " has ended");
        }
    }

    private void transitionTo(State next) {
        if (!state.mayBecome(next)) {
            throw new IllegalStateException("upload of " + shown + ": " + state + " -> " + next);
        }
        state = next;
    }

    @Override
    public String finish(String expectedSha256) throws ProtocolException {
        return finish(expectedSha256, false);
    }

    @Override
    public boolean checksCrc32c() {
        return digest.crcKnown();
    }

    @Override
    public String finishByCrc32c(String expectedCrc32c) throws ProtocolException {
        if (!digest.crcKnown()) {
            throw new IllegalStateException("upload of " + shown + " resumed from a state without its CRC32C");
        }
        return finish(expectedCrc32c, true);
    }

    /** {@code expected}: the client's CRC32C when {@code byCrc}, else its SHA-256. */
    private String finish(String expected, boolean byCrc) throws ProtocolException {
        lock.lock();
        try {
            checkOpen();
            if (received != size - start) {
                throw ProtocolException.of(Status.BAD_REQUEST, "upload of " + shown + " is incomplete: "
                        + received + " of " + (size - start) + " bytes received");
            }
            transitionTo(State.FINISHING);
            while (inFlight > 0) {
                changed.awaitUninterruptibly();
            }
            if (failure != null) {
                transitionTo(State.ABORTED);
                throw ProtocolException.of(Status.IO_ERROR, "I/O error on " + shown + ": "
                        + backend.calls().translate(failure).getMessage() + " (put it again with resume)");
            }
        } finally {
            lock.unlock();
        }
        if (nextToHash != partCount + 1) {
            transitionTo(State.ABORTED);
            throw new IllegalStateException("upload of " + shown + ": hashed up to part " + (nextToHash - 1)
                    + " of " + partCount);
        }
        String crc = digest.crcKnown() ? digest.crc32c() : null;
        String actual = HexFormat.of().formatHex(digest.sha256());
        if (!(byCrc ? crc : actual).equalsIgnoreCase(expected)) {
            discard();
            throw ProtocolException.of(Status.CHECKSUM_MISMATCH, "checksum mismatch: " + shown
                    + " (the server's copy differs; the partial upload was discarded, put it again)");
        }
        String etag;
        try {
            etag = uploadId == null ? putWhole() : complete();
        } catch (S3StoreException e) {
            transitionTo(State.ABORTED);
            buffers.clear();
            usage.invalidate();
            // No answer to the request that makes the new version: the store may have taken it.
            // Either version is whole; a reput (fresh when the upload is gone) settles it.
            String outcome = e.reason() == S3StoreException.Reason.UNREACHABLE
                    ? " (the store did not confirm the new version; put it again" : " (put it again";
            throw ProtocolException.of(Status.IO_ERROR, "I/O error on " + shown + ": " + e.getMessage()
                    + outcome + (uploadId != null ? " with resume)" : ")"));
        }
        buffers.clear();
        transitionTo(State.DONE);
        usage.invalidate();
        try {
            backend.sidecars().store(key, etag, size, actual, crc);
            if (uploadId != null) {
                backend.uploads().deleteState(key, uploadId);
            }
        } catch (S3StoreException e) {
            // the file is complete; a lost sidecar means hashing on the next download, and
            // leftover state goes with expireUploads
            LOG.log(System.Logger.Level.WARNING, "upload of " + shown + ": after completion: " + e.getMessage());
        }
        return actual;
    }

    private String putWhole() throws S3StoreException {
        Buffer b = buffers.get(1);
        return backend.calls().put(key, b == null ? new byte[0] : b.data);
    }

    /** CompleteMultipartUpload, then a HEAD for the ETag (Swift's Complete answers an empty one). */
    private String complete() throws S3StoreException {
        S3Calls calls = backend.calls();
        List<CompletedPart> parts = new ArrayList<>();
        for (int n = 1; n <= partCount; n++) {
            String e = etags.get(n);
            if (e == null) {
                throw new S3StoreException(S3StoreException.Reason.FAILED, "part " + n + " of the upload is missing", null);
            }
            parts.add(CompletedPart.builder().partNumber(n).eTag(e).build());
        }
        calls.join(calls.client().completeMultipartUpload(r -> r.bucket(calls.bucket()).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts))));
        HeadObjectResponse h = calls.head(key);
        if (h == null || h.contentLength() != size) {
            throw new S3StoreException(S3StoreException.Reason.FAILED, "the completed object has "
                    + (h == null ? "vanished" : h.contentLength() + " bytes, not " + size), null);
        }
        return S3Keys.etag(h.eTag());
    }

    /** After a mismatch: the upload and its state go. */
    private void discard() {
        buffers.clear();
        transitionTo(State.DONE);
        if (uploadId != null) {
            try {
                backend.uploads().discard(key, uploadId);
            } catch (S3StoreException e) {
                LOG.log(System.Logger.Level.WARNING, "upload of " + shown + ": discarding: " + e.getMessage());
            }
        }
        usage.invalidate();
    }

    @Override
    public void abort() {
        lock.lock();
        try {
            if (state == State.DONE || state == State.ABORTED) {
                return;
            }
            transitionTo(State.ABORTED);
            // Parts being sent and digest states being stored are what a resume will use.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ABORT_WAIT_SECONDS);
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.log(System.Logger.Level.WARNING, "abort of upload " + shown + ": " + inFlight
                            + " requests still running after " + ABORT_WAIT_SECONDS + " s");
                    break;
                }
                try {
                    changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            buffers.clear();
        } finally {
            lock.unlock();
        }
        usage.invalidate();
    }

    /** The multipart upload's id, or null for a single-PUT upload (tests). */
    String uploadId() {
        return uploadId;
    }
}
