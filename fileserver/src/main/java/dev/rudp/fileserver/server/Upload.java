package dev.rudp.fileserver.server;

import dev.rudp.fileserver.protocol.Data;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.PrefixDigest;
import dev.rudp.fileserver.storage.Ranges;
import dev.rudp.fileserver.storage.Storage;
import dev.rudp.fileserver.storage.StoredDigest;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One upload into a partial file: chunks arrive in any order and are written at their offsets on a
 * serial executor and hashed as the complete prefix grows ({@link PrefixDigest}). When every byte has
 * arrived and the client's SHA-256 is known, the partial file is fsynced, its hash compared, and it is
 * renamed over the target atomically; on a mismatch it is deleted. On abort
 * the partial file is cut to its longest complete prefix, so a later resume continues from there.
 * The existing target is never touched until the final rename. Public so that a peer-to-peer receiver
 * ({@code dev.rudp.fileserver.p2p}) lands files with the same logic.
 */
public final class Upload {
    private final long id;
    private final Path partial;
    private final Path target;
    private final String shown;
    private final long size;
    private volatile long start;
    private final SerialExecutor writer;
    private final Consumer<Reply> replies;
    private final Runnable onEnd;
    /** Bytes queued for writing in the session; drives its read backpressure. */
    private final AtomicLong pending;
    private final Runnable afterWrite;
    private final Ranges ranges = new Ranges();
    private final PrefixDigest digest;
    private FileChannel ch;
    private long received;
    private String expectedSha;
    private long doneId = -1;
    private boolean ended;
    /** Whether the verified digest is kept with the file ({@link #keepDigest()}). */
    private volatile boolean keepDigest;
    /** Why the upload failed early, told in the reply to PUT_DONE. */
    private ProtocolException failure;
    /** Completes when the upload finished or was aborted and its file is closed. */
    final java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();

    /**
     * An upload of {@code size} bytes into {@code partial} (open as {@code ch}), renamed over
     * {@code target} when complete and verified. {@code replies} gets the final reply to PUT_DONE;
     * {@code onEnd} runs once when it finished or was aborted; {@code pending} counts bytes waiting for
     * {@code writer}, and {@code afterWrite} runs after each write (read backpressure).
     */
    public Upload(long id, Path partial, Path target, String shown, long size, long start, FileChannel ch,
            SerialExecutor writer, Consumer<Reply> replies, Runnable onEnd, AtomicLong pending, Runnable afterWrite) {
        this.pending = pending;
        this.afterWrite = afterWrite;
        this.id = id;
        this.partial = partial;
        this.target = target;
        this.shown = shown;
        this.size = size;
        this.start = start;
        this.ch = ch;
        this.digest = new PrefixDigest(ch);
        this.writer = writer;
        this.replies = replies;
        this.onEnd = onEnd;
    }

    long size() {
        return size;
    }

    /**
     * Keeps the verified SHA-256 with the landed file ({@link StoredDigest}), as the server's storage
     * does; a peer-to-peer receiver writing into a user's own folder does not. Call before data arrives.
     */
    public Upload keepDigest() {
        keepDigest = true;
        return this;
    }

    /** Sets where the client starts sending (before any data arrives). */
    public void start(long from) {
        this.start = from;
    }

    /** Takes ownership of {@code d} (released after the write). Called on the event loop. */
    public void accept(Data d) {
        int len = d.content().readableBytes();
        pending.addAndGet(len);
        writer.execute(() -> {
            try {
                write(d);
            } finally {
                d.release();
                pending.addAndGet(-len);
                afterWrite.run();
            }
        });
    }

    private void write(Data d) {
        if (ended) {
            return;
        }
        ByteBuf buf = d.content();
        long off = d.offset();
        int len = buf.readableBytes();
        if (off < start || off + len > size || len == 0) {
            fail(ProtocolException.of(Status.BAD_REQUEST, "chunk outside the file: offset " + off));
            return;
        }
        try {
            ByteBuffer nio = buf.nioBuffer();
            long pos = off;
            while (nio.hasRemaining()) {
                pos += ch.write(nio, pos);
            }
            received += len;
            ranges.add(off, off + len);
            digest.written(buf.nioBuffer(), off, prefix());
            maybeComplete();
        } catch (IOException e) {
            fail(Storage.map(e, shown));
        }
    }

    /** The client's SHA-256 arrived (PUT_DONE {@code requestId}). */
    public void finish(String sha, long requestId) {
        writer.execute(() -> {
            if (ended && failure != null) {
                replies.accept(Reply.error(requestId, failure.status(), failure.getMessage()));
                return;
            }
            if (ended) {
                replies.accept(Reply.error(requestId, Status.CANCELLED, "upload of " + shown
                        + " ended early (cancelled, or replaced by a newer upload of the same file)"));
                return;
            }
            expectedSha = sha;
            doneId = requestId;
            maybeComplete();
        });
    }

    private void maybeComplete() {
        if (expectedSha == null || received != size - start) {
            return;
        }
        ended = true;
        try {
            ch.force(true);
            String actual = digest.finish(size);
            ch.close();
            if (!actual.equalsIgnoreCase(expectedSha)) {
                Files.deleteIfExists(partial);
                replies.accept(Reply.error(doneId, Status.CHECKSUM_MISMATCH, "checksum mismatch: " + shown
                        + " (the server's copy differs; the partial upload was discarded, put it again)"));
            } else {
                if (keepDigest) {
                    // before the rename, so the file appears with its digest (the rename keeps both)
                    StoredDigest.store(partial, actual);
                }
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                syncDir(target.getParent());
                replies.accept(Reply.ok(doneId, java.util.List.of(actual), size));
            }
        } catch (IOException e) {
            try {
                ch.close(); // still open if hashing failed
            } catch (IOException ignored) {
                // the reply below says what went wrong
            }
            replies.accept(Reply.error(doneId, Storage.map(e, shown).status(), Storage.map(e, shown).getMessage()));
        } finally {
            onEnd.run();
            closed.complete(null);
        }
    }

    private void fail(ProtocolException e) {
        boolean wasEnded = ended;
        abortNow();
        if (!wasEnded) {
            failure = e;
            if (doneId >= 0) {
                replies.accept(Reply.error(doneId, e.status(), e.getMessage()));
            }
        }
    }

    /** Stops the upload and keeps the complete prefix for a resume. Safe from any thread. */
    public void abort() {
        writer.execute(this::abortNow);
    }

    private void abortNow() {
        if (ended) {
            return;
        }
        ended = true;
        try {
            long prefix = prefix();
            ch.force(true);
            ch.truncate(prefix);
            ch.close();
        } catch (IOException e) {
            System.getLogger("fileserver").log(System.Logger.Level.WARNING, "abort of upload " + id + " (" + shown + "): " + e);
        } finally {
            onEnd.run();
            closed.complete(null);
        }
    }

    /** Whether the upload finished or was aborted. */
    boolean ended() {
        return ended;
    }

    /** End of the contiguous bytes from the start of the file. */
    private long prefix() {
        return ranges.prefix(start);
    }

    static void syncDir(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some systems cannot open folders: the rename is still atomic
        }
    }
}
