package dev.rudp.fileserver.shared;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link PeerStore} in Redis. Keys: {@code peers} (a sorted set of users with a live endpoint, scored by
 * expiry), {@code peers:USER} (that user's endpoints as members {@code session \n host \n port \n
 * fingerprint}, scored by expiry; this server refreshes its own, so a dead server's vanish within
 * {@link #TTL_MILLIS}) and {@code ticket:SHA256} (a ticket's sender, receiver, session, expiry and
 * whether it was used, under the SHA-256 of the ticket: tickets are bearer secrets, so Redis never
 * holds one that would work if read). Redemption is one Lua script: check and mark in one atomic step.
 */
final class RedisPeerStore implements PeerStore {
    /** Endpoints live this long unless refreshed: three refresh periods. */
    static final long TTL_MILLIS = 3 * RedisSharedState.REFRESH.toMillis();

    private final RedisSharedState redis;
    /** This server's endpoints by session, refreshed in the background. */
    private final Map<String, Endpoint> mine = new ConcurrentHashMap<>();
    private final Set<CompletableFuture<Object>> leaving = ConcurrentHashMap.newKeySet();

    RedisPeerStore(RedisSharedState redis) {
        this.redis = redis;
    }

    private String userSet() {
        return redis.key("peers");
    }

    private String endpoints(String user) {
        return redis.key("peers:" + RedisSharedState.name(user));
    }

    private static String member(Endpoint e) {
        return e.session() + "\n" + e.host() + "\n" + e.port() + "\n" + e.fingerprint();
    }

    private static SharedStoreException unavailable(RedisException e) {
        return new SharedStoreException("the servers' shared store " + (e instanceof RedisCommandExecutionException
                ? "answered with an error" : "is unreachable") + " (" + RedisSharedState.reason(e) + ")", e);
    }

    @Override
    public void register(Endpoint e) throws SharedStoreException {
        Endpoint old = mine.put(e.session(), e);
        try {
            put(old, e);
        } catch (RedisException x) {
            throw unavailable(x); // kept in mine: the refresh writes it once the store is back
        }
    }

    private void put(Endpoint old, Endpoint e) {
        redis.eval(Scripts.PEER_REGISTER, ScriptOutputType.INTEGER, new String[] {endpoints(e.user()), userSet()},
                old == null || !old.user().equals(e.user()) ? "" : member(old), member(e), e.user(),
                Long.toString(TTL_MILLIS));
    }

    @Override
    public void leave(String session, String user) {
        Endpoint e = mine.remove(session);
        if (e == null) {
            return;
        }
        CompletableFuture<Object> f;
        try {
            f = redis.evalLater(Scripts.PEER_LEAVE, new String[] {endpoints(user), userSet()}, member(e), user);
        } catch (RedisException x) {
            return; // the endpoint expires within TTL_MILLIS
        }
        leaving.add(f);
        f.whenComplete((r, x) -> leaving.remove(f)); // a failure leaves it to expire
    }

    @Override
    public List<String> users() throws SharedStoreException {
        try {
            List<String> names = new ArrayList<>(redis.<List<String>>eval(Scripts.PEER_USERS, ScriptOutputType.MULTI,
                    new String[] {userSet()}));
            Collections.sort(names);
            return names;
        } catch (RedisException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Optional<Endpoint> find(String user) throws SharedStoreException {
        try {
            List<String> found = redis.eval(Scripts.PEER_FIND, ScriptOutputType.MULTI,
                    new String[] {endpoints(user)});
            if (found.isEmpty()) {
                return Optional.empty();
            }
            String[] f = found.get(0).split("\n", 4);
            return Optional.of(new Endpoint(f[0], user, f[1], Integer.parseInt(f[2]), f[3]));
        } catch (RedisException e) {
            throw unavailable(e);
        }
    }

    private String ticket(String t) {
        return redis.key("ticket:" + HexFormat.of().formatHex(RedisSharedState.sha256(t)));
    }

    @Override
    public void issue(String ticket, String sender, Endpoint to, long lifetimeNanos) throws SharedStoreException {
        try {
            redis.eval(Scripts.TICKET_ISSUE, ScriptOutputType.INTEGER, new String[] {ticket(ticket)}, sender,
                    to.user(), to.session(), Long.toString(lifetimeNanos / 1_000_000L));
        } catch (RedisException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Redemption redeem(String ticket, String receiver, String session) throws SharedStoreException {
        try {
            List<Object> r = redis.eval(Scripts.TICKET_REDEEM, ScriptOutputType.MULTI, new String[] {ticket(ticket)},
                    receiver, session);
            long code = (Long) r.get(0);
            return switch ((int) code) {
                case 0 -> new Redemption(Outcome.REDEEMED, (String) r.get(1), 0);
                case 2 -> new Redemption(Outcome.USED, null, 0);
                case 3 -> new Redemption(Outcome.EXPIRED, null, (Long) r.get(1) * 1_000_000L);
                case 4 -> new Redemption(Outcome.OTHER_SESSION, null, 0);
                default -> new Redemption(Outcome.UNKNOWN, null, 0);
            };
        } catch (RedisException e) {
            throw unavailable(e);
        }
    }

    /** Writes this server's endpoints again; false when it has none. Throws when the store fails. */
    boolean refresh() {
        if (mine.isEmpty()) {
            return false;
        }
        for (Endpoint e : mine.values()) {
            put(null, e);
        }
        return true;
    }

    /** Withdraws this server's endpoints (bounded wait) before the connection closes. */
    void close() {
        for (Endpoint e : List.copyOf(mine.values())) {
            leave(e.session(), e.user());
        }
        try {
            CompletableFuture.allOf(leaving.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the endpoints expire on their own
        }
    }
}
