package dev.rudp.bench.e2e;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The bytes every transport moves: one block of seeded random bytes, repeated. Senders send slices of
 * the block (TCP sends the same bytes from a temp file), receivers compute the CRC32C of what arrived,
 * and {@link #expectedCrc(long)} says what it must be. The block is a direct, unreleasable buffer
 * shared read-only by all transfers; {@link #close()} deletes the temp file.
 */
public final class Payload implements AutoCloseable {
    /** Size of the repeated block; a multiple of every message size used. */
    public static final int BLOCK = 1 << 20;

    private final ByteBuf block;
    private final long seed;
    private Path file;
    private long fileBytes;

    public Payload(long seed) {
        this.seed = seed;
        byte[] bytes = new byte[BLOCK];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < bytes.length; i += 8) {
            long v = random.nextLong();
            for (int k = 0; k < 8; k++) {
                bytes[i + k] = (byte) (v >>> (8 * k));
            }
        }
        block = Unpooled.unreleasableBuffer(Unpooled.directBuffer(BLOCK).writeBytes(bytes).asReadOnly());
    }

    public long seed() {
        return seed;
    }

    /** A retained-free read-only slice of {@code length} bytes at stream position {@code position}. */
    public ByteBuf slice(long position, int length) {
        int off = (int) (position % BLOCK);
        if (off + length > BLOCK) {
            throw new IllegalArgumentException("slice crosses the block end: " + off + " + " + length);
        }
        return block.slice(off, length);
    }

    /** CRC32C of the first {@code bytes} bytes of the stream. */
    public long expectedCrc(long bytes) {
        CRC32C crc = new CRC32C();
        ByteBuffer b = block.nioBuffer(0, BLOCK);
        long left = bytes;
        while (left > 0) {
            int n = (int) Math.min(BLOCK, left);
            crc.update(b.duplicate().limit(n));
            left -= n;
        }
        return crc.getValue();
    }

    /** A temp file holding the first {@code bytes} bytes of the stream (written once, grown on demand). */
    public synchronized Path file(long bytes) throws IOException {
        if (file == null) {
            file = Files.createTempFile("rudp-bench-", ".bin");
            file.toFile().deleteOnExit();
        }
        if (fileBytes < bytes) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                long written = 0;
                while (written < bytes) {
                    ByteBuffer b = block.nioBuffer(0, (int) Math.min(BLOCK, bytes - written));
                    while (b.hasRemaining()) {
                        written += ch.write(b);
                    }
                }
            }
            fileBytes = bytes;
        }
        return file;
    }

    @Override
    public synchronized void close() throws IOException {
        if (file != null) {
            Files.deleteIfExists(file);
            file = null;
        }
    }
}
