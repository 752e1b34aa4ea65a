package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/** Checks of a whole packet's frames, beside the frames' own codecs. */
public final class PacketFrames {
    private PacketFrames() {
    }

    /**
     * Walks a packet's frames without acting on them: false if there are none, or any is malformed
     * or of an unknown type. {@code ack} and {@code message} are scratch frames to decode into (their
     * contents afterwards mean nothing); {@code in}'s reader index moves.
     */
    public static boolean wellFormed(ByteBuf in, AckFrame ack, MessageFrame message) {
        if (!in.isReadable()) {
            return false;
        }
        while (in.isReadable()) {
            FrameType type = FrameType.of(in.readUnsignedByte());
            if (type == null) {
                return false;
            }
            boolean ok = switch (type) {
                case PADDING, PING -> true;
                case ACK -> ack.decode(in);
                case MESSAGE_ORDERED, MESSAGE_UNORDERED -> message.decode(in, true);
                case MAX_DATA -> MaxDataFrame.decode(in) >= 0;
                case CLOSE -> CloseFrame.decode(in) != null;
                case ACK_FREQUENCY -> AckFrequencyFrame.decode(in, null);
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
