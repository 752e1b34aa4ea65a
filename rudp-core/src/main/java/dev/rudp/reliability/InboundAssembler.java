package dev.rudp.reliability;

import dev.rudp.RudpErrorCode;
import dev.rudp.wire.ByteCopy;
import dev.rudp.wire.MessageFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Reassembles message fragments and hands complete messages out exactly once: ordered messages
 * in id order, unordered ones as soon as they are whole. Also the receiving half of flow
 * control: a message reserves its full length of credit when its first fragment arrives, so
 * reassembly memory is bounded by the advertised window, the partial-message count and time.
 */
final class InboundAssembler {
    /** Where complete messages go; the sink owns (and must release) each buffer. */
    interface Sink {
        void deliver(ByteBuf message, boolean ordered);
    }

    private static final class Partial {
        final ByteBuf buf;
        final long length;
        RangeSet ranges;
        long receivedBytes;
        long lastProgressNanos;
        boolean complete;

        Partial(ByteBuf buf, long length, long now) {
            this.buf = buf;
            this.length = length;
            this.lastProgressNanos = now;
        }
    }

    private final ByteBufAllocator alloc;
    private final long maxMessageSize;
    private final int maxPartialMessages;
    private final long maxWindow;
    /** Largest message the peer may send: our size limit, and never more than our initial credit. */
    private final long largestMessage;
    private final Sink sink;
    private final Map<Long, Partial> ordered = new HashMap<>();
    private final Map<Long, Partial> unordered = new HashMap<>();
    private final RangeSet deliveredUnordered = new RangeSet(1 << 16, false);
    private long nextOrderedId;
    private long window;
    private long advertisedMaxData;
    private long reserved;
    private long consumed;
    private long lastWindowUpdateNanos;
    /** updateDue said yes (and grew the window if it should) for an update not yet raised. */
    private boolean updatePending;
    private long bufferedBytes;

    InboundAssembler(ByteBufAllocator alloc, long maxMessageSize, long initialWindow, long maxWindow,
            int maxPartialMessages, Sink sink) {
        this.alloc = alloc;
        this.maxMessageSize = maxMessageSize;
        this.window = initialWindow;
        this.maxWindow = Math.max(initialWindow, maxWindow);
        this.largestMessage = Math.min(maxMessageSize, initialWindow);
        this.advertisedMaxData = initialWindow;
        this.maxPartialMessages = maxPartialMessages;
        this.sink = sink;
    }

    long advertisedMaxData() {
        return advertisedMaxData;
    }

    long window() {
        return window;
    }

    /** Bytes held in partial or not-yet-deliverable messages. */
    long bufferedBytes() {
        return bufferedBytes;
    }

    /**
     * Takes one fragment. Returns null when accepted (or a harmless duplicate), else the error
     * that must close the connection.
     */
    RudpErrorCode onFragment(MessageFrame f, long nowNanos) {
        long id = f.messageId();
        Map<Long, Partial> map = f.ordered() ? ordered : unordered;
        if (f.ordered() ? id < nextOrderedId : deliveredUnordered.contains(id)) {
            return null; // already delivered: a retransmission we no longer need
        }
        Partial p = map.get(id);
        if (p == null) {
            if (f.messageLength() > maxMessageSize) {
                return RudpErrorCode.FLOW_CONTROL_ERROR;
            }
            if (reserved + f.messageLength() > advertisedMaxData) {
                return RudpErrorCode.FLOW_CONTROL_ERROR;
            }
            if (ordered.size() + unordered.size() >= maxPartialMessages) {
                return RudpErrorCode.FLOW_CONTROL_ERROR;
            }
            reserved += f.messageLength();
            ByteBuf buf;
            if (f.offset() == 0 && f.data().readableBytes() == f.messageLength()) {
                // Whole message in one fragment: no copy, unless the slice would pin a much larger buffer.
                ByteBuf data = f.data();
                buf = fillsItsBuffer(data) ? data.retainedSlice()
                        : ByteCopy.append(alloc.buffer(data.readableBytes()), data, data.readerIndex(), data.readableBytes());
            } else {
                buf = alloc.buffer((int) f.messageLength());
                buf.writerIndex((int) f.messageLength());
            }
            p = new Partial(buf, f.messageLength(), nowNanos);
            map.put(id, p);
            bufferedBytes += p.length;
            if (!addBytes(p, f, true, nowNanos)) {
                return RudpErrorCode.PROTOCOL_VIOLATION;
            }
        } else {
            if (p.length != f.messageLength()) {
                return RudpErrorCode.PROTOCOL_VIOLATION;
            }
            if (!p.complete && !addBytes(p, f, false, nowNanos)) {
                return RudpErrorCode.PROTOCOL_VIOLATION;
            }
        }
        if (p.complete) {
            if (f.ordered()) {
                deliverOrdered();
            } else {
                unordered.remove(id);
                if (deliveredUnordered.add(id, id) < 0) {
                    p.buf.release();
                    return RudpErrorCode.FLOW_CONTROL_ERROR;
                }
                bufferedBytes -= p.length;
                sink.deliver(p.buf, false);
            }
        }
        return null;
    }

