package dev.rudp.fileserver.shared;

/**
 * The Lua scripts the Redis store runs, in one place. Redis runs a script atomically, which is what
 * makes "at most N", "lock at the fifth failure" and "redeemed once" hold across servers. Times come
 * from Redis's own clock ({@code TIME}), so servers whose clocks differ still agree. Run by SHA-1
 * (EVALSHA), the text sent again whenever Redis answers NOSCRIPT (after a restart).
 */
final class Scripts {
    private Scripts() {
    }

    private static final String NOW = "local t = redis.call('TIME')\n"
            + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";

    /** KEYS lock, rate window; ARGV limit, window ms, member. Returns {0,0} allowed, {1,ms} locked, {2,ms} limited. */
    static final String LOGIN_CHECK = ""
            + "local ttl = redis.call('PTTL', KEYS[1])\n"
            + "if ttl > 0 then return {1, ttl} end\n"
            + NOW
            + "local window = tonumber(ARGV[2])\n"
            + "redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)\n"
            + "if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then\n"
            + "  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')\n"
            + "  return {2, window - (now - tonumber(first[2]))}\n"
            + "end\n"
            + "redis.call('ZADD', KEYS[2], now, ARGV[3])\n"
            + "redis.call('PEXPIRE', KEYS[2], window)\n"
            + "return {0, 0}\n";

    /** KEYS failures, lock; ARGV max failures, lock ms, how long failures are remembered ms. Returns lock ms or 0. */
    static final String LOGIN_FAILURE = ""
            + "local n = redis.call('INCR', KEYS[1])\n"
            + "if n >= tonumber(ARGV[1]) then\n"
            + "  redis.call('DEL', KEYS[1])\n"
            + "  redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])\n"
            + "  return tonumber(ARGV[2])\n"
            + "end\n"
            + "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
            + "return 0\n";

    /** KEYS failures, lock, rate window: the pair starts again and the newest attempt leaves the window. */
    static final String LOGIN_SUCCESS = ""
            + "redis.call('DEL', KEYS[1], KEYS[2])\n"
            + "redis.call('ZPOPMAX', KEYS[3])\n"
            + "return 0\n";

    /**
     * KEYS the user's endpoints, all users; ARGV old member ('' for none), member, user, ttl ms. Endpoints
     * are members scored by their expiry; a server refreshes its own before they expire.
     */
    static final String PEER_REGISTER = NOW
            + "local expiry = now + tonumber(ARGV[4])\n"
            + "if ARGV[1] ~= '' and ARGV[1] ~= ARGV[2] then redis.call('ZREM', KEYS[1], ARGV[1]) end\n"
            + "redis.call('ZADD', KEYS[1], expiry, ARGV[2])\n"
            + "redis.call('PEXPIRE', KEYS[1], ARGV[4])\n"
            + "redis.call('ZADD', KEYS[2], 'GT', expiry, ARGV[3])\n"
            + "return 0\n";

    /** KEYS the user's endpoints, all users; ARGV member, user. The user stays listed while another endpoint lives. */
    static final String PEER_LEAVE = NOW
            + "redis.call('ZREM', KEYS[1], ARGV[1])\n"
            + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
            + "local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')\n"
            + "if #last == 0 then redis.call('ZREM', KEYS[2], ARGV[2])\n"
            + "else redis.call('ZADD', KEYS[2], last[2], ARGV[2]) end\n"
            + "return 0\n";

    /** KEYS all users: the users with a live endpoint. */
    static final String PEER_USERS = NOW
            + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
            + "return redis.call('ZRANGE', KEYS[1], 0, -1)\n";

    /** KEYS the user's endpoints: the freshest live one, or none. */
    static final String PEER_FIND = NOW
            + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
            + "return redis.call('ZRANGE', KEYS[1], -1, -1)\n";

    /** KEYS ticket; ARGV sender, receiver, session, lifetime ms. Kept two lifetimes, to name replays and expiry. */
    static final String TICKET_ISSUE = NOW
            + "redis.call('HSET', KEYS[1], 'sender', ARGV[1], 'receiver', ARGV[2], 'session', ARGV[3],"
            + " 'expires', now + tonumber(ARGV[4]), 'used', '0')\n"
            + "redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[4]))\n"
            + "return 0\n";

    /**
     * KEYS ticket; ARGV receiver, session. Returns {0, sender} redeemed, {1} unknown, {2} used,
     * {3, ms ago} expired, {4} another session. The check and the mark are one atomic step.
     */
    static final String TICKET_REDEEM = ""
            + "local v = redis.call('HMGET', KEYS[1], 'sender', 'receiver', 'session', 'expires', 'used')\n"
            + "if not v[1] or v[2] ~= ARGV[1] then return {1} end\n"
            + "if v[5] == '1' then return {2} end\n"
            + NOW
            + "if now > tonumber(v[4]) then redis.call('DEL', KEYS[1]) return {3, now - tonumber(v[4])} end\n"
            + "if v[3] ~= ARGV[2] then return {4} end\n"
            + "redis.call('HSET', KEYS[1], 'used', '1')\n"
            + "return {0, v[1]}\n";
}
