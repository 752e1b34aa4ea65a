package dev.rudp.wire;

/** Packet types, the second byte of every datagram. */
public enum PacketType {
    /** Client to server: opens a connection, carrying the cookie once it has one. Padded. */
    INITIAL(0x01),
    /** Server to client: a stateless cookie the client must echo in its next INITIAL. */
    RETRY(0x02),
    /** Server to client: the connection exists; gives the server's connection ID. */
    ACCEPT(0x03),
    /** Either way: a numbered packet of frames on an established connection. */
    DATA(0x04),
    /** Server to client: no such connection here; proven by a token from ACCEPT. */
    RESET(0x05);

    private static final PacketType[] BY_CODE = new PacketType[8];

    static {
        for (PacketType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    PacketType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for {@code code}, or {@code null} if unknown. */
    public static PacketType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
