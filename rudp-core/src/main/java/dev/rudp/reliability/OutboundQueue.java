package dev.rudp.reliability;

import dev.rudp.wire.MessageFrame;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * The sending half of message delivery: messages waiting for their first transmission, fragments
 * waiting for retransmission (served first), message ids, and the sender's side of flow control.
 *
 * <p>Besides the byte credit, the receiver holds at most a fixed number of messages in reassembly
 * (ordered ones wait there for their predecessors). A new message is started only while the
 * messages the receiver may be holding (ordered ids from the oldest not fully acknowledged up, and
 * unordered messages not fully acknowledged) stay below that number.
 */
final class OutboundQueue {
    /** A byte range of a message to send again. */
    private static final class Fragment {
        final OutboundMessage message;
        int offset;
        int length;

        Fragment(OutboundMessage message, int offset, int length) {
            this.message = message;
            this.offset = offset;
            this.length = length;
        }
    }

    /** Smallest room worth starting a fragment in. */
    private static final int MIN_FRAGMENT_ROOM = 24;

    private final ArrayDeque<OutboundMessage> unsent = new ArrayDeque<>();
    private final ArrayDeque<Fragment> retransmit = new ArrayDeque<>();
    private long nextOrderedId;
    private long nextUnorderedId;
    private long peerMaxData;
    private long started;
    private long bufferedBytes;
    private long unsentBytes;
    private long retransmittedBytes;
    private boolean flowBlocked;
    private final int maxOpenMessages;
    /** Ordered messages started, in id order, from the oldest not fully acknowledged. */
    private final ArrayDeque<OutboundMessage> openOrdered = new ArrayDeque<>();
    private long nextStartedOrderedId;
    private int openUnordered;

    OutboundQueue(long peerInitialMaxData) {
        this(peerInitialMaxData, Integer.MAX_VALUE);
    }

    /** @param maxOpenMessages most messages the peer holds in reassembly at once */
    OutboundQueue(long peerInitialMaxData, int maxOpenMessages) {
        this.peerMaxData = peerInitialMaxData;
        this.maxOpenMessages = maxOpenMessages;
    }

    /** Messages the receiver may be holding in reassembly, as far as this side can tell. */
    long openMessages() {
        long orderedSpan = openOrdered.isEmpty() ? 0 : nextStartedOrderedId - openOrdered.peek().id;
        return orderedSpan + openUnordered;
    }

    /** Whether {@code m}, never sent yet, may be started now. */
    private boolean mayStart(OutboundMessage m) {
        return started + m.length <= peerMaxData && openMessages() < maxOpenMessages;
    }

    private void onStarted(OutboundMessage m) {
        started += m.length;
        if (m.ordered) {
            openOrdered.add(m);
            nextStartedOrderedId = m.id + 1;
        } else {
            openUnordered++;
        }
    }

    private void onFullyAcked(OutboundMessage m) {
        if (m.ordered) {
            while (!openOrdered.isEmpty() && openOrdered.peek().fullyAcked()) {
                openOrdered.poll();
            }
        } else {
            openUnordered--;
        }
    }

    /** Queues a message; takes ownership of {@code data}. */
    void enqueue(ByteBuf data, boolean ordered) {
        OutboundMessage m = new OutboundMessage(data, ordered, ordered ? nextOrderedId++ : nextUnorderedId++);
        unsent.add(m);
        bufferedBytes += m.length;
        unsentBytes += m.length;
    }

    void onMaxData(long maxData) {
        peerMaxData = Math.max(peerMaxData, maxData);
    }

    long peerMaxData() {
        return peerMaxData;
    }

    /** Bytes of messages not yet fully acknowledged. */
    long bufferedBytes() {
        return bufferedBytes;
    }

    /** Bytes of messages never sent yet. */
    long unsentBytes() {
        return unsentBytes;
    }

    /** An upper bound on the data bytes the next packet carries: all of a packet when retransmissions wait. */
    long nextPacketDataBound() {
        return retransmit.isEmpty() ? unsentBytes : Long.MAX_VALUE;
    }

    long retransmittedBytes() {
        return retransmittedBytes;
    }

    /** Whether the last attempt to send new data was stopped by the peer's flow-control credit. */
    boolean flowBlocked() {
        return flowBlocked;
    }

    /** Whether nothing at all is waiting to be sent or acknowledged. */
    boolean isDrained() {
        return bufferedBytes == 0 && unsent.isEmpty() && retransmit.isEmpty();
    }

    /** Drops queued retransmissions whose bytes have been acknowledged since (another copy arrived). */
    private void pruneRetransmit() {
        for (Fragment f = retransmit.peek(); f != null && f.message.isAcked(f.offset, f.length); f = retransmit.peek()) {
            retransmit.poll();
        }
    }

