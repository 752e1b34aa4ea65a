package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/**
 * Limits each side announces in the handshake:
 *
 * <pre>
 * idle timeout ms (u32) | max datagram size (u16) | initial max data (v) | max message size (v)
 * </pre>
 *
 * @param idleTimeoutMillis the sender closes a connection silent for this long
 * @param maxDatagramSize largest datagram the sender accepts
 * @param initialMaxData flow-control credit the sender grants before its first MAX_DATA
 * @param maxMessageSize largest message the sender accepts
 */
public record TransportParameters(int idleTimeoutMillis, int maxDatagramSize, long initialMaxData,
        long maxMessageSize) {

    public TransportParameters {
        if (idleTimeoutMillis < 0 || maxDatagramSize < 0 || maxDatagramSize > 0xFFFF || initialMaxData < 0
                || initialMaxData > Varint.MAX || maxMessageSize < 0 || maxMessageSize > Varint.MAX) {
            throw new IllegalArgumentException("transport parameters out of range: idle " + idleTimeoutMillis
                    + ", datagram " + maxDatagramSize + ", max data " + initialMaxData + ", message " + maxMessageSize);
        }
    }

    public int size() {
        return 4 + 2 + Varint.size(initialMaxData) + Varint.size(maxMessageSize);
    }

    public void encode(ByteBuf out) {
        out.writeInt(idleTimeoutMillis);
        out.writeShort(maxDatagramSize);
        Varint.write(out, initialMaxData);
        Varint.write(out, maxMessageSize);
    }

    /** Decodes parameters, or returns null when truncated or out of range. */
    public static TransportParameters decode(ByteBuf in) {
        if (in.readableBytes() < 6) {
            return null;
        }
        long idle = in.readUnsignedInt();
        int datagram = in.readUnsignedShort();
        long maxData = Varint.read(in);
        long maxMessage = Varint.read(in);
        if (maxData < 0 || maxMessage < 0 || idle > Integer.MAX_VALUE || datagram < Handshake.MIN_DATAGRAM_SIZE) {
            return null;
        }
        return new TransportParameters((int) idle, datagram, maxData, maxMessage);
    }
}
