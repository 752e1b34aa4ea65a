package dev.rudp.fileserver.server;

import dev.rudp.fileserver.protocol.Data;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.UploadSink;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One upload as the protocol sees it, whatever stores it: chunks arrive in any order and are handed
 * to the backend's {@link UploadSink} on a serial executor; the received bytes are counted, and once
 * all have arrived and the client's SHA-256 is known (PUT_DONE) the sink verifies and lands the file,
 * and the reply to PUT_DONE says how it went. A failure before PUT_DONE (a full disk, a bad chunk)
 * ends the upload at once and is told at once, in an error reply carrying the PUT's id, so the
 * client stops sending; a PUT_DONE that crossed it gets the same error. An abort (cancel, disconnect, a newer upload of the same file) keeps what a
 * resume can use. Public so that a peer-to-peer receiver ({@code dev.rudp.fileserver.p2p}) lands
 * files with the same logic.
 *
 * <p>The upload exists before its sink does: the server claims the file first (so an older upload
 * of it is aborted and settled), then opens the sink and {@link #begin}s, or reports that opening
 * failed ({@link #openFailed}). {@link #closed} completes only once the sink is settled.
 */
public final class Upload {
    /** Upload states; {@link #transitionTo} checks the moves. */
    enum State {
        /** Claimed; the sink is being opened. */
        OPENING,
        /** Chunks are written. */
        RECEIVING,
        /** Verified and landed, or refused at the end (mismatch, I/O error); the reply is sent. */
        FINISHED,
        /** Failed before PUT_DONE and told so; a PUT_DONE still gets the same error. */
        FAILED,
        /** Stopped; what a resume can use is kept. */
        ABORTED
    }

    private final long id;
    private final String shown;
    private final SerialExecutor writer;
    private final Consumer<Reply> replies;
    private final Runnable onEnd;
    /** Bytes queued for writing in the session; drives its read backpressure. */
    private final AtomicLong pending;
    private final Runnable afterWrite;
    private volatile State state = State.OPENING;
    private volatile UploadSink sink;
    private long received;
    /** The client's digest from PUT_DONE: the SHA-256, or the CRC32C when {@link #byCrc32c}. */
    private String expected;
    /** Set in begin, before any data; read on the writer. */
    private volatile boolean byCrc32c;
    private long doneId = -1;
    /** Why the upload failed early, told in the reply to PUT_DONE. */
    private ProtocolException failure;
    /** Completes when the upload finished or was aborted and its sink is settled. */
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    /**
     * An upload named {@code shown} in messages. {@code replies} gets the final reply to PUT_DONE;
     * {@code onEnd} runs once when it finished or was aborted; {@code pending} counts bytes waiting
     * for {@code writer}, and {@code afterWrite} runs after each write (read backpressure).
     */
    public Upload(long id, String shown, SerialExecutor writer, Consumer<Reply> replies, Runnable onEnd,
            AtomicLong pending, Runnable afterWrite) {
        this.id = id;
        this.shown = shown;
        this.writer = writer;
        this.replies = replies;
        this.onEnd = onEnd;
        this.pending = pending;
        this.afterWrite = afterWrite;
    }

    private synchronized void transitionTo(State next) {
        boolean allowed = switch (state) {
            case OPENING -> next == State.RECEIVING || next == State.ABORTED;
            case RECEIVING -> next == State.FINISHED || next == State.FAILED || next == State.ABORTED;
            case FAILED -> next == State.ABORTED;
            case FINISHED, ABORTED -> false;
        };
        if (!allowed) {
            throw new IllegalStateException("upload " + id + " " + state + " -> " + next);
        }
        state = next;
    }

    /**
     * The sink is open: data may come. Returns where the client starts sending. If the upload was
     * aborted meanwhile, the sink is aborted too and -1 returned. Called once, before data arrives.
     */
    public long begin(UploadSink s) {
        return begin(s, false, false);
    }

    /**
     * As {@link #begin(UploadSink)}; {@code byCrc32c}: PUT_DONE carries the CRC32C (the sink checks it);
     * {@code noSha256}: the client needs no SHA-256, so the sink may skip it
     * ({@link UploadSink#skipSha256()}) and the reply to PUT_DONE then names none.
     */
    public long begin(UploadSink s, boolean byCrc32c, boolean noSha256) {
        synchronized (this) {
            sink = s;
            this.byCrc32c = byCrc32c;
            if (state == State.OPENING) {
                if (byCrc32c && noSha256) {
                    s.skipSha256(); // before any data: begin runs before the PUT's reply lets it come
                }
                transitionTo(State.RECEIVING);
                return s.start();
            }
        }
        s.abort();
        settle();
        return -1;
    }

    /** Opening the sink failed: the upload ends without one. Call instead of {@link #begin}. */
    public void openFailed() {
        synchronized (this) {
            if (state == State.OPENING) {
                transitionTo(State.ABORTED);
            }
        }
        settle();
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
        if (state != State.RECEIVING) {
            return;
        }
        ByteBuf buf = d.content();
        long off = d.offset();
        int len = buf.readableBytes();
        if (off < sink.start() || off + len > sink.size() || len == 0) {
            fail(ProtocolException.of(Status.BAD_REQUEST, "chunk outside the file: offset " + off));
            return;
        }
        try {
            sink.write(off, buf.nioBuffer());
            received += len;
            maybeComplete();
        } catch (ProtocolException e) {
            fail(e);
        }
    }

    /** The client's digest arrived (PUT_DONE {@code requestId}). */
    public void finish(String digest, long requestId) {
        writer.execute(() -> {
            if (state == State.FAILED) {
                replies.accept(Reply.error(requestId, failure.status(), failure.getMessage()));
                transitionTo(State.ABORTED);
                onEnd.run();
                return;
            }
            if (state != State.RECEIVING) {
                replies.accept(Reply.error(requestId, Status.CANCELLED, "upload of " + shown
                        + " ended early (cancelled, or replaced by a newer upload of the same file)"));
                return;
            }
            expected = digest;
            doneId = requestId;
            maybeComplete();
        });
    }

    private void maybeComplete() {
        if (expected == null || received != sink.size() - sink.start()) {
            return;
        }
        transitionTo(State.FINISHED);
        try {
            String actual = byCrc32c ? sink.finishByCrc32c(expected) : sink.finish(expected);
            // null: the sink skipped the SHA-256 (the client needs none); computed when first asked
            replies.accept(Reply.ok(doneId, List.of(actual == null ? "" : actual), sink.size()));
        } catch (ProtocolException e) {
            replies.accept(Reply.error(doneId, e.status(), e.getMessage()));
        } finally {
            settle();
        }
    }

    /**
     * Ends the upload on an error before its end: the sink keeps what it can, and the client is told
     * now (on PUT_DONE's id when that came already, else on the PUT's). The sink is settled at once;
     * the upload stays known to the session until a PUT_DONE or abort, which then ends it.
     */
    private void fail(ProtocolException e) {
        failure = e;
        transitionTo(State.FAILED);
        sink.abort();
        closed.complete(null);
        if (doneId >= 0) {
            replies.accept(Reply.error(doneId, e.status(), e.getMessage()));
            transitionTo(State.ABORTED);
            onEnd.run();
        } else {
            replies.accept(Reply.error(id, e.status(), e.getMessage()));
        }
    }

    /** Stops the upload and keeps what a resume can use. Safe from any thread. */
    public void abort() {
        writer.execute(this::abortNow);
    }

    private void abortNow() {
        UploadSink s;
        State was;
        synchronized (this) {
            was = state;
            if (was == State.FINISHED || was == State.ABORTED) {
                return;
            }
            s = was == State.RECEIVING ? sink : null;
            transitionTo(State.ABORTED);
        }
        if (was == State.FAILED) {
            onEnd.run(); // the sink settled when it failed
        } else if (s != null) { // OPENING: the opener aborts the sink it gets (begin) and settles
            s.abort();
            settle();
        }
    }

    private void settle() {
        try {
            onEnd.run();
        } finally {
            closed.complete(null);
        }
    }
}
