package dev.rudp.reliability;

import io.netty.buffer.ByteBuf;

/**
 * A message the application wrote, held until every byte of it is acknowledged. Owns
 * {@link #data}: released exactly once, when fully acknowledged or when the connection dies.
 */
final class OutboundMessage {
    final ByteBuf data;
    final boolean ordered;
    final long id;
    final int length;
    /** Next byte never sent yet. */
    int nextOffset;
    private RangeSet acked;
    private long ackedBytes;
    private boolean complete;
    private boolean released;

    OutboundMessage(ByteBuf data, boolean ordered, long id) {
        this.data = data;
        this.ordered = ordered;
        this.id = id;
        this.length = data.readableBytes();
    }

    boolean fullySent() {
        return nextOffset >= length;
    }

    /** Whether every byte has been acknowledged (or the message was dropped). */
    boolean fullyAcked() {
        return released || complete;
    }

    boolean isAcked(int offset, int len) {
        if (released || complete) {
            return true;
        }
        return len > 0 && acked != null && acked.containsAll(offset, offset + len - 1);
    }

    /** Records an acknowledged fragment; returns true when the whole message is now acknowledged. */
    boolean onAcked(int offset, int len) {
        if (released || complete) {
            return false;
        }
        if (offset == 0 && len == length) {
            complete = true;
            return true;
        }
        if (acked == null) {
            acked = new RangeSet(Integer.MAX_VALUE, false);
        }
        ackedBytes += acked.add(offset, offset + len - 1);
        complete = ackedBytes >= length;
        return complete;
    }

    void release() {
        if (!released) {
            released = true;
            data.release();
        }
    }

    boolean released() {
        return released;
    }
}
