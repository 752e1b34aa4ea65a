package dev.rudp.fileserver.protocol;

import java.util.List;

/**
 * The server's answer to a request. Sent ordered.
 *
 * @param id the request id answered
 * @param status success or why not
 * @param message a one-line message for the user (empty on success)
 * @param lines text output (working folder, command output, checksums)
 * @param nums numbers (sizes, offsets)
 * @param entries directory entries (LS, STAT)
 */
public record Reply(long id, Status status, String message, List<String> lines, long[] nums,
        List<FileEntry> entries) implements Frame {

    public Reply {
        lines = List.copyOf(lines);
        nums = nums.clone();
        entries = List.copyOf(entries);
    }

    /**
     * The request id of server notices: replies to no request, sent when the server has something to
     * say on its own. Clients number their requests from 1, so a client that does not know notices
     * finds no request waiting for this id and ignores the reply (which is why a notice is a reply and
     * not a new frame type: older decoders refuse unknown types and close the connection).
     */
    public static final long NOTICE_ID = -1;

    /** Whether this reply is a server notice ({@link #NOTICE_ID}). */
    public boolean isNotice() {
        return id == NOTICE_ID;
    }

    /**
     * The notice a draining server sends to each client ({@link Status#MOVE}): the server lets running
     * transfers finish for {@code drainSeconds}, then closes; a client reconnects to the same address.
     */
    public static Reply moveNotice(long drainSeconds) {
        return new Reply(NOTICE_ID, Status.MOVE, "the server is stopping: reconnect (running transfers may finish"
                + " within " + drainSeconds + " s)", List.of(), new long[] {drainSeconds}, List.of());
    }

    /**
     * The notice before the server closes a session idle for {@code minutes} ({@link Status#MOVE}, so that
     * a client reconnects as from a draining server, on its next command).
     */
    public static Reply idleNotice(long minutes) {
        return new Reply(NOTICE_ID, Status.MOVE, "this session was idle for " + minutes + " min: the server"
                + " closed it; reconnect", List.of(), new long[] {0}, List.of());
    }

    /** Whether the request succeeded. */
    public boolean ok() {
        return status == Status.OK;
    }

    /** The number at {@code i}, or {@code dflt}. */
    public long num(int i, long dflt) {
        return i < nums.length ? nums[i] : dflt;
    }

    /** A success with optional text lines and numbers. */
    public static Reply ok(long id, List<String> lines, long... nums) {
        return new Reply(id, Status.OK, "", lines, nums, List.of());
    }

    /** A success carrying directory entries. */
    public static Reply entries(long id, List<FileEntry> entries) {
        return new Reply(id, Status.OK, "", List.of(), new long[0], entries);
    }

    /**
     * An interim reply to LOGIN {@code id}: the password check waits behind {@code ahead} others. The
     * final reply follows with the same id; see {@link Status#QUEUED}.
     */
    public static Reply queued(long id, long ahead) {
        return new Reply(id, Status.QUEUED, "server busy, waiting (" + ahead + " ahead)", List.of(),
                new long[] {ahead}, List.of());
    }

    /** Whether this is an interim {@link Status#QUEUED} reply (more replies to its id follow). */
    public boolean interim() {
        return status == Status.QUEUED;
    }

    /** A failure. */
    public static Reply error(long id, Status status, String message) {
        return new Reply(id, status, message == null ? status.text() : message, List.of(), new long[0], List.of());
    }

    /** The failure as an exception, for callers that throw. */
    public ProtocolException toException() {
        return ProtocolException.of(status, message);
    }
}
