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

    /** A request with string arguments and numbers. */
    public static Request of(long id, Op op, List<String> args, long... nums) {
        return new Request(id, op, args, nums);
    }
}
