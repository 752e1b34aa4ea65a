package dev.rudp.fileserver.storage.s3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Streams one ranged GET straight into a pooled direct buffer of the expected length, so a
 * download's bytes are copied once after the SDK (into the buffer the transport reads) instead of
 * being gathered into growing arrays and copied again. Readers take retained slices of it.
 *
 * <p>Ownership: the buffer of the attempt that completes is published in one slot; whoever
 * {@link #abandon()}s the block (the reader passing it, or the handle closing) releases it, and an
 * attempt that ends after the block was abandoned, fails, or is superseded by a retry releases its
 * own. Exactly one party releases each buffer, whatever the order.
 */
final class BlockTransformer implements AsyncResponseTransformer<GetObjectResponse, Void> {
    private static final Object ABANDONED = new Object();

    private final ByteBufAllocator alloc;
    private final int expected;
    private final String shown;
    /** Null, the published buffer, or {@link #ABANDONED}. */
    private final AtomicReference<Object> slot = new AtomicReference<>();
    private volatile CompletableFuture<Void> result;
    private volatile Attempt attempt;

    BlockTransformer(ByteBufAllocator alloc, int expected, String shown) {
        this.alloc = alloc;
        this.expected = expected;
        this.shown = shown;
    }

    /** The block's bytes once the GET completed normally (the caller does not own them). */
    ByteBuf buffer() {
        return slot.get() instanceof ByteBuf b ? b : null;
    }

    /** Gives the block up: its buffer is released now, or by the attempt when it ends. */
    void abandon() {
        Object prev = slot.getAndSet(ABANDONED);
        if (prev instanceof ByteBuf b) {
            b.release();
        }
        Attempt a = attempt;
        if (a != null) {
            a.fail(null);
        }
    }

    @Override
    public CompletableFuture<Void> prepare() {
        // called again for each retry: the attempt before it is over
        Attempt a = attempt;
        if (a != null) {
            a.fail(null);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        result = f;
        return f;
    }

    @Override
    public void onResponse(GetObjectResponse response) {
    }

    @Override
    public void onStream(SdkPublisher<ByteBuffer> publisher) {
        Attempt a = new Attempt(result);
        Attempt before = attempt;
        attempt = a;
        if (before != null) {
            before.fail(null);
        }
        publisher.subscribe(a);
    }

    @Override
    public void exceptionOccurred(Throwable error) {
        Attempt a = attempt;
        if (a != null) {
            a.fail(error);
        }
        CompletableFuture<Void> f = result;
        if (f != null) {
            f.completeExceptionally(error);
        }
    }

    /** One attempt's body into its own buffer; ends once (published, or released). */
    private final class Attempt implements Subscriber<ByteBuffer> {
        private final CompletableFuture<Void> future;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final ByteBuf buf;
        private volatile Subscription subscription;

        Attempt(CompletableFuture<Void> future) {
            this.future = future;
            this.buf = alloc.directBuffer(expected, expected);
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            if (ended.get()) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public synchronized void onNext(ByteBuffer bytes) {
            if (ended.get()) {
                return;
            }
            if (bytes.remaining() > buf.writableBytes()) {
                fail(new IOException(shown + " has more bytes than when it was opened"));
                return;
            }
            buf.writeBytes(bytes);
        }

        @Override
        public void onError(Throwable t) {
            fail(t);
        }

        @Override
        public synchronized void onComplete() {
            if (buf.readableBytes() != expected) {
                fail(new IOException(shown + " has fewer bytes than when it was opened"));
                return;
            }
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            if (slot.compareAndSet(null, buf)) {
                future.complete(null);
            } else {
                buf.release();
                future.completeExceptionally(new IOException("download of " + shown + " was closed"));
            }
        }

        /**
         * Ends the attempt without publishing: releases its buffer and fails its future (null: the
         * block was given up or retried). Synchronized with onNext so the buffer is never written after release.
         */
        synchronized void fail(Throwable t) {
            if (ended.compareAndSet(false, true)) {
                buf.release();
                Subscription s = subscription;
                if (s != null) {
                    s.cancel();
                }
                future.completeExceptionally(t != null ? t : new CancellationException("download block given up"));
            }
        }
    }
}