    /**
     * Whether a slice uses most of the buffer it lives in. A small message kept as a slice would pin
     * its whole receive buffer (up to 64 KiB) while reassembly counts only the message's bytes.
     */
    private static boolean fillsItsBuffer(ByteBuf slice) {
        ByteBuf root = slice;
        for (ByteBuf parent = root.unwrap(); parent != null; parent = parent.unwrap()) {
            root = parent;
        }
        return 2L * slice.readableBytes() >= root.capacity();
    }

    private boolean addBytes(Partial p, MessageFrame f, boolean first, long nowNanos) {
        int n = f.data().readableBytes();
        if (first && n == p.length) {
            p.complete = true;
            p.receivedBytes = n;
            return true;
        }
        if (n == 0) {
            return true;
        }
        if (p.ranges == null) {
            p.ranges = new RangeSet(4096, false);
        }
        long added = p.ranges.add(f.offset(), f.offset() + n - 1);
        if (added < 0) {
            return false;
        }
        if (added > 0) {
            // Overlapping retransmissions carry the same bytes; rewriting them is harmless.
            f.data().getBytes(f.data().readerIndex(), p.buf, (int) f.offset(), n); // as ByteCopy says why
            p.receivedBytes += added;
            p.lastProgressNanos = nowNanos;
        }
        if (p.receivedBytes == p.length) {
            p.complete = true;
            p.ranges = null;
        }
        return true;
    }

    private void deliverOrdered() {
        for (Partial p = ordered.get(nextOrderedId); p != null && p.complete; p = ordered.get(nextOrderedId)) {
            ordered.remove(nextOrderedId);
            nextOrderedId++;
            bufferedBytes -= p.length;
            sink.deliver(p.buf, true);
        }
    }

    /** The application consumed {@code bytes} of delivered messages: their credit may return. */
    void onConsumed(long bytes) {
        consumed += bytes;
    }

    /**
     * Whether a MAX_DATA update should be sent: half the window has been consumed since the last,
     * or everything started has been consumed while the credit left is smaller than the largest
     * message the peer may send (a sender waits until a whole message fits and cannot say so: a
     * message over half the window would otherwise wait forever). Grows the window (up to its
     * maximum) when half-window updates come faster than twice per RTT, so that a fast path is
     * never limited by a window sized for a slow one.
     */
    boolean updateDue(long nowNanos, long smoothedRttNanos) {
        long credit = advertisedMaxData - consumed;
        boolean halfUsed = credit <= window / 2;
        boolean drained = consumed >= reserved && credit < largestMessage;
        if (!halfUsed && !drained) {
            return false;
        }
        if (!updatePending) {
            // Asked again before the update went out (paced, or only an ACK fitted): grow only once.
            updatePending = true;
            if (halfUsed && window < maxWindow && nowNanos - lastWindowUpdateNanos < 2 * smoothedRttNanos) {
                window = Math.min(maxWindow, window * 2);
            }
        }
        return true;
    }

    /** Raises the advertised limit; returns the value to put in MAX_DATA. */
    long raiseMaxData(long nowNanos) {
        advertisedMaxData = Math.max(advertisedMaxData, consumed + window);
        lastWindowUpdateNanos = nowNanos;
        updatePending = false;
        return advertisedMaxData;
    }

    /** Oldest time a partial message last made progress, or Long.MAX_VALUE if none is partial. */
    long oldestProgressNanos() {
        long t = Long.MAX_VALUE;
        for (Partial p : ordered.values()) {
            if (!p.complete) {
                t = Math.min(t, p.lastProgressNanos);
            }
        }
        for (Partial p : unordered.values()) {
            t = Math.min(t, p.lastProgressNanos);
        }
        return t;
    }

    /** Releases every buffered message (the connection is gone). */
    void releaseAll() {
        for (Map<Long, Partial> m : java.util.List.of(ordered, unordered)) {
            for (Iterator<Partial> it = m.values().iterator(); it.hasNext();) {
                it.next().buf.release();
                it.remove();
            }
        }
        bufferedBytes = 0;
    }
}
