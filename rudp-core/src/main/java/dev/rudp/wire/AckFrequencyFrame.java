package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/**
 * How often the sender of this frame wants acknowledgements, after QUIC's ACK frequency extension
 * (draft-ietf-quic-ack-frequency): {@code type (0x07) | sequence (v) | threshold (v)}. The receiver
 * may hold its ACK until {@code threshold} ack-eliciting packets wait (still within its max ack delay,
 * and still at once for a packet out of order or one carrying PING); frames with a sequence number not
 * above the last one applied are stale and ignored. Only sent to a peer that announced
 * {@link TransportParameters#ACK_FREQUENCY}.
 */
public final class AckFrequencyFrame {
    /** The fewest packets a threshold may name: every second one, the default without the frame. */
    public static final int MIN_THRESHOLD = 2;
    /** The most packets a threshold may name; larger values are read as this. */
    public static final int MAX_THRESHOLD = 256;

    private AckFrequencyFrame() {
    }

    public static int size(long sequence, int threshold) {
        return 1 + Varint.size(sequence) + Varint.size(threshold);
    }

    public static void encode(ByteBuf out, long sequence, int threshold) {
        out.writeByte(FrameType.ACK_FREQUENCY.code());
        Varint.write(out, sequence);
        Varint.write(out, threshold);
    }

    /**
     * Decodes the body into {@code into} ({@code [sequence, threshold]}, the threshold clamped to
     * {@link #MIN_THRESHOLD}..{@link #MAX_THRESHOLD}), or only checks it when {@code into} is null;
     * false when truncated.
     */
    public static boolean decode(ByteBuf in, long[] into) {
        return WireReader.readFrom(in, r -> decode(r, into));
    }

    /** As {@link #decode(ByteBuf, long[])}, at the cursor. */
    public static boolean decode(WireReader in, long[] into) {
        long sequence = Varint.read(in);
        if (sequence < 0) {
            return false;
        }
        long threshold = Varint.read(in);
        if (threshold < 0) {
            return false;
        }
        if (into == null) {
            return true;
        }
        into[0] = sequence;
        into[1] = Math.max(MIN_THRESHOLD, Math.min(MAX_THRESHOLD, threshold));
        return true;
    }
}
