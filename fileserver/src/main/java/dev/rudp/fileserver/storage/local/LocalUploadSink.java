package dev.rudp.fileserver.storage.local;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.Crc32c;
import dev.rudp.fileserver.storage.PrefixDigest;
import dev.rudp.fileserver.storage.Ranges;
import dev.rudp.fileserver.storage.Sha256;
import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.UploadSink;
import dev.rudp.fileserver.storage.WriteBehind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One upload into a partial file beside its target: chunks are written positionally as they come
 * and hashed as the complete prefix grows ({@link PrefixDigest}), and written back to the disk as
 * they come ({@link WriteBehind}). {@link #finish} fsyncs the file,
 * compares its SHA-256 (or {@link #finishByCrc32c} its CRC32C, the SHA-256 then left out when
 * {@link #skipSha256()}) and renames it over the target atomically (then fsyncs the folder; a large
 * file replaced is freed on a background thread, {@link ReplacedFiles}); on a
 * mismatch the partial file is deleted. {@link #abort} cuts the partial file to its longest
 * complete prefix, which a resume continues. The target is untouched until the rename. A write or
 * fsync that finds the disk full (or the disk quota used up) deletes the partial file at once and
 * fails with {@code no space left on the server}: what was kept would only hold the space others
 * need, and a resume could not continue before space is freed anyway. Public so
 * that a peer-to-peer receiver ({@code dev.rudp.fileserver.p2p}) lands files the same way, without
 * keeping the digest in the user's own folder.
 */
public final class LocalUploadSink implements UploadSink {
    private static final System.Logger LOG = System.getLogger("fileserver");

    private final Path partial;
    private final Path target;
    private final String shown;
    private final long size;
    private final long start;
    private final boolean keepDigest;
    private final FileChannel ch;
    private final Ranges ranges = new Ranges();
    /**
     * The file's SHA-256 and CRC32C, in that order; replaced, before any write, by the CRC32C alone
     * when {@link #skipSha256()}.
     */
    private PrefixDigest digest;
    private boolean shaSkipped;
    private final WriteBehind behind;

    private LocalUploadSink(Path partial, Path target, String shown, long size, long start, boolean keepDigest,
            FileChannel ch) {
        this.partial = partial;
        this.target = target;
        this.shown = shown;
        this.size = size;
        this.start = start;
        this.keepDigest = keepDigest;
        this.ch = ch;
        this.digest = new PrefixDigest(ch, Sha256.newDigest(), new Crc32c());
        this.behind = new WriteBehind(ch);
    }

    /**
     * Opens (or creates) {@code partial} for an upload of {@code size} bytes that lands at
     * {@code target}. With {@code resume} the upload continues after what the partial file holds
     * (at most {@code size}); otherwise it starts empty. With {@code keepDigest} the verified SHA-256
     * is kept with the landed file ({@link StoredDigest}). {@code shown} names the file in errors.
     */
    public static LocalUploadSink open(Path partial, Path target, String shown, long size, boolean resume,
            boolean keepDigest) throws ProtocolException {
        FileChannel ch;
        try {
            ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
        } catch (IOException e) {
            throw Store.map(e, shown);
        }
        try {
            long start = resume ? Math.min(ch.size(), size) : 0;
            ch.truncate(start);
            return new LocalUploadSink(partial, target, shown, size, start, keepDigest, ch);
        } catch (IOException e) {
            close(ch);
            throw Store.map(e, shown);
        }
    }

    @Override
    public long start() {
        return start;
    }

    @Override
    public long size() {
        return size;
    }

    /** Writes straight from {@code data} (the received packet's own memory), then hashes it if it continues the prefix. */
    @Override
    public void write(long offset, ByteBuffer data) throws ProtocolException {
        int len = data.remaining();
        int from = data.position();
        if (offset < start || offset + len > size || len == 0) {
            // the upload checks this too; the sink keeps its own contract for any caller
            throw ProtocolException.of(Status.BAD_REQUEST, "chunk outside the file: offset " + offset);
        }
        try {
            long pos = offset;
            while (data.hasRemaining()) {
                pos += ch.write(data, pos);
            }
            behind.written(len);
            ranges.add(offset, offset + len);
            data.position(from);
            digest.written(data, offset, ranges.prefix(start));
            data.position(data.limit());
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public String finish(String expectedSha256) throws ProtocolException {
        if (shaSkipped) {
            throw new IllegalStateException("the SHA-256 of this upload was skipped: finish by its CRC32C");
        }
        return finish(expectedSha256, false);
    }

    @Override
    public boolean checksCrc32c() {
        return true;
    }

    @Override
    public String finishByCrc32c(String expectedCrc32c) throws ProtocolException {
        return finish(expectedCrc32c, true);
    }

    /**
     * Only where the landed file's digest is kept ({@code keepDigest}): {@link LocalStore#sha256} then
     * computes the SHA-256 from the file when first asked and records it beside the CRC32C. A peer's
     * inbox keeps no digest, and its receiver shows the SHA-256 at once, so it still computes it.
     */
    @Override
    public boolean skipSha256() {
        if (keepDigest && digest.hashed() == 0) {
            digest = new PrefixDigest(ch, new Crc32c());
            shaSkipped = true;
        }
        return shaSkipped;
    }

    /**
     * Checks the CRC32C ({@code byCrc}) or the SHA-256 against {@code expected}; returns the SHA-256
     * (null when skipped).
     */
    private String finish(String expected, boolean byCrc) throws ProtocolException {
        try {
            behind.finish();
            List<String> digests = digest.finishAll(size);
            String actual = shaSkipped ? null : digests.get(0);
            String crc = digests.get(digests.size() - 1);
            ch.close();
            if (!(byCrc ? crc : actual).equalsIgnoreCase(expected)) {
                Files.deleteIfExists(partial);
                throw ProtocolException.of(Status.CHECKSUM_MISMATCH, "checksum mismatch: " + shown
                        + " (the server's copy differs; the partial upload was discarded, put it again)");
            }
            if (keepDigest) {
                // before the rename, so the file appears with its digest (the rename keeps both)
                StoredDigest.store(partial, actual, crc);
            }
            // the file replaced is freed on a background thread, not inside the rename (ReplacedFiles)
            FileChannel replaced = ReplacedFiles.hold(target);
            try {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                syncDir(target.getParent());
            } finally {
                ReplacedFiles.release(replaced);
            }
            return actual;
        } catch (IOException e) {
            close(ch); // still open if hashing failed
            throw failed(e);
        }
    }

    /** The error for a failed write or fsync; a full disk also deletes the partial file. */
    private ProtocolException failed(IOException e) {
        if (!noSpace(e)) {
            return Store.map(e, shown);
        }
        close(ch);
        try {
            Files.deleteIfExists(partial);
        } catch (IOException ignored) {
            // the reply says what matters; the space comes back when the file can be deleted
        }
        return ProtocolException.of(Status.IO_ERROR, "no space left on the server: " + shown
                + " (the part received was deleted)");
    }

    /**
     * Whether {@code e} is ENOSPC or EDQUOT: the JDK reports them only as an IOException with the
     * system's message (strerror), so that is what is matched.
     */
    static boolean noSpace(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"));
    }

    @Override
    public void abort() {
        if (!ch.isOpen()) {
            return;
        }
        try {
            ch.force(true);
            ch.truncate(ranges.prefix(start));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "abort of the upload of " + shown + ": " + e);
        } finally {
            close(ch);
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing more to do: the caller reports the failure
        }
    }

    static void syncDir(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some systems cannot open folders: the rename is still atomic
        }
    }
}