    /** Whether a data frame could be written now. */
    boolean hasSendable() {
        pruneRetransmit();
        if (!retransmit.isEmpty()) {
            return true;
        }
        OutboundMessage head = unsent.peek();
        return head != null && (head.nextOffset > 0 || mayStart(head));
    }

    /** Whether any new (never sent) data is queued. */
    boolean hasUnsent() {
        return !unsent.isEmpty();
    }

    /**
     * Writes retransmissions, then new data, into {@code out} within {@code room} bytes, noting
     * each fragment in {@code packet}. Returns the bytes written.
     */
    int writeFrames(ByteBuf out, int room, SentPacket packet) {
        int start = out.writerIndex();
        flowBlocked = false;
        while (room - (out.writerIndex() - start) >= MIN_FRAGMENT_ROOM) {
            int space = room - (out.writerIndex() - start);
            Fragment f = retransmit.peek();
            if (f != null) {
                if (f.message.isAcked(f.offset, f.length)) {
                    retransmit.poll();
                    continue;
                }
                int n = fit(f.message, f.offset, f.length, space);
                if (n < 0) {
                    break;
                }
                MessageFrame.encode(out, f.message.ordered, f.message.id, f.message.data, f.offset, n);
                packet.addFragment(f.message, f.offset, n);
                retransmittedBytes += n;
                if (n == f.length) {
                    retransmit.poll();
                } else {
                    f.offset += n;
                    f.length -= n;
                }
                continue;
            }
            OutboundMessage m = unsent.peek();
            if (m == null) {
                break;
            }
            if (m.nextOffset == 0) {
                if (!mayStart(m)) {
                    flowBlocked = true;
                    break;
                }
            }
            int remaining = m.length - m.nextOffset;
            int n = fit(m, m.nextOffset, remaining, space);
            if (n < 0) {
                break;
            }
            if (m.nextOffset == 0) {
                onStarted(m);
            }
            MessageFrame.encode(out, m.ordered, m.id, m.data, m.nextOffset, n);
            packet.addFragment(m, m.nextOffset, n);
            m.nextOffset += n;
            unsentBytes -= n;
            if (m.fullySent()) {
                unsent.poll();
            }
        }
        return out.writerIndex() - start;
    }

    /** How many of {@code length} bytes fit in {@code space}; -1 if not even one does. */
    private static int fit(OutboundMessage m, int offset, int length, int space) {
        int overhead = MessageFrame.overhead(m.id, m.length, offset, length);
        if (overhead + length <= space) {
            return length;
        }
        int n = space - overhead;
        return n > 0 ? n : -1;
    }

    /** Fragments of an acknowledged packet: messages fully acknowledged are released. */
    void onAcked(SentPacket p) {
        for (int i = 0; i < p.fragmentCount; i++) {
            OutboundMessage m = p.messages[i];
            if (m.onAcked(p.offsets[i], p.lengths[i])) {
                bufferedBytes -= m.length;
                m.release();
                onFullyAcked(m);
            }
        }
        // A spurious loss leaves a stale copy queued; left there it kept a finishing connection open.
        pruneRetransmit();
    }

    /** Fragments of a lost packet go back in line, unless acknowledged through another copy. */
    void onLost(SentPacket p) {
        for (int i = 0; i < p.fragmentCount; i++) {
            OutboundMessage m = p.messages[i];
            if (!m.isAcked(p.offsets[i], p.lengths[i])) {
                retransmit.add(new Fragment(m, p.offsets[i], p.lengths[i]));
            }
        }
    }

    /** Queues the packet's fragments to go out first, as a probe, without declaring them lost. */
    boolean queueProbe(SentPacket p) {
        boolean any = false;
        for (int i = p.fragmentCount - 1; i >= 0; i--) {
            OutboundMessage m = p.messages[i];
            if (!m.isAcked(p.offsets[i], p.lengths[i])) {
                retransmit.addFirst(new Fragment(m, p.offsets[i], p.lengths[i]));
                any = true;
            }
        }
        return any;
    }

    /** Releases every message (the connection is gone); returns how many were dropped unsent or unacked. */
    int releaseAll(SentPacketLog log) {
        int dropped = 0;
        for (OutboundMessage m : unsent) {
            if (!m.released()) {
                m.release();
                dropped++;
            }
        }
        unsent.clear();
        unsentBytes = 0;
        for (Fragment f : retransmit) {
            if (!f.message.released()) {
                f.message.release();
                dropped++;
            }
        }
        retransmit.clear();
        for (long pn = log.firstPacketNumber(); pn < log.nextPacketNumber(); pn++) {
            SentPacket p = log.get(pn);
            for (int i = 0; i < p.fragmentCount; i++) {
                if (!p.messages[i].released()) {
                    p.messages[i].release();
                    dropped++;
                }
            }
        }
        bufferedBytes = 0;
        return dropped;
    }
}
