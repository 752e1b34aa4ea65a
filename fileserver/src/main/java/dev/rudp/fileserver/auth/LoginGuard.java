package dev.rudp.fileserver.auth;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Lockout and rate limiting of logins, with a clock passed in (nanoseconds) so tests control
 * time. Consecutive failures are counted per (account, source address); at {@code maxFailures}
 * the pair is locked for {@code lockNanos}; a success resets the count. Independently each
 * account accepts at most {@code perAccountPerMinute} attempts in any sliding minute from all
 * addresses together, which slows guessing spread over many addresses. A successful login was not a
 * guess and gives its place in that minute back, so a script that runs one batch command per file
 * is never slowed by its own logins. Thread-safe.
 */
public final class LoginGuard {
    /** What a login attempt may do. */
    public sealed interface Verdict permits Allowed, Locked, Limited {
    }

    /** The attempt may check the password. */
    public record Allowed() implements Verdict {
    }

    /** The pair is locked for {@code remainingNanos} more. */
    public record Locked(long remainingNanos) implements Verdict {
    }

    /** The account's rate limit is reached; retry in {@code retryNanos}. */
    public record Limited(long retryNanos) implements Verdict {
    }

    private static final long MINUTE = 60_000_000_000L;

    private final int maxFailures;
    private final long lockNanos;
    private final int perAccountPerMinute;
    private final LongSupplier clock;
    private final Map<String, int[]> failures = new HashMap<>();
    private final Map<String, Long> lockedUntil = new HashMap<>();
    private final Map<String, ArrayDeque<Long>> attempts = new HashMap<>();

    public LoginGuard(int maxFailures, long lockNanos, int perAccountPerMinute, LongSupplier clock) {
        this.maxFailures = maxFailures;
        this.lockNanos = lockNanos;
        this.perAccountPerMinute = perAccountPerMinute;
        this.clock = clock;
    }

    /** The lock duration. */
    public long lockNanos() {
        return lockNanos;
    }

    /** Most tracked keys per table before stale entries are dropped (bounds memory under guessing floods). */
    static final int MAX_TRACKED = 100_000;

    /** Checks (and counts) an attempt by {@code user} from {@code address}. */
    public synchronized Verdict check(String user, String address) {
        long now = clock.getAsLong();
        prune(now);
        String key = user + "\n" + address;
        Long until = lockedUntil.get(key);
        if (until != null) {
            if (until - now > 0) {
                return new Locked(until - now);
            }
            lockedUntil.remove(key);
        }
        ArrayDeque<Long> window = attempts.computeIfAbsent(user, k -> new ArrayDeque<>());
        while (!window.isEmpty() && now - window.peekFirst() >= MINUTE) {
            window.pollFirst();
        }
        if (window.size() >= perAccountPerMinute) {
            return new Limited(MINUTE - (now - window.peekFirst()));
        }
        window.addLast(now);
        return new Allowed();
    }

    private void prune(long now) {
        if (lockedUntil.size() > MAX_TRACKED) {
            lockedUntil.values().removeIf(until -> until - now <= 0);
        }
        if (attempts.size() > MAX_TRACKED) {
            attempts.values().removeIf(w -> w.isEmpty() || now - w.peekLast() >= MINUTE);
        }
        if (failures.size() > MAX_TRACKED) {
            failures.clear(); // counts of unfinished guessing series; locks already taken stay
        }
    }

    /**
     * Records a failed attempt; returns the lock duration when this failure locked the pair, else 0.
     */
    public synchronized long failure(String user, String address) {
        String key = user + "\n" + address;
        int[] n = failures.computeIfAbsent(key, k -> new int[1]);
        n[0]++;
        if (n[0] >= maxFailures) {
            failures.remove(key);
            lockedUntil.put(key, clock.getAsLong() + lockNanos);
            return lockNanos;
        }
        return 0;
    }

    /**
     * Records a success: the pair's failure count starts again, and the attempt leaves the account's
     * rate window (the window stays ordered: which of its entries goes does not change the count).
     */
    public synchronized void success(String user, String address) {
        String key = user + "\n" + address;
        failures.remove(key);
        lockedUntil.remove(key);
        ArrayDeque<Long> window = attempts.get(user);
        if (window != null) {
            window.pollLast();
        }
    }
}
