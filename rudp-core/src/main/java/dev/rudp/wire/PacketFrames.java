package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/**
 * A received packet's frames, read in two passes: {@link #wellFormed} walks them all without acting
 * on them, so that a malformed packet changes nothing, and the caller then reads them again to act.
 * The frame the second pass wants most, a data packet's only message frame or an acknowledgement's
 * only ACK, was decoded by the first and is handed back without decoding it twice (frames parsed
 * twice were 7.7% of a client's event loop at 1,400-byte packets).
 *
 * <p>Not thread-safe: one per connection. The frames it returns are reused flyweights.
 */
public final class PacketFrames {
    private final AckFrame ack = new AckFrame();
    private final MessageFrame message = new MessageFrame();
    /** An ACK_FREQUENCY frame's {@code [sequence, threshold]}. */
    private final long[] ackFrequency = new long[2];
    /** Reader index just past the packet's only ACK frame, which {@link #ack} holds; -1 otherwise. */
    private int soleAckEnd = -1;
    /** As {@link #soleAckEnd}, for the only message frame and {@link #message}. */
    private int soleMessageEnd = -1;

    /**
     * The first pass: false if there are no frames, or any is malformed or of an unknown type. The cursor
     * ends somewhere in the frames: put it back where they start for the second pass, which must come
     * before the next packet's first.
     */
    public boolean wellFormed(WireReader in) {
        soleAckEnd = -1;
        soleMessageEnd = -1;
        if (!in.isReadable()) {
            return false;
        }
        int acks = 0;
        int messages = 0;
        while (in.isReadable()) {
            FrameType type = FrameType.of(in.readUnsignedByte());
            if (type == null) {
                return false;
            }
            boolean ok = switch (type) {
                case PADDING, PING -> true;
                case ACK -> ack.decode(in);
                case MESSAGE_ORDERED, MESSAGE_UNORDERED -> message.decode(in, type == FrameType.MESSAGE_ORDERED);
                case MAX_DATA -> MaxDataFrame.decode(in) >= 0;
                case CLOSE -> CloseFrame.decode(in) != null;
                case ACK_FREQUENCY -> AckFrequencyFrame.decode(in, null);
                default -> false;
            };
            if (!ok) {
                return false;
            }
            if (type == FrameType.ACK) {
                soleAckEnd = ++acks == 1 ? in.position() : -1;
            } else if (type == FrameType.MESSAGE_ORDERED || type == FrameType.MESSAGE_UNORDERED) {
                soleMessageEnd = ++messages == 1 ? in.position() : -1;
            }
        }
        return true;
    }

    /** As {@link #wellFormed(WireReader)}, over {@code in}'s readable bytes; its reader index moves. */
    public boolean wellFormed(ByteBuf in) {
        return WireReader.readFrom(in, this::wellFormed);
    }

    /** The second pass's ACK frame at the cursor (after its type byte), which moves past it. */
    public AckFrame ack(WireReader frames) {
        if (soleAckEnd >= 0) {
            frames.position(soleAckEnd);
        } else {
            ack.decode(frames);
        }
        return ack;
    }

    /** As {@link #ack(WireReader)}, at {@code frames}' reader index. */
    public AckFrame ack(ByteBuf frames) {
        return WireReader.readFrom(frames, this::ack);
    }

    /**
     * The second pass's ACK_FREQUENCY frame ({@link AckFrequencyFrame#decode}'s {@code [sequence,
     * threshold]}, reused); rare enough, a frame per doubling of the sender's window, to decode twice.
     */
    public long[] ackFrequency(WireReader frames) {
        AckFrequencyFrame.decode(frames, ackFrequency);
        return ackFrequency;
    }

    /** As {@link #ack}, for a message frame of the mode its type byte named. */
    public MessageFrame message(WireReader frames, boolean ordered) {
        if (soleMessageEnd >= 0) {
            frames.position(soleMessageEnd);
        } else {
            message.decode(frames, ordered);
        }
        return message;
    }

    /** As {@link #message(WireReader, boolean)}, at {@code frames}' reader index. */
    public MessageFrame message(ByteBuf frames, boolean ordered) {
        return WireReader.readFrom(frames, r -> message(r, ordered));
    }
}
