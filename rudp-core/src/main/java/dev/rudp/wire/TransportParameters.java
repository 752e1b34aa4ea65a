package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/**
 * Limits each side announces in the handshake:
 *
 * <pre>
 * idle timeout ms (u32) | max datagram size (u16) | initial max data (v) | max message size (v) | flags (v)
 * </pre>
 *
 * The flags came later: a peer that does not send them sends nothing there (ACCEPT) or the INITIAL's zero
 * padding, both read as no flags, and a peer that does not know them ignores them for the same reason.
 *
 * @param idleTimeoutMillis the sender closes a connection silent for this long
 * @param maxDatagramSize largest datagram the sender accepts
 * @param initialMaxData flow-control credit the sender grants before its first MAX_DATA
 * @param maxMessageSize largest message the sender accepts
 * @param flags capabilities of the sender ({@link #WHOLE_DATAGRAMS}, {@link #ACK_FREQUENCY})
 */
public record TransportParameters(int idleTimeoutMillis, int maxDatagramSize, long initialMaxData,
        long maxMessageSize, long flags) {
    /**
     * Under DTLS, the sender reads the application records of one datagram as one packet, so a packet may
     * be larger than one record (several records in one datagram).
     */
    public static final long WHOLE_DATAGRAMS = 1;
    /**
     * The sender applies {@link AckFrequencyFrame}s: its peer may ask it to acknowledge fewer packets
     * (and must not send the frame otherwise: a receiver without it drops the packet as malformed).
     */
    public static final long ACK_FREQUENCY = 2;

    /** Parameters without flags. */
    public TransportParameters(int idleTimeoutMillis, int maxDatagramSize, long initialMaxData, long maxMessageSize) {
        this(idleTimeoutMillis, maxDatagramSize, initialMaxData, maxMessageSize, 0);
    }

    public TransportParameters {
        if (idleTimeoutMillis < 0 || maxDatagramSize < 0 || maxDatagramSize > 0xFFFF || initialMaxData < 0
                || initialMaxData > Varint.MAX || maxMessageSize < 0 || maxMessageSize > Varint.MAX
                || flags < 0 || flags > Varint.MAX) {
            throw new IllegalArgumentException("transport parameters out of range: idle " + idleTimeoutMillis
                    + ", datagram " + maxDatagramSize + ", max data " + initialMaxData + ", message " + maxMessageSize);
        }
    }

    public int size() {
        return 4 + 2 + Varint.size(initialMaxData) + Varint.size(maxMessageSize) + Varint.size(flags);
    }

    /** Whether the sender announced {@link #WHOLE_DATAGRAMS}. */
    public boolean wholeDatagrams() {
        return (flags & WHOLE_DATAGRAMS) != 0;
    }

    /** Whether the sender announced {@link #ACK_FREQUENCY}. */
    public boolean ackFrequency() {
        return (flags & ACK_FREQUENCY) != 0;
    }

    public void encode(ByteBuf out) {
        out.writeInt(idleTimeoutMillis);
        out.writeShort(maxDatagramSize);
        Varint.write(out, initialMaxData);
        Varint.write(out, maxMessageSize);
        Varint.write(out, flags);
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
        // Absent (an older peer's ACCEPT) or unreadable: no flags.
        long flags = in.isReadable() ? Math.max(0, Varint.read(in)) : 0;
        return new TransportParameters((int) idle, datagram, maxData, maxMessage, flags);
    }
}
