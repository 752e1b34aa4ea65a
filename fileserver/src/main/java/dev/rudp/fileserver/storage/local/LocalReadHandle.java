package dev.rudp.fileserver.storage.local;

import dev.rudp.fileserver.storage.FileChunks;
import dev.rudp.fileserver.storage.KnownDigests;
import dev.rudp.fileserver.storage.ReadHandle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * A file open for a download: positional reads into direct buffers ({@link FileChunks#read}), and
 * the digest {@link StoredDigest} kept for the very file that was opened, if it still holds. A file
 * without one (placed beside the server, or changed since) gets the digest its first complete
 * download computed, so the next one reads without hashing.
 */
final class LocalReadHandle implements ReadHandle {
    private final FileChannel file;
    private final long size;
    private final String knownSha256;
    private final String knownCrc32c;
    private final Path path;
    private final StoredDigest.Stamp opened;

    /** {@code opened}: the file's stamp taken before it was opened, or null to keep no digest. */
    LocalReadHandle(FileChannel file, long size, KnownDigests known, Path path, StoredDigest.Stamp opened) {
        this.file = file;
        this.size = size;
        this.knownSha256 = known == null ? null : known.sha256();
        this.knownCrc32c = known == null ? null : known.crc32c();
        this.path = path;
        this.opened = opened;
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
    public String knownCrc32c() {
        return knownCrc32c;
    }

    @Override
    public void hashed(String sha256, String crc32c) {
        // storeIfUnchanged refuses a null stamp and a file that changed since it was taken
        StoredDigest.storeIfUnchanged(path, sha256, crc32c, opened);
    }

    @Override
    public ByteBuf read(long position, int length, ByteBufAllocator alloc, MessageDigest digest) throws IOException {
        return FileChunks.read(file, position, length, alloc, digest);
    }

    @Override
    public void hashRange(MessageDigest digest, long from, long to) throws IOException {
        FileChunks.hashRange(file, digest, from, to);
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException e) {
            // the download is over either way
        }
    }
}
