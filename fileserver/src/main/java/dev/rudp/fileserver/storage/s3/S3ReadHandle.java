package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.storage.ReadHandle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A download from the bucket: ranged GETs of {@link S3Settings#readBlock} bytes, the next
 * {@link S3Settings#readAhead} of them requested before the reader gets there, so that sequential
 * reads rarely wait for the store. Every GET carries {@code If-Match} with the ETag seen when the
 * handle was opened, so the bytes are all of that object: a file replaced meanwhile fails the read
 * instead of mixing two versions. Memory: at most {@code readAhead + 1} blocks. Reads come from
 * one thread at a time; the SDK's threads complete the GETs.
 */
final class S3ReadHandle implements ReadHandle {
    private final S3Calls calls;
    private final String key;
    private final String shown;
    private final long size;
    private final String etag;
    private final String knownSha256;
    private final int block;
    private final int ahead;
    private final Map<Long, CompletableFuture<byte[]>> blocks = new ConcurrentHashMap<>();
    private volatile boolean closed;

    S3ReadHandle(S3Calls calls, String key, String shown, long size, String etag, String knownSha256) {
        this.calls = calls;
        this.key = key;
        this.shown = shown;
        this.size = size;
        this.etag = etag;
        this.knownSha256 = knownSha256;
        this.block = calls.settings().readBlock;
        this.ahead = calls.settings().readAhead;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String knownSha256() {
        return knownSha256;
    }

    @Override
    public ByteBuf read(long position, int length, ByteBufAllocator alloc, MessageDigest digest) throws IOException {
        if (position < 0 || length < 0 || position + length > size) {
            throw new IOException("read beyond the end of " + shown + " (" + size + " bytes)");
        }
        ByteBuf buf = alloc.buffer(length);
        try {
            long pos = position;
            while (pos < position + length) {
                long index = pos / block;
                byte[] b = block(index);
                int within = (int) (pos - index * block);
                int n = (int) Math.min(b.length - within, position + length - pos);
                buf.writeBytes(b, within, n);
                if (digest != null) {
                    digest.update(b, within, n);
                }
                pos += n;
            }
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    @Override
    public void hashRange(MessageDigest digest, long from, long to) throws IOException {
        for (long pos = from; pos < to; ) {
            long index = pos / block;
            byte[] b = block(index);
            int within = (int) (pos - index * block);
            int n = (int) Math.min(b.length - within, to - pos);
            digest.update(b, within, n);
            pos += n;
        }
    }

    /** Block {@code index}, waiting for it; requests the ones after it and forgets the ones before. */
    private byte[] block(long index) throws IOException {
        if (closed) {
            throw new IOException("download of " + shown + " was closed");
        }
        blocks.keySet().removeIf(i -> {
            if (i < index) {
                blocks.get(i).cancel(false);
                return true;
            }
            return false;
        });
        long last = (size - 1) / block;
        for (long i = index; i <= Math.min(last, index + ahead); i++) {
            blocks.computeIfAbsent(i, this::fetch);
        }
        try {
            return blocks.get(index).join();
        } catch (CompletionException | CancellationException e) {
            blocks.remove(index);
            if (S3Calls.preconditionFailed(e)) {
                throw new IOException(shown + " changed while it was being read");
            }
            throw calls.translate(e);
        }
    }

    private CompletableFuture<byte[]> fetch(long index) {
        long from = index * block;
        long to = Math.min(size, from + block) - 1;
        int expected = (int) (to - from + 1);
        return calls.getAsync(key, "bytes=" + from + "-" + to, etag.isEmpty() ? null : "\"" + etag + "\"")
                .thenApply(r -> {
                    byte[] b = r.asByteArrayUnsafe();
                    if (b.length != expected) {
                        throw new CompletionException(new IOException(shown + " has fewer bytes than when it was opened"));
                    }
                    return b;
                });
    }

    @Override
    public void close() {
        closed = true;
        blocks.values().forEach(f -> f.cancel(false));
        blocks.clear();
    }
}
