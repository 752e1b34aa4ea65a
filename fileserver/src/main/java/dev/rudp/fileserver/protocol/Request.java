package dev.rudp.fileserver.protocol;

import java.util.List;

/**
 * A client request. Sent ordered.
 *
 * @param id the client's request id, echoed in the replies
 * @param op the operation
 * @param args string arguments (paths, names)
 * @param nums 64-bit numeric arguments (sizes, offsets, flags)
 */
public record Request(long id, Op op, List<String> args, long[] nums) implements Frame {
    /**
     * LOGIN nums[0] flag bit: the client understands interim {@link Status#QUEUED} replies to this
     * login. Servers send them only when it is set, so older clients never see one.
     */
    public static final long LOGIN_ACCEPTS_QUEUED = 1;

    public Request {
        args = List.copyOf(args);
        nums = nums.clone();
    }

    /** The string argument at {@code i}, or {@code dflt} when absent. */
    public String arg(int i, String dflt) {
        return i < args.size() ? args.get(i) : dflt;
    }

    /** The numeric argument at {@code i}, or {@code dflt} when absent. */
    public long num(int i, long dflt) {
        return i < nums.length ? nums[i] : dflt;
    }

    /**
     * A password LOGIN from a client that understands {@link Status#QUEUED} interim replies and waits
     * {@code replyTimeoutMillis} for each reply (the server sends them often enough): nums
     * [{@link #LOGIN_ACCEPTS_QUEUED}, reply timeout in ms].
     */
    public static Request login(long id, String user, String password, long replyTimeoutMillis) {
        return new Request(id, Op.LOGIN, List.of(user, password),
                new long[] {LOGIN_ACCEPTS_QUEUED, Math.max(0, replyTimeoutMillis)});
    }

    /** Whether this LOGIN asked for interim {@link Status#QUEUED} replies. */
    public boolean acceptsQueued() {
        return op == Op.LOGIN && (num(0, 0) & LOGIN_ACCEPTS_QUEUED) != 0;
    }

    /** How long the client of this LOGIN waits for each reply, in ms; 0 when it did not say. */
    public long loginReplyTimeoutMillis() {
        return op == Op.LOGIN ? Math.max(0, num(1, 0)) : 0;
    }

    /** A request with string arguments and numbers. */
    public static Request of(long id, Op op, List<String> args, long... nums) {
        return new Request(id, op, args, nums);
    }
}
