package dev.rudp.fileserver.storage;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;

/** Reads the chunks that transfers send, shared by the server's downloads and the client's uploads. */
public final class FileChunks {
    private FileChunks() {
    }

    /**
     * Reads {@code length} bytes at {@code position} into a new direct buffer and adds them to
     * {@code digest} (unless it is null). The caller owns the returned buffer; on failure nothing is left allocated.
     *
     * @throws IOException when the file ends early (it shrank while being sent) or cannot be read
     */
    public static ByteBuf read(FileChannel file, long position, int length, ByteBufAllocator alloc,
            MessageDigest digest) throws IOException {
        ByteBuf buf = alloc.directBuffer(length);
        try {
            ByteBuffer nio = buf.nioBuffer(0, length);
            int read = 0;
            while (read < length) {
                int r = file.read(nio, position + read);
                if (r < 0) {
                    throw new IOException("the file shrank while being sent");
                }
                read += r;
            }
            buf.writerIndex(length);
            if (digest != null) {
                digest.update(buf.nioBuffer());
            }
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /** Adds bytes {@code [from, to)} of {@code file} to {@code digest} (the part a resumed transfer skips). */
    public static void hashRange(FileChannel file, MessageDigest digest, long from, long to) throws IOException {
        hashRange(file, from, to, digest);
    }

    /** Adds bytes {@code [from, to)} of {@code file} to each of {@code digests}, reading them once. */
    public static void hashRange(FileChannel file, long from, long to, MessageDigest... digests) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        long pos = from;
        while (pos < to) {
            b.clear().limit((int) Math.min(b.capacity(), to - pos));
            int r = file.read(b, pos);
            if (r < 0) {
                throw new IOException("the file shrank while being sent");
            }
            b.flip();
            update(b, digests);
            pos += r;
        }
    }

    /** Adds {@code data}'s remaining bytes to each of {@code digests}; consumes {@code data}. */
    public static void update(ByteBuffer data, MessageDigest... digests) {
        for (int i = 0; i < digests.length; i++) {
            digests[i].update(i == digests.length - 1 ? data : data.duplicate());
        }
    }
}
