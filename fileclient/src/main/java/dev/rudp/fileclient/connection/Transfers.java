package dev.rudp.fileclient.connection;

import dev.rudp.fileserver.protocol.Data;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import dev.rudp.fileserver.server.SerialExecutor;
import dev.rudp.fileserver.storage.Crc32c;
import dev.rudp.fileserver.storage.FileChunks;
import dev.rudp.fileserver.storage.PrefixDigest;
import dev.rudp.fileserver.storage.Ranges;
import dev.rudp.fileserver.storage.Sha256;
import dev.rudp.fileserver.storage.WriteBehind;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Uploads and downloads over a {@link FileConnection}, one at a time on the calling thread, with
 * whole-file verification, resume, progress and cancellation. A download lands in
 * {@code <local>.part} and is renamed over the local file only after its check matched, so a failed
 * or cancelled download never damages an existing file; {@code reget} continues the part file. The
 * check is the file's SHA-256, or its CRC32C (a tenth of the hashing) where the server offers it: an
 * upload to storage that computes it, a download of a file whose upload recorded one. The
 * client then needs no SHA-256 ({@link Op#FLAG_NO_SHA256}): the server names the file's SHA-256 where
 * it has one, and may leave it to be computed when first asked for ({@code checksum}).
 */
public final class Transfers implements AutoCloseable {
    private final FileConnection conn;
    private final ExecutorService diskThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fileclient-disk");
        t.setDaemon(true);
        return t;
    });

    public Transfers(FileConnection conn) {
        this.conn = conn;
    }

    /**
     * The result of a transfer: bytes in the file, bytes moved now, the file's SHA-256 (computed
     * here; for a transfer checked by its CRC32C the server's, or empty where the server left it for
     * later), and the CRC32C when it was the check (else null). All hex in lower case.
     */
    public record Result(long size, long transferred, String sha256, String crc32c) {
        /** Whether the file's CRC32C was the check. */
        public boolean byCrc32c() {
            return crc32c != null;
        }

        /** The digest a summary shows: {@code sha256 HEX} where known, else {@code crc32c HEX}. */
        public String digestShown() {
            return sha256.isEmpty() && crc32c != null ? "crc32c " + crc32c : "sha256 " + sha256;
        }
    }

    /** Uploads {@code local} to {@code remote}; {@code resume} continues an interrupted upload. */
    public Result upload(Path local, String remote, boolean resume, TransferListener l, CancelToken cancel)
            throws ClientException {
        long size;
        try {
            size = Files.size(local);
        } catch (IOException e) {
            throw localError(e, local);
        }
        long putId = conn.nextId();
        Reply started = conn.callRaw(Request.of(putId, Op.PUT, List.of(remote), size, resume ? 1 : 0,
                Op.FLAG_CRC32C | Op.FLAG_NO_SHA256), conn.timeoutMillis());
        if (!started.ok()) {
            throw ClientException.of(started);
        }
        long start = started.num(0, 0);
        l.started(remote, start, size);
        // a server answers the PUT's id again when the upload fails before its end (a full disk): stop sending then
        CompletableFuture<Reply> early = conn.expect(putId);
        try {
            return send(local, remote, putId, start, size, started.lines().contains(Op.CRC32C), early, l, cancel);
        } finally {
            conn.forget(putId);
        }
    }

    /** Sends the file; {@code byCrc}: PUT_DONE carries its CRC32C (the server said so), else its SHA-256. */
    private Result send(Path local, String remote, long putId, long start, long size, boolean byCrc,
            CompletableFuture<Reply> early, TransferListener l, CancelToken cancel) throws ClientException {
        MessageDigest md = byCrc ? new Crc32c() : Sha256.newDigest();
        try (FileChannel in = FileChannel.open(local, StandardOpenOption.READ)) {
            FileChunks.hashRange(in, md, 0, start);
            long pos = start;
            long lastProgress = System.nanoTime();
            while (pos < size) {
                if (cancel.isCancelled()) {
                    throw cancelUpload(putId, remote);
                }
                if (!conn.channel().isActive()) {
                    throw partial(conn.lost(), "reput");
                }
                if (early.isDone()) {
                    throw failedEarly(early);
                }
                if (!conn.channel().isWritable()) {
                    synchronized (conn.writability) {
                        if (!conn.channel().isWritable() && conn.channel().isActive()) {
                            conn.writability.wait(100);
                        }
                    }
                    if (System.nanoTime() - lastProgress > conn.timeoutMillis() * 1_000_000L) {
                        throw new ClientException(ExitCode.TIMEOUT, "upload stalled for " + Math.max(1, conn.timeoutMillis() / 1000)
                                + " s: " + remote + " (resume with reput)");
                    }
                    continue;
                }
                int n = (int) Math.min(Data.CHUNK, size - pos);
                ByteBuf buf = FileChunks.read(in, pos, n, conn.channel().alloc(), md);
                conn.channel().writeAndFlush(new Data(putId, pos, buf));
                pos += n;
                lastProgress = System.nanoTime();
                l.progress(pos, size);
            }
        } catch (IOException e) {
            throw localError(e, local);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cancelUpload(putId, remote);
        }
        String digest = HexFormat.of().formatHex(md.digest());
        long doneId = conn.nextId();
        CompletableFuture<Reply> f = conn.expect(doneId);
        String sha;
        try {
            conn.send(Request.of(doneId, Op.PUT_DONE, List.of(digest), putId));
            // the early error and the reply to PUT_DONE say the same; whichever comes first
            Reply done = waitCancellable(f.applyToEither(early, r -> r), doneId, cancel,
                    () -> cancelUpload(putId, remote));
            if (!done.ok()) {
                throw ClientException.of(done);
            }
            // checked by the CRC32C: the SHA-256 the server computed of what it wrote, or none
            sha = !byCrc ? digest : done.lines().isEmpty() ? "" : done.lines().get(0).toLowerCase(Locale.ROOT);
        } finally {
            conn.forget(doneId);
        }
        return new Result(size, size - start, sha, byCrc ? digest : null);
    }

    /** What the server said when it ended an upload early (or why the connection ended). */
    private static ClientException failedEarly(CompletableFuture<Reply> early) {
        try {
            Reply r = early.join();
            return r.ok() ? new ClientException(ExitCode.PROTOCOL, "unexpected second reply to an upload")
                    : ClientException.of(r);
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() instanceof ClientException ce ? ce
                    : new ClientException(ExitCode.PROTOCOL, String.valueOf(e.getCause()));
        }
    }

    /** Downloads {@code remote} to {@code local} (through {@code local.part}); {@code resume} continues it. */
    public Result download(String remote, Path local, boolean resume, TransferListener l, CancelToken cancel)
            throws ClientException {
        Path part = local.resolveSibling(local.getFileName() + ".part");
        long getId = conn.nextId();
        FileChannel out;
        long offset;
        try {
            out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            offset = resume ? out.size() : 0;
            out.truncate(offset);
        } catch (IOException e) {
            throw localError(e, part);
        }
        Sink sink = new Sink(out, offset);
        conn.route(getId, sink::accept);
        // GET is answered twice (start, then the hash at the end): both replies go to one queue
        java.util.concurrent.BlockingQueue<Object> replies = new java.util.concurrent.LinkedBlockingQueue<>();
        conn.routeReplies(getId, replies);
        boolean success = false;
        try {
            // checked by the file's CRC32C when the server has one (a resumed download: a recorded one)
            conn.send(Request.of(getId, Op.GET, List.of(remote), offset, Op.FLAG_CRC32C | Op.FLAG_NO_SHA256));
            Reply started = take(replies, cancel, () -> cancelDownload(getId, remote, sink));
            if (!started.ok()) {
                throw ClientException.of(started);
            }
            long size = started.num(0, 0);
            boolean byCrc = started.lines().contains(Op.CRC32C);
            sink.expect(size, byCrc);
            l.started(remote, offset, size);
            long lastDone = -1;
            long lastProgress = System.nanoTime();
            while (true) {
                if (cancel.isCancelled()) {
                    throw cancelDownload(getId, remote, sink);
                }
                try {
                    sink.complete.get(100, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException e) {
                    long done = sink.written.get();
                    if (done != lastDone) {
                        lastDone = done;
                        lastProgress = System.nanoTime();
                        l.progress(done, size);
                    } else if (System.nanoTime() - lastProgress > conn.timeoutMillis() * 1_000_000L) {
                        sink.abort();
                        throw new ClientException(ExitCode.TIMEOUT, "download stalled for " + Math.max(1, conn.timeoutMillis() / 1000)
                                + " s: " + remote + " (resume with reget)");
                    }
                    if (!conn.channel().isActive()) {
                        sink.abort();
                        throw partial(conn.lost(), "reget");
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof ClientException ce ? ce
                            : new ClientException(ExitCode.LOCAL_IO, "get: " + e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw cancelDownload(getId, remote, sink);
                }
            }
            l.progress(size, size);
            Reply end = take(replies, cancel, () -> cancelDownload(getId, remote, sink));
            if (!end.ok()) {
                sink.abort();
                throw ClientException.of(end);
            }
            List<String> lines = end.lines();
            String sha = lines.isEmpty() ? "" : lines.get(0);
            String expected = !byCrc ? sha : lines.size() > 1 ? lines.get(1) : "";
            String actual = sink.finishDigest(size);
            if (!actual.equalsIgnoreCase(expected)) {
                Files.deleteIfExists(part);
                throw new ClientException(ExitCode.PARTIAL, "checksum mismatch: " + remote
                        + " (the local copy was discarded; get it again)");
            }
            Files.move(part, local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            success = true;
            return new Result(size, size - offset, byCrc ? sha.toLowerCase(Locale.ROOT) : actual,
                    byCrc ? actual.toLowerCase(Locale.ROOT) : null);
        } catch (IOException e) {
            throw localError(e, local);
        } finally {
            conn.unroute(getId);
            conn.unrouteReplies(getId);
            sink.close();
            if (!success) {
                deleteIfEmpty(part);
            }
        }
    }

    private Reply waitCancellable(CompletableFuture<Reply> f, long id, CancelToken cancel,
            ThrowingSupplier onCancel) throws ClientException {
        long deadline = System.nanoTime() + conn.timeoutMillis() * 1_000_000L;
        while (true) {
            if (cancel.isCancelled()) {
                throw onCancel.get();
            }
            try {
                return f.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new ClientException(ExitCode.TIMEOUT, "no reply from the server within "
                            + Math.max(1, conn.timeoutMillis() / 1000) + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw onCancel.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof ClientException ce ? ce
                        : new ClientException(ExitCode.PROTOCOL, String.valueOf(e.getCause()));
            }
        }
    }

    private Reply take(java.util.concurrent.BlockingQueue<Object> replies, CancelToken cancel,
            ThrowingSupplier onCancel) throws ClientException {
        long deadline = System.nanoTime() + conn.timeoutMillis() * 1_000_000L;
        while (true) {
            if (cancel.isCancelled()) {
                throw onCancel.get();
            }
            Object o;
            try {
                o = replies.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw onCancel.get();
            }
            if (o instanceof Reply r) {
                return r;
            }
            if (o instanceof ClientException e) {
                throw e;
            }
            if (System.nanoTime() > deadline) {
                throw new ClientException(ExitCode.TIMEOUT, "no reply from the server within "
                        + Math.max(1, conn.timeoutMillis() / 1000) + " s");
            }
        }
    }

    /** Builds the exception thrown on cancel, after telling the server. */
    private interface ThrowingSupplier {
        ClientException get();
    }

    private ClientException cancelUpload(long putId, String remote) {
        tellCancel(putId);
        return new ClientException(ExitCode.INTERRUPTED, "interrupted: " + remote
                + " (the server kept the part sent; continue with reput)");
    }

    private ClientException cancelDownload(long getId, String remote, Sink sink) {
        tellCancel(getId);
        sink.abort();
        return new ClientException(ExitCode.INTERRUPTED, "interrupted: " + remote
                + " (the part received was kept; continue with reget)");
    }

    private void tellCancel(long id) {
        try {
            if (conn.channel().isActive()) {
                conn.callUncancellable(Request.of(conn.nextId(), Op.CANCEL, List.of(), id), 5_000);
            }
        } catch (ClientException e) {
            // the connection is gone: nothing to tell
        }
    }

    private static ClientException partial(ClientException cause, String resume) {
        return new ClientException(ExitCode.PARTIAL, cause.getMessage() + "; the transfer is incomplete (continue with "
                + resume + ")");
    }

    private static void deleteIfEmpty(Path p) {
        try {
            if (Files.exists(p) && Files.size(p) == 0) {
                Files.delete(p);
            }
        } catch (IOException e) {
            // leave it
        }
    }

    /** The SHA-256 of a local file, lower-case hex. */
    public static String hashFile(Path p) throws IOException {
        try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ)) {
            MessageDigest md = Sha256.newDigest();
            FileChunks.hashRange(in, md, 0, in.size());
            return HexFormat.of().formatHex(md.digest());
        }
    }

    static ClientException localError(IOException e, Path p) {
        if (e instanceof NoSuchFileException) {
            return new ClientException(ExitCode.NOT_FOUND, "no such local file: " + p);
        }
        if (e instanceof AccessDeniedException) {
            return new ClientException(ExitCode.LOCAL_IO, "permission denied: " + p);
        }
        return new ClientException(ExitCode.LOCAL_IO, "local I/O error on " + p + ": " + e.getMessage());
    }

    @Override
    public void close() {
        diskThread.shutdown();
    }

    /**
     * Writes received chunks positionally on the disk thread, the disk writing them back as they
     * come ({@link WriteBehind}); completes when {@code size} bytes are in and fsynced. Holds the
     * read side back (auto-read off) while too much waits for the disk.
     */
    private final class Sink {
        final FileChannel out;
        final long offset;
        final AtomicLong written = new AtomicLong();
        final AtomicLong queued = new AtomicLong();
        final CompletableFuture<Void> complete = new CompletableFuture<>();
        final SerialExecutor writer = new SerialExecutor(diskThread);
        final Ranges ranges = new Ranges();
        /** Made by {@link #expect} on the writer's thread; the chunks before it are read back once. */
        PrefixDigest digest;
        final WriteBehind behind;
        volatile long size = -1;
        volatile boolean aborted;

        Sink(FileChannel out, long offset) {
            this.out = out;
            this.offset = offset;
            this.written.set(offset);
            this.behind = new WriteBehind(out);
        }

        /**
         * The digest {@link #expect} chose (SHA-256 or CRC32C, hex) of the part file's first {@code size}
         * bytes, mostly computed already as they were written.
         */
        String finishDigest(long size) throws IOException {
            CompletableFuture<String> done = new CompletableFuture<>();
            writer.execute(() -> {
                try {
                    done.complete(digest.finish(size));
                } catch (IOException | RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
            try {
                return done.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }

        /** The file has {@code total} bytes, checked by its CRC32C ({@code byCrc}) or else its SHA-256. */
        void expect(long total, boolean byCrc) {
            writer.execute(() -> {
                size = total;
                digest = new PrefixDigest(out, byCrc ? new Crc32c() : Sha256.newDigest());
                check();
            });
        }

        void accept(Data d) {
            int len = d.content().readableBytes();
            if (queued.addAndGet(len) > (16 << 20)) {
                conn.channel().config().setAutoRead(false);
            }
            writer.execute(() -> {
                try {
                    if (!aborted) {
                        ByteBuffer nio = d.content().nioBuffer();
                        long pos = d.offset();
                        while (nio.hasRemaining()) {
                            pos += out.write(nio, pos);
                        }
                        behind.written(len);
                        ranges.add(d.offset(), d.offset() + len);
                        if (digest != null) {
                            digest.written(d.content().nioBuffer(), d.offset(), ranges.prefix(offset));
                        }
                        written.addAndGet(len);
                        check();
                    }
                } catch (IOException e) {
                    aborted = true;
                    complete.completeExceptionally(new ClientException(ExitCode.LOCAL_IO,
                            "local write failed: " + e.getMessage()));
                } finally {
                    d.release();
                    if (queued.addAndGet(-len) < (4 << 20) && !conn.channel().config().isAutoRead()) {
                        conn.channel().config().setAutoRead(true);
                    }
                }
            });
        }

        private void check() {
            if (size >= 0 && written.get() >= size) {
                try {
                    behind.finish();
                    complete.complete(null);
                } catch (IOException e) {
                    complete.completeExceptionally(new ClientException(ExitCode.LOCAL_IO, e.getMessage()));
                }
            }
        }

        /** Stops writing and cuts the part file to its complete prefix (for reget). */
        void abort() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            writer.execute(() -> {
                aborted = true;
                try {
                    out.truncate(ranges.prefix(offset));
                } catch (IOException e) {
                    // the part file stays as it is; reget's hash check catches a bad prefix
                }
                done.complete(null);
            });
            done.join();
        }

        void close() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            writer.execute(() -> {
                aborted = true;
                try {
                    out.close();
                } catch (IOException e) {
                    // nothing more to do
                }
                done.complete(null);
            });
            done.join();
        }
    }
}
