package dev.rudp.fileserver.storage;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * An open file being downloaded. Reads come in order from one thread at a time (a download's
 * pump), so a backend may read ahead (ranged GETs queued before they are asked for).
 */
public interface ReadHandle extends Closeable {

    /** The file's size when it was opened. */
    long size();

    /**
     * The file's SHA-256 (lower-case hex) when it is recorded and still describes these bytes, else
     * null (the caller then hashes what it reads).
     */
    String knownSha256();

    /**
     * The file's CRC32C (8 lower-case hex digits) when it was recorded (by the upload that wrote it, or
     * a whole download since) and still describes these bytes, else null. It may be known without
     * the SHA-256: an upload whose client needed none records the CRC32C alone.
     */
    default String knownCrc32c() {
        return null;
    }

    /**
     * The caller read the whole file and hashed it to {@code sha256} and, in the same pass,
     * {@code crc32c} (lower-case hex; null when it did not compute one), because {@link #knownSha256()}
     * had none: a backend may keep them so that later downloads need not hash (only if the file did not
     * change meanwhile). Best effort; the default keeps nothing.
     */
    default void hashed(String sha256, String crc32c) {
    }

    /**
     * Exactly {@code length} bytes at {@code position} in a new buffer from {@code alloc}, which the
     * caller owns; added to {@code digest} unless it is null. Nothing is left allocated on failure.
     *
     * @throws IOException when the file ended early or cannot be read
     */
    ByteBuf read(long position, int length, ByteBufAllocator alloc, MessageDigest digest) throws IOException;

    /**
     * Adds bytes {@code [from, to)} to {@code digest} (the prefix a resumed download skips but must
     * hash). Backends with a cheaper way than {@link #read} override it.
     */
    default void hashRange(MessageDigest digest, long from, long to) throws IOException {
        for (long pos = from; pos < to; ) {
            int n = (int) Math.min(1 << 20, to - pos);
            ByteBuf b = read(pos, n, ByteBufAllocator.DEFAULT, digest);
            b.release();
            pos += n;
        }
    }

    /** Closes without throwing (the read is over either way). */
    @Override
    void close();

    /** The whole file as a stream over {@code h}, closing {@code h} with it. */
    static InputStream asStream(ReadHandle h) {
        return new InputStream() {
            private long pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= h.size()) {
                    return -1;
                }
                int n = (int) Math.min(len, Math.min(h.size() - pos, 1 << 16));
                ByteBuf buf = h.read(pos, n, ByteBufAllocator.DEFAULT, null);
                try {
                    buf.readBytes(b, off, n);
                } finally {
                    buf.release();
                }
                pos += n;
                return n;
            }

            @Override
            public void close() {
                h.close();
            }
        };
    }
}
