package dev.rudp.fileserver.protocol;

/** Reply status codes with their 16-bit wire codes and a default human message. */
public enum Status {
    OK(0, "ok"),
    BAD_REQUEST(1, "malformed request"),
    UNSUPPORTED_VERSION(2, "unsupported protocol version"),
    AUTH_FAILED(3, "login failed: bad user name or password"),
    LOCKED(4, "account locked after too many failed logins"),
    RATE_LIMITED(5, "too many login attempts for this account"),
    NOT_LOGGED_IN(6, "not logged in"),
    NOT_FOUND(7, "no such file"),
    EXISTS(8, "file exists"),
    NOT_DIRECTORY(9, "not a folder"),
    IS_DIRECTORY(10, "is a folder"),
    NOT_EMPTY(11, "folder not empty"),
    PATH_REFUSED(12, "path refused"),
    PERMISSION_DENIED(13, "permission denied"),
    QUOTA_EXCEEDED(14, "quota exceeded"),
    FILE_TOO_LARGE(15, "file too large"),
    TOO_MANY_SESSIONS(16, "too many sessions"),
    CHECKSUM_MISMATCH(17, "checksum mismatch"),
    CANCELLED(18, "cancelled"),
    IO_ERROR(19, "I/O error"),
    SHUTTING_DOWN(20, "server shutting down"),
    INTERNAL(21, "internal server error"),
    PEER_OFFLINE(22, "peer offline"),
    TICKET_REFUSED(23, "ticket refused"),
    DECLINED(24, "declined"),
    KEY_NOT_ACCEPTED(25, "public key not accepted"),
    /**
     * Sent only in a {@link Reply#moveNotice server notice}: the server is draining; finish the running
     * transfer if you can, then reconnect (to the same address: another server takes over).
     */
    MOVE(26, "server draining: reconnect"),
    /**
     * An interim reply to a LOGIN that asked for them ({@link Op#LOGIN}'s {@link Request#LOGIN_ACCEPTS_QUEUED}):
     * the login waits behind others for the password check; nums [logins ahead]. The final reply follows
     * with the same id. Never sent to a client that did not ask.
     */
    QUEUED(27, "server busy, login queued");

    private final int code;
    private final String text;

    Status(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The wire code. */
    public int code() {
        return code;
    }

    /** A short default message for replies that carry none. */
    public String text() {
        return text;
    }

    /** The status for a wire code; unknown codes map to {@link #INTERNAL}. */
    public static Status of(int code) {
        for (Status s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return INTERNAL;
    }
}
