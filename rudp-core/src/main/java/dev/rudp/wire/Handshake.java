package dev.rudp.wire;

import io.netty.buffer.ByteBuf;

/**
 * Bodies of the handshake packets (after {@link PacketHeader}):
 *
 * <pre>
 * INITIAL  (dcid = client's id) | token length (u8) | token | parameters | zero padding to 1200 bytes
 * RETRY    (dcid = client's id) | token length (u8) | token
 * ACCEPT   (dcid = client's id) | server id (u64) | reset token (16 bytes) | parameters
 * RESET    (dcid = unknown id)  | reset token (16 bytes)
 * </pre>
 *
 * INITIAL is padded so that a server's reply is never larger than the request: a spoofed source
 * address gains an attacker nothing.
 */
public final class Handshake {
    /** Smallest datagram an INITIAL may be, and the floor for every path. */
    public static final int MIN_DATAGRAM_SIZE = 1200;
    /** Bytes of a stateless reset token. */
    public static final int RESET_TOKEN_SIZE = 16;
    /** Longest retry token accepted. */
    public static final int MAX_TOKEN_SIZE = 64;

    private Handshake() {
    }

    /** Writes an INITIAL body; {@code padTo} is the size the whole datagram must reach, trailer excluded. */
    public static void encodeInitial(ByteBuf out, byte[] token, TransportParameters params, int padTo) {
        checkToken(token);
        out.writeByte(token.length);
        out.writeBytes(token);
        params.encode(out);
        if (out.readableBytes() < padTo) {
            out.writeZero(padTo - out.readableBytes());
        }
    }

    public static void encodeRetry(ByteBuf out, byte[] token) {
        checkToken(token);
        out.writeByte(token.length);
        out.writeBytes(token);
    }

    public static void encodeAccept(ByteBuf out, long serverId, byte[] resetToken, TransportParameters params) {
        out.writeLong(serverId);
        out.writeBytes(resetToken, 0, RESET_TOKEN_SIZE);
        params.encode(out);
    }

    private static void checkToken(byte[] token) {
        if (token.length > MAX_TOKEN_SIZE) {
            throw new IllegalArgumentException("token of " + token.length + " bytes; at most " + MAX_TOKEN_SIZE);
        }
    }

    /** Reads a length-prefixed token, or null when truncated or too long. */
    public static byte[] decodeToken(ByteBuf in) {
        if (!in.isReadable()) {
            return null;
        }
        int n = in.readUnsignedByte();
        if (n > MAX_TOKEN_SIZE || in.readableBytes() < n) {
            return null;
        }
        byte[] token = new byte[n];
        in.readBytes(token);
        return token;
    }

    /** Reads a reset token, or null when truncated. */
    public static byte[] decodeResetToken(ByteBuf in) {
        if (in.readableBytes() < RESET_TOKEN_SIZE) {
            return null;
        }
        byte[] token = new byte[RESET_TOKEN_SIZE];
        in.readBytes(token);
        return token;
    }
}
