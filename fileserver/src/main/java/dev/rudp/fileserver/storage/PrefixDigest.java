package dev.rudp.fileserver.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The SHA-256 of a file being received in chunks, computed while the chunks are written instead of
 * by reading the whole file again at the end (which cost a second pass over a large file, on the
 * critical path of every put and get). A chunk that continues the hashed prefix is hashed from
 * memory; whatever the prefix misses (a resumed transfer's earlier part, chunks that were written
 * ahead of a gap) is read back from the file once the complete prefix covers it. The writer's
 * thread only, and the file must be open for reading.
 */
public final class PrefixDigest {
    private final FileChannel file;
    private final MessageDigest md = Sha256.newDigest();
    /** Bytes {@code [0, hashed)} of the file are in the digest. */
    private long hashed;

    public PrefixDigest(FileChannel file) {
        this.file = file;
    }

    /**
     * Bytes {@code [offset, offset + data.remaining())} were just written from {@code data}, and the
     * file's complete prefix now ends at {@code contiguous}. Consumes {@code data}.
     */
    public void written(ByteBuffer data, long offset, long contiguous) throws IOException {
        if (offset == hashed && offset + data.remaining() <= contiguous) {
            hashed += data.remaining();
            md.update(data);
        }
        if (contiguous > hashed) {
            FileChunks.hashRange(file, md, hashed, contiguous);
            hashed = contiguous;
        }
    }

    /** Bytes of the file in the digest so far. */
    public long hashed() {
        return hashed;
    }

    /**
     * The lower-case hex SHA-256 of the file's first {@code size} bytes; what was not hashed yet is
     * read from the file (a hole reads as zeros and so cannot match the sender's hash).
     */
    public String finish(long size) throws IOException {
        if (hashed < size) {
            FileChunks.hashRange(file, md, hashed, size);
            hashed = size;
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
