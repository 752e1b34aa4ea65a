package dev.rudp.fileserver.protocol;

/** Request operations and their 16-bit wire codes. */
public enum Op {
    /**
     * args: user, password; nums: [flags ({@link Request#LOGIN_ACCEPTS_QUEUED}), reply timeout ms]. Reply lines ["~", role],
     * nums [per-account rate, total rate]; before it, when the client asked, interim {@link Status#QUEUED}
     * replies.
     */
    LOGIN(1),
    /** args: [path]. Reply entries. */
    LS(2),
    /** args: path. Reply: one entry. */
    STAT(3),
    /** args: [path]. Reply lines: the new working folder. */
    CD(4),
    /** Reply lines: the working folder. */
    PWD(5),
    /** args: path; nums: [parents(0/1)]. */
    MKDIR(6),
    /** args: from, to. */
    RENAME(7),
    /** args: path; nums: [recursive(0/1)]. */
    RM(8),
    /** args: from, to; nums: [recursive(0/1)]. */
    CP(9),
    /**
     * args: path; nums: [offset, flags]. Reply nums: [size], lines: [{@value #CRC32C}] when the final
     * reply will carry the file's CRC32C; then DATA frames; then a final reply, lines: [SHA-256, CRC32C if
     * announced]; the SHA-256 line is empty when the client said {@link #FLAG_NO_SHA256} and the server
     * knows only the file's CRC32C. Flags: {@link #FLAG_CRC32C} (a resumed download only when the
     * CRC32C is recorded), {@link #FLAG_NO_SHA256}.
     */
    GET(10),
    /**
     * args: path; nums: [size, resume(0/1), flags]. Reply nums: [start offset], lines: [{@value #CRC32C}]
     * when PUT_DONE is to carry the file's CRC32C instead of its SHA-256. Flags: {@link #FLAG_CRC32C},
     * {@link #FLAG_NO_SHA256}. Client then sends DATA and PUT_DONE.
     */
    PUT(11),
    /**
     * args: the file's SHA-256 hex (or its CRC32C hex when PUT's reply said so); nums: [transfer id (the
     * PUT request id)]. Reply lines: [the file's SHA-256, or an empty line when the CRC32C was the check,
     * the client said {@link #FLAG_NO_SHA256} and the storage left the SHA-256 for later].
     */
    PUT_DONE(12),
    /** args: path. Reply lines: sha256 hex. */
    CHECKSUM(13),
    /** Reply nums: [used, quota (-1 none), free on disk]. */
    DF(14),
    /** args: the command line. Reply lines: the output. */
    CMD(15),
    /** Admin only: stop the server gracefully. */
    SHUTDOWN(16),
    /** nums: [transfer id]: abort a running GET or PUT. */
    CANCEL(17),
    /**
     * Peer-to-peer: accept transfers from other users. args: host, certificate fingerprint; nums: [port]
     * (port 0 withdraws).
     */
    PEER_REGISTER(18),
    /** Peer-to-peer: reply lines: the users online who accept peer transfers. */
    PEERS(19),
    /**
     * Peer-to-peer: introduce me to a user. args: user. Reply lines: [host, fingerprint, ticket]; nums:
     * [port, ticket lifetime in ms].
     */
    PEER_TICKET(20),
    /** Peer-to-peer, by the receiver: check and use up a ticket. args: ticket. Reply lines: [sender]. */
    PEER_REDEEM(21),
    /**
     * Peer-to-peer link only, sender to receiver: present the ticket. args: ticket. Then PUT, DATA,
     * PUT_DONE and CANCEL as with a server.
     */
    PEER_HELLO(22),
    /**
     * Key login, step 1 (before login only): reply lines: [challenge] (32 fresh random bytes, base64),
     * valid for one KEY_LOGIN on this connection. See {@link KeyLogin}.
     */
    KEY_CHALLENGE(23),
    /**
     * Key login, step 2. args: user, public key ({@code ed25519 BASE64}), signature (base64 of 64 bytes
     * over {@link KeyLogin#signedData}). Reply as LOGIN; KEY_NOT_ACCEPTED when the key is not registered
     * for the user.
     */
    KEY_LOGIN(24),
    /**
     * Registers a public key with the logged-in account. args: key line. Reply lines: [fingerprint];
     * nums: [added(0/1)].
     */
    KEY_ADD(25),
    /** The logged-in account's public keys. Reply lines: the key lines. */
    KEY_LIST(26),
    /**
     * Removes one of the logged-in account's keys. args: fingerprint (SHA256:...) or key text. Reply
     * lines: [the removed key line].
     */
    KEY_REMOVE(27),
    /**
     * Key login carried by a resumed DTLS session (before login only): args: user, public key
     * ({@code ed25519 BASE64}). Accepted when this connection's DTLS session resumed one on which that
     * user logged in with that key (KEY_LOGIN), and the key is still registered; reply as LOGIN.
     * KEY_NOT_ACCEPTED otherwise: the client then logs in with KEY_LOGIN.
     */
    RESUME_LOGIN(28);

    /**
     * GET and PUT flag: the client can check the file by its CRC32C. A GET announces it when the file
     * has one recorded (or, reading the whole file, the server computes the SHA-256 anyway); a PUT when the
     * server's storage computes it beside the SHA-256. Otherwise the SHA-256 is the check, as for
     * clients that do not ask.
     */
    public static final int FLAG_CRC32C = 1;
    /**
     * GET and PUT flag, beside {@link #FLAG_CRC32C}: when the CRC32C is the transfer's check, the client
     * needs no SHA-256. An upload may then skip it (a third of the server's CPU per uploaded byte), and
     * a download of a file whose upload skipped it sends none. The SHA-256 is computed when first asked
     * for ({@link #CHECKSUM}, or a download by a client that needs it) and recorded then. Servers that
     * do not know the flag ignore it and send the SHA-256 as before.
     */
    public static final int FLAG_NO_SHA256 = 2;
    /** The line of GET's and PUT's first reply that says the CRC32C is the transfer's check. */
    public static final String CRC32C = "crc32c";

    private final int code;

    Op(int code) {
        this.code = code;
    }

    /** The wire code. */
    public int code() {
        return code;
    }

    /** The operation for a wire code. */
    public static Op of(int code) throws ProtocolException {
        for (Op op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        throw ProtocolException.malformed("unknown operation " + code);
    }
}
