package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.storage.FileChunks;
import dev.rudp.fileserver.storage.KnownDigests;
import dev.rudp.fileserver.storage.ReadHandle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A download from the bucket: ranged GETs of {@link S3Settings#readBlock} bytes, the next
 * {@link S3Settings#readAhead} of them requested before the reader gets there, so that sequential
 * reads rarely wait for the store. Every GET carries {@code If-Match} with the ETag seen when the
 * handle was opened, so the bytes are all of that object: a file replaced meanwhile fails the read
 * instead of mixing two versions. Each GET streams into one direct buffer ({@link BlockTransformer})
 * and reads hand out retained slices of it, so the bytes are not copied again on their way to the
 * transport. Memory: {@code readAhead + 1} blocks, plus blocks still referenced by chunks the
 * transport has not sent yet. Reads come from one thread at a time; the SDK's threads complete the GETs.
 */
final class S3ReadHandle implements ReadHandle {
    private static final System.Logger LOG = System.getLogger("fileserver");
    private final S3Calls calls;
    private final String key;
    private final String shown;
    private final long size;
    private final String etag;
    /** Where a whole-file hash is kept ({@link #hashed}); null: nowhere. */
    private final DigestSidecar sidecars;
    /** The digests the sidecar holds for this very object, or null. */
    private final KnownDigests known;
    private final int block;
    private final int ahead;
    private final Map<Long, Fetch> blocks = new HashMap<>();
    private volatile boolean closed;
    /** The sidecar write {@link #hashed} started, done or not (tests wait on it). */
    private volatile CompletableFuture<?> recording = CompletableFuture.completedFuture(null);

    S3ReadHandle(S3Calls calls, DigestSidecar sidecars, String key, String shown, long size, String etag,
            KnownDigests known) {
        this.calls = calls;
        this.sidecars = sidecars;
        this.key = key;
        this.shown = shown;
        this.size = size;
        this.etag = etag;
        this.known = known;
        this.block = calls.settings().readBlock;
        this.ahead = calls.settings().readAhead;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String knownSha256() {
        return known == null ? null : known.sha256();
    }

    @Override
    public String knownCrc32c() {
        return known == null ? null : known.crc32c();
    }

    /** Records the digests of a whole read (every GET matched the ETag, so they describe this object). */
    @Override
    public void hashed(String sha256, String crc32c) {
        if (sidecars != null && known == null) {
            recording = sidecars.storeAsync(key, etag, size, sha256, crc32c).exceptionally(t -> {
                LOG.log(System.Logger.Level.WARNING, "digest of " + shown + " not recorded: "
                        + calls.translate(t).getMessage());
                return "";
            });
        }
    }

    @Override
    public ByteBuf read(long position, int length, ByteBufAllocator alloc, MessageDigest digest) throws IOException {
        if (position < 0 || length < 0 || position + length > size) {
            throw new IOException("read beyond the end of " + shown + " (" + size + " bytes)");
        }
        long index = position / block;
        int within = (int) (position - index * block);
        if (length > 0 && within + length <= block) {
            // the usual case: the chunk lies in one block and goes out as a slice of it, no copy
            ByteBuf b = block(index);
            try {
                ByteBuf slice = b.retainedSlice(within, length);
                if (digest != null) {
                    digest.update(slice.nioBuffer());
                }
                return slice;
            } finally {
                b.release();
            }
        }
        ByteBuf buf = alloc.directBuffer(length);
        try {
            for (long pos = position; pos < position + length; ) {
                index = pos / block;
                ByteBuf b = block(index);
                try {
                    within = (int) (pos - index * block);
                    int n = (int) Math.min(b.readableBytes() - within, position + length - pos);
                    buf.writeBytes(b, within, n);
                    if (digest != null) {
                        digest.update(b.nioBuffer(within, n));
                    }
                    pos += n;
                } finally {
                    b.release();
                }
            }
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    @Override
    public void hashRange(MessageDigest digest, long from, long to) throws IOException {
        hashRange(from, to, digest);
    }

    /** The sidecar write of the last {@link #hashed}, completed when it ended (failed or not). */
    CompletableFuture<?> recording() {
        return recording;
    }

    /** Adds bytes {@code [from, to)} to each of {@code digests} in one read. */
    void hashRange(long from, long to, MessageDigest... digests) throws IOException {
        for (long pos = from; pos < to; ) {
            long index = pos / block;
            ByteBuf b = block(index);
            try {
                int within = (int) (pos - index * block);
                int n = (int) Math.min(b.readableBytes() - within, to - pos);
                FileChunks.update(b.nioBuffer(within, n), digests);
                pos += n;
            } finally {
                b.release();
            }
        }
    }

    /**
     * Block {@code index}, waiting for it; requests the ones after it and gives up the ones before.
     * Returned retained (the caller releases it): a concurrent {@link #close()} cannot free it mid-use.
     */
    private ByteBuf block(long index) throws IOException {
        Fetch f;
        synchronized (this) {
            // with close() under one lock: no GET starts after the handle closed, none is left unreleased
            if (closed) {
                throw new IOException("download of " + shown + " was closed");
            }
            blocks.entrySet().removeIf(e -> {
                if (e.getKey() < index) {
                    e.getValue().abandon();
                    return true;
                }
                return false;
            });
            long last = (size - 1) / block;
            for (long i = index; i <= Math.min(last, index + ahead); i++) {
                blocks.computeIfAbsent(i, this::fetch);
            }
            f = blocks.get(index);
        }
        try {
            f.done.join();
        } catch (CompletionException | CancellationException e) {
            synchronized (this) {
                blocks.remove(index, f);
            }
            f.abandon();
            if (S3Calls.preconditionFailed(e)) {
                throw new IOException(shown + " changed while it was being read");
            }
            throw calls.translate(e);
        }
        synchronized (this) {
            ByteBuf b = f.transformer.buffer();
            if (b == null || closed) {
                throw new IOException("download of " + shown + " was closed");
            }
            return b.retain();
        }
    }

    private Fetch fetch(long index) {
        long from = index * block;
        long to = Math.min(size, from + block) - 1;
        BlockTransformer t = new BlockTransformer(ByteBufAllocator.DEFAULT, (int) (to - from + 1), shown);
        return new Fetch(t, calls.getAsync(key, "bytes=" + from + "-" + to, etag.isEmpty() ? null : "\"" + etag + "\"", t));
    }

    /** One ranged GET in flight or done; its buffer belongs to the transformer until abandoned. */
    private record Fetch(BlockTransformer transformer, CompletableFuture<?> done) {
        void abandon() {
            transformer.abandon();
            done.cancel(false);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        blocks.values().forEach(Fetch::abandon);
        blocks.clear();
    }
}
