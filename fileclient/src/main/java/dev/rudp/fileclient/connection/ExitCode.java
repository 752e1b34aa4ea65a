package dev.rudp.fileclient.connection;

import dev.rudp.fileserver.protocol.Status;

/**
 * Exit statuses of {@code fileclient}, in the spirit of rsync's table: each failure class has its
 * own documented number.
 */
public enum ExitCode {
    /** Every command succeeded. */
    OK(0),
    /** Bad command line or command syntax. */
    USAGE(1),
    /** The peer broke the protocol (malformed frame, unsupported version). */
    PROTOCOL(2),
    /** A file or folder named by a command does not exist (local or remote). */
    NOT_FOUND(3),
    /** The server refused a command (path refused, permission, quota, exists, not empty...). */
    REMOTE_ERROR(4),
    /** Could not connect (no answer, refused, too many sessions, shutting down). */
    CONNECT(5),
    /** Login failed (bad user name or password, or rate limited). */
    AUTH(6),
    /** The account is locked for this address after too many failed logins. */
    LOCKED(7),
    /**
     * The server's identity is not trusted: unknown and not confirmed (batch mode without
     * {@code --trust-new}/{@code --fingerprint}, or the user answered no), changed since it was pinned
     * in known_hosts, or not the {@code --fingerprint} given.
     */
    UNTRUSTED(8),
    /** The connection was lost in the middle of the session. */
    CONNECTION_LOST(10),
    /** A local file could not be read or written. */
    LOCAL_IO(11),
    /** Interrupted (Ctrl-C or SIGINT). */
    INTERRUPTED(20),
    /** A transfer did not complete: checksum mismatch or failure part way (resume with reget/reput). */
    PARTIAL(23),
    /** No answer or no progress within the timeout. */
    TIMEOUT(30);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }

    /** The exit code for a server status. */
    public static ExitCode of(Status s) {
        return switch (s) {
            case OK -> OK;
            case NOT_FOUND -> NOT_FOUND;
            case AUTH_FAILED, RATE_LIMITED, NOT_LOGGED_IN, KEY_NOT_ACCEPTED -> AUTH;
            case LOCKED -> LOCKED;
            case CHECKSUM_MISMATCH -> PARTIAL;
            case CANCELLED -> INTERRUPTED;
            case UNSUPPORTED_VERSION -> PROTOCOL;
            case TOO_MANY_SESSIONS, SHUTTING_DOWN -> CONNECT;
            default -> REMOTE_ERROR;
        };
    }
}
