package dev.rudp.fileserver.shared;

import dev.rudp.fileserver.auth.LoginGuard;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * {@link LoginLimits} in Redis, the same rules as {@link LoginGuard} counted across every server:
 * keys {@code login:fail:USER@ADDR} (consecutive failures, forgotten after {@link #REMEMBER_MILLIS}),
 * {@code login:lock:USER@ADDR} (expires with the lock) and {@code login:rate:USER} (a sorted set of
 * the minute's attempts). No password, hash or key is stored. When Redis fails, this server's own
 * {@link LoginGuard} decides (counting only what this server saw during the outage).
 */
final class RedisLogins implements LoginLimits {
    /** How long unfinished series of failures are remembered: an hour. */
    static final long REMEMBER_MILLIS = 3_600_000L;
    private static final long MINUTE_MILLIS = 60_000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RedisSharedState redis;
    private final LoginGuard local;
    private final int maxFailures;
    private final long lockNanos;
    private final long lockMillis;
    private final int perAccountPerMinute;

    RedisLogins(RedisSharedState redis, int maxFailures, long lockNanos, int perAccountPerMinute, LongSupplier clock) {
        this.redis = redis;
        this.local = new LoginGuard(maxFailures, lockNanos, perAccountPerMinute, clock);
        this.maxFailures = maxFailures;
        this.lockNanos = lockNanos;
        this.lockMillis = Math.max(1, lockNanos / 1_000_000L);
        this.perAccountPerMinute = perAccountPerMinute;
    }

    private String pair(String kind, String user, String address) {
        return redis.key("login:" + kind + ":" + RedisSharedState.name(user) + "@" + address);
    }

    private String rate(String user) {
        return redis.key("login:rate:" + RedisSharedState.name(user));
    }

    @Override
    public LoginGuard.Verdict check(String user, String address) {
        byte[] nonce = new byte[9];
        RANDOM.nextBytes(nonce);
        try {
            List<Object> r = redis.eval(Scripts.LOGIN_CHECK, ScriptOutputType.MULTI,
                    new String[] {pair("lock", user, address), rate(user)}, Integer.toString(perAccountPerMinute),
                    Long.toString(MINUTE_MILLIS), Base64.getEncoder().encodeToString(nonce));
            long kind = (Long) r.get(0);
            long millis = (Long) r.get(1);
            if (kind == 1) {
                return new LoginGuard.Locked(millis * 1_000_000L);
            }
            if (kind == 2) {
                return new LoginGuard.Limited(Math.max(1, millis) * 1_000_000L);
            }
            return new LoginGuard.Allowed();
        } catch (RedisException e) {
            return local.check(user, address);
        }
    }

    @Override
    public long failure(String user, String address) {
        try {
            Long locked = redis.eval(Scripts.LOGIN_FAILURE, ScriptOutputType.INTEGER,
                    new String[] {pair("fail", user, address), pair("lock", user, address)},
                    Integer.toString(maxFailures), Long.toString(lockMillis), Long.toString(REMEMBER_MILLIS));
            return locked > 0 ? lockNanos : 0;
        } catch (RedisException e) {
            return local.failure(user, address);
        }
    }

    @Override
    public void success(String user, String address) {
        local.success(user, address);
        try {
            redis.eval(Scripts.LOGIN_SUCCESS, ScriptOutputType.INTEGER, new String[] {pair("fail", user, address),
                pair("lock", user, address), rate(user)});
        } catch (RedisException e) {
            // counted locally during the outage; nothing more to undo
        }
    }
}
