package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/**
 * One fragment of an application message:
 *
 * <pre>
 * type (0x03 ordered | 0x04 unordered) | message id (v) | message length (v) | offset (v)
 *   | fragment length (v) | fragment bytes
 * </pre>
 *
 * Message ids count up from zero in each delivery mode. A decoded instance is a reusable
 * flyweight; {@link #data()} is a slice of the packet, valid until the packet is released.
 */
public final class MessageFrame {
    private boolean ordered;
    private long messageId;
    private long messageLength;
    private long offset;
    private ByteBuf data;

    /** Bytes the frame takes besides its data. */
    public static int overhead(long messageId, long messageLength, long offset, int dataLength) {
        return 1 + Varint.size(messageId) + Varint.size(messageLength) + Varint.size(offset)
                + Varint.size(dataLength);
    }

    /** Writes a fragment: {@code length} bytes of {@code message} from {@code offset}. */
    public static void encode(ByteBuf out, boolean ordered, long messageId, ByteBuf message, int offset,
            int length) {
        out.writeByte(ordered ? FrameType.MESSAGE_ORDERED.code() : FrameType.MESSAGE_UNORDERED.code());
        Varint.write(out, messageId);
        Varint.write(out, message.readableBytes());
        Varint.write(out, offset);
        Varint.write(out, length);
        ByteCopy.append(out, message, message.readerIndex() + offset, length);
    }

    /**
     * Decodes a fragment body (after its type byte). Returns false when truncated or when the
     * fragment does not lie inside the message.
     */
    public boolean decode(ByteBuf in, boolean ordered) {
        return WireReader.readFrom(in, r -> decode(r, ordered));
    }

    /** As {@link #decode(ByteBuf, boolean)}, at the cursor. */
    public boolean decode(WireReader in, boolean ordered) {
        long id = Varint.read(in);
        long len = Varint.read(in);
        long off = Varint.read(in);
        long n = Varint.read(in);
        if (id < 0 || len < 0 || off < 0 || n < 0 || n > in.readableBytes() || off + n > len
                || (n == 0 && len != 0)) {
            return false;
        }
        this.ordered = ordered;
        this.messageId = id;
        this.messageLength = len;
        this.offset = off;
        this.data = in.readSlice((int) n);
        return true;
    }

    public boolean ordered() {
        return ordered;
    }

    public long messageId() {
        return messageId;
    }

    public long messageLength() {
        return messageLength;
    }

    public long offset() {
        return offset;
    }

    /** The fragment's bytes: a slice of the packet, not retained. */
    public ByteBuf data() {
        return data;
    }
}
