package dev.rudp.fileserver.server;

import dev.rudp.fileserver.protocol.Data;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.Crc32c;
import dev.rudp.fileserver.storage.ReadHandle;
import dev.rudp.fileserver.storage.Sha256;
import dev.rudp.fileserver.storage.Store;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One download: reads the file in order on the I/O pool through the backend's {@link ReadHandle},
 * hashing as it goes unless the file's SHA-256 is already known ({@link ReadHandle#knownSha256()}; a
 * digest computed here is offered back to the backend, {@link ReadHandle#hashed}), and writes unordered
 * data chunks while the channel is writable. When it is not, the pump stops and
 * {@link #resume()} (called on writability changes) starts it again, so a slow client costs no
 * thread. Ends with a reply carrying the whole file's SHA-256 and size, and its CRC32C when the client
 * asked for it and there is one. A client checking by the CRC32C that needs no SHA-256 gets a recorded
 * CRC32C without any hashing, and an empty SHA-256 line when only the CRC32C was recorded.
 */
final class Download {
    private final long id;
    private final ReadHandle file;
    private final long size;
    private final Channel channel;
    private final Executor io;
    private final int chunk;
    private final String shown;
    private final Runnable onEnd;
    /** Null when the SHA-256 is known beforehand, or not wanted (the recorded CRC32C is the check). */
    private final MessageDigest md;
    private final String knownSha256;
    /** The CRC32C computed beside {@link #md} (a whole-file read only), else null. */
    private final MessageDigest crc;
    /** Whether the final reply carries the CRC32C (the client asked, and it is known or computed). */
    private final boolean sendsCrc32c;
    /** The CRC32C the backend recorded, or null. */
    private final String knownCrc32c;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean cancelled;
    private long pos;
    private long sendFrom;

    /**
     * A download of {@code file} from {@code offset}; owns {@code file} and closes it at the end.
     * {@code crcWanted}: the client checks the download against the file's CRC32C when there is one
     * ({@link dev.rudp.fileserver.protocol.Op#FLAG_CRC32C}): recorded, or computed by a whole-file
     * read that hashes anyway; {@code shaWanted}: it needs the SHA-256 even then (no
     * {@link dev.rudp.fileserver.protocol.Op#FLAG_NO_SHA256}).
     */
    Download(long id, ReadHandle file, long offset, boolean crcWanted, boolean shaWanted, Channel channel,
            Executor io, int chunk, String shown, Runnable onEnd) {
        this.knownSha256 = file.knownSha256();
        this.knownCrc32c = file.knownCrc32c();
        boolean crcAlone = knownSha256 == null && knownCrc32c != null && crcWanted && !shaWanted;
        this.md = knownSha256 == null && !crcAlone ? Sha256.newDigest() : null;
        // reading every byte anyway: the CRC32C costs little more, and is kept with the SHA-256
        this.crc = md != null && offset == 0 ? new Crc32c() : null;
        // a recorded CRC32C describes the whole file, so a resumed download can be checked by it too
        this.sendsCrc32c = crcWanted && (crc != null || knownCrc32c != null);
        this.id = id;
        this.file = file;
        this.size = file.size();
        this.sendFrom = Math.min(offset, size);
        this.channel = channel;
        this.io = io;
        this.chunk = chunk;
        this.shown = shown;
        this.onEnd = onEnd;
    }

    /** Starts or continues the pump if it is idle. Safe from any thread. */
    void resume() {
        if (!cancelled && running.compareAndSet(false, true)) {
            io.execute(this::pump);
        }
    }

    /** Stops the download (client cancel or disconnect). */
    void cancel() {
        cancelled = true;
        resume();
        io.execute(this::closeQuietly);
    }

    private void pump() {
        try {
            if (pos < sendFrom) {
                skipPrefix();
            }
            int sent = 0;
            while (!cancelled && pos < size && channel.isWritable() && sent < 64) {
                int n = (int) Math.min(chunk, size - pos);
                ByteBuf buf = file.read(pos, n, channel.alloc(), md);
                if (crc != null) {
                    crc.update(buf.nioBuffer());
                }
                channel.write(new Data(id, pos, buf));
                pos += n;
                sent++;
            }
            channel.flush();
            if (cancelled) {
                return;
            }
            if (pos >= size) {
                cancelled = true;
                String sha = sha256();
                String crc32c = crc != null ? HexFormat.of().formatHex(crc.digest()) : knownCrc32c;
                if (md != null) {
                    // the next download of an unchanged file need not hash it again
                    file.hashed(sha, crc32c);
                }
                String shaLine = sha == null ? "" : sha;
                channel.writeAndFlush(Reply.ok(id, sendsCrc32c ? List.of(shaLine, crc32c) : List.of(shaLine), size));
                closeQuietly();
                return;
            }
        } catch (IOException e) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            channel.writeAndFlush(Reply.error(id, Status.IO_ERROR, Store.map(e, shown).getMessage()));
            closeQuietly();
            return;
        } finally {
            running.set(false);
        }
        // not writable (or batch done): continue now if writability came back meanwhile
        if (channel.isWritable() || !channel.isActive()) {
            if (channel.isActive()) {
                resume();
            } else {
                cancel();
            }
        }
    }

    /** Whether the final reply will carry the file's CRC32C (the first reply announces it). */
    boolean sendsCrc32c() {
        return sendsCrc32c;
    }

    /** Moves to where a resumed download starts; only a digest still to be computed reads the prefix. */
    private void skipPrefix() throws IOException {
        if (md != null) {
            file.hashRange(md, pos, sendFrom);
        }
        pos = sendFrom;
    }

    private String sha256() {
        return md == null ? knownSha256 : HexFormat.of().formatHex(md.digest());
    }

    private void closeQuietly() {
        if (closed.compareAndSet(false, true)) {
            file.close();
            onEnd.run();
        }
    }
}
