package dev.rudp.fileserver.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The digests of a file being received in chunks (its SHA-256 unless told otherwise), computed while
 * the chunks are written instead of by reading the whole file again at the end (which cost a second
 * pass over a large file, on the critical path of every put and get). A chunk that continues the
 * digested prefix is added from memory; whatever the prefix misses (a resumed transfer's earlier part,
 * chunks that were written ahead of a gap, chunks written before the digest was made) is read back
 * from the file once the complete prefix covers it. The writer's thread only, and the file must be open
 * for reading.
 */
public final class PrefixDigest {
    private final FileChannel file;
    private final MessageDigest[] mds;
    /** Bytes {@code [0, hashed)} of the file are in the digests. */
    private long hashed;

    /** The file's SHA-256. */
    public PrefixDigest(FileChannel file) {
        this(file, Sha256.newDigest());
    }

    /** The file's digests in {@code mds} (for instance SHA-256 and {@link Crc32c}, in one pass). */
    public PrefixDigest(FileChannel file, MessageDigest... mds) {
        if (mds.length == 0) {
            throw new IllegalArgumentException("no digest");
        }
        this.file = file;
        this.mds = mds.clone();
    }

    /**
     * Bytes {@code [offset, offset + data.remaining())} were just written from {@code data}, and the
     * file's complete prefix now ends at {@code contiguous}. Consumes {@code data}.
     */
    public void written(ByteBuffer data, long offset, long contiguous) throws IOException {
        if (offset == hashed && offset + data.remaining() <= contiguous) {
            hashed += data.remaining();
            FileChunks.update(data, mds);
        }
        data.position(data.limit());
        if (contiguous > hashed) {
            FileChunks.hashRange(file, hashed, contiguous, mds);
            hashed = contiguous;
        }
    }

    /** Bytes of the file in the digest so far. */
    public long hashed() {
        return hashed;
    }

    /**
     * The lower-case hex of the first digest over the file's first {@code size} bytes; what was not
     * digested yet is read from the file (a hole reads as zeros and so cannot match the sender's).
     */
    public String finish(long size) throws IOException {
        return finishAll(size).get(0);
    }

    /** As {@link #finish}, every digest in the constructor's order. */
    public List<String> finishAll(long size) throws IOException {
        if (hashed < size) {
            FileChunks.hashRange(file, hashed, size, mds);
            hashed = size;
        }
        List<String> hex = new ArrayList<>(mds.length);
        for (MessageDigest md : mds) {
            hex.add(HexFormat.of().formatHex(md.digest()));
        }
        return hex;
    }
}
