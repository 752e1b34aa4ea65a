package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/**
 * ACK frame, laid out as in RFC 9000 section 19.3 (without ECN counts):
 *
 * <pre>
 * type (0x02) | largest acked (v) | ack delay us (v) | range count (v) | first range (v)
 *             | { gap (v) | range length (v) } x range count
 * </pre>
 *
 * Ranges are held high to low as inclusive [low, high] pairs. A decoded instance is a reusable
 * flyweight: {@link #decode} overwrites it, so the hot path allocates nothing.
 */
public final class AckFrame {
    /** Most ranges a frame may carry; a frame announcing more is malformed. */
    public static final int MAX_RANGES = 256;

    private final long[] lows = new long[MAX_RANGES];
    private final long[] highs = new long[MAX_RANGES];
    private int count;
    private long ackDelayMicros;

    /** Number of ranges (at least one in a valid frame). */
    public int rangeCount() {
        return count;
    }

    /** Lowest packet number of range {@code i}; range 0 is the highest. */
    public long low(int i) {
        return lows[i];
    }

    /** Highest packet number of range {@code i}. */
    public long high(int i) {
        return highs[i];
    }

    /** Largest acknowledged packet number. */
    public long largestAcked() {
        return highs[0];
    }

    /** How long the receiver held the acknowledgement back, in microseconds. */
    public long ackDelayMicros() {
        return ackDelayMicros;
    }

    /** Clears the frame and sets its ack delay, ready for {@link #addRange} calls high to low. */
    public AckFrame reset(long ackDelayMicros) {
        this.count = 0;
        this.ackDelayMicros = ackDelayMicros;
        return this;
    }

    /**
     * Appends a range below the previous one; returns false (and adds nothing) when the frame is
     * full or the range would not leave a gap of at least one packet.
     */
    public boolean addRange(long low, long high) {
        if (count == MAX_RANGES || low > high || low < 0 || (count > 0 && high >= lows[count - 1] - 1)) {
            return false;
        }
        lows[count] = low;
        highs[count] = high;
        count++;
        return true;
    }

    /** Bytes {@link #encode} writes for the first {@code ranges} ranges of this frame. */
    public int encodedSize(int ranges) {
        int n = 1 + Varint.size(highs[0]) + Varint.size(ackDelayMicros) + Varint.size(ranges - 1)
                + Varint.size(highs[0] - lows[0]);
        for (int i = 1; i < ranges; i++) {
            n += Varint.size(lows[i - 1] - highs[i] - 2) + Varint.size(highs[i] - lows[i]);
        }
        return n;
    }

    /** Writes the type byte and the first {@code ranges} ranges. */
    public void encode(ByteBuf out, int ranges) {
        if (ranges < 1 || ranges > count) {
            throw new IllegalArgumentException("ranges " + ranges + " of " + count);
        }
        out.writeByte(FrameType.ACK.code());
        Varint.write(out, highs[0]);
        Varint.write(out, ackDelayMicros);
        Varint.write(out, ranges - 1);
        Varint.write(out, highs[0] - lows[0]);
        for (int i = 1; i < ranges; i++) {
            Varint.write(out, lows[i - 1] - highs[i] - 2);
            Varint.write(out, highs[i] - lows[i]);
        }
    }

    /**
     * Decodes the body of an ACK frame (after its type byte) into this flyweight. Returns false
     * for a truncated or inconsistent frame (ranges below zero, too many ranges).
     */
    public boolean decode(ByteBuf in) {
        return WireReader.readFrom(in, this::decode);
    }

    /** As {@link #decode(ByteBuf)}, at the cursor. */
    public boolean decode(WireReader in) {
        long largest = Varint.read(in);
        long delay = Varint.read(in);
        long extra = Varint.read(in);
        long first = Varint.read(in);
        if (first < 0 || extra < 0 || delay < 0 || largest < 0 || extra >= MAX_RANGES || first > largest) {
            return false;
        }
        ackDelayMicros = delay;
        count = 0;
        long high = largest;
        long low = largest - first;
        lows[0] = low;
        highs[0] = high;
        count = 1;
        for (int i = 0; i < extra; i++) {
            long gap = Varint.read(in);
            long len = Varint.read(in);
            if (gap < 0 || len < 0) {
                return false;
            }
            high = low - gap - 2;
            low = high - len;
            if (high < 0 || low < 0) {
                return false;
            }
            lows[count] = low;
            highs[count] = high;
            count++;
        }
        return true;
    }
}
