package dev.rudp.fileserver.shared;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The servers' shared state in Redis, through Lettuce. One connection per server (Lettuce pipelines
 * every thread's commands over it), on event loops of Lettuce's own (not the server's: the two must
 * not wait on each other). Commands wait at most {@link #COMMAND_TIMEOUT}; while the connection is
 * down they fail at once (no queueing), and Lettuce reconnects in the background with a backoff of
 * 0.1 s doubling up to 2 s. Every key starts with {@code rudp:PREFIX:} and expires.
 *
 * <p>When Redis cannot be reached, logins use this server's own lockout ({@link RedisLogins}), P2P
 * operations fail with a reason ({@link RedisPeerStore}); the outage is logged once as
 * {@code shared-store-down} and its end as {@code shared-store-back}. A background task refreshes
 * this server's P2P endpoints every {@link #REFRESH} (so a restarted, empty Redis learns them again
 * and a dead server's endpoints expire) and so notices the store's return without any login.
 */
public final class RedisSharedState implements SharedState {
    /** Longest wait for one command. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Longest wait for the first connection at start (TCP, HELLO, AUTH): longer than a command's, as a
     * cold JVM on a busy machine loads Lettuce's classes meanwhile (2 s was seen to run out).
     */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How often this server refreshes its endpoints (they expire after three times this). */
    static final Duration REFRESH = Duration.ofSeconds(5);

    /**
     * Lettuce's reconnection logger, held so its level stays set: it logs each failed attempt (about
     * two lines every 5 s of an outage) where {@link StoreHealth} already logs the outage once. Only
     * effective when Netty logs through JUL, as here without an SLF4J binding.
     */
    private static final java.util.logging.Logger WATCHDOG_LOG =
            java.util.logging.Logger.getLogger("io.lettuce.core.protocol.ConnectionWatchdog");

    private final SharedStoreSettings settings;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> sync;
    private final StoreHealth health;
    private final ScheduledExecutorService refresher;
    private volatile RedisPeerStore peers;
    /** Set by {@link #close}: the connection's loss from then on is ours, not an outage. */
    private volatile boolean closing;
    /** Each script's SHA-1 (hex), computed here once. */
    private final Map<String, String> digests = new ConcurrentHashMap<>();

    private RedisSharedState(SharedStoreSettings settings, ClientResources resources, RedisClient client,
                             StatefulRedisConnection<String, String> connection) {
        this.settings = settings;
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.sync = connection.sync();
        this.health = new StoreHealth(settings.toString());
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fileserver-shared-refresh");
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleWithFixedDelay(this::refresh, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        // A server that sends no command during a short outage would otherwise never notice it (and
        // never say its store is back); the connection's own loss and return tell every server.
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                if (!closing) {
                    health.failed(new RedisConnectionException("connection lost"));
                }
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress remote) {
                try {
                    refresher.execute(RedisSharedState.this::refresh);
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    // closing
                }
            }
        });
    }

    /** What Lettuce's handshake reports when the connection closed before it finished. */
    private static final String PREMATURE_CLOSE = "Connection closed prematurely";

    /**
     * Connects and checks that Redis answers PING. A connection closed during the handshake is tried
     * once more: Lettuce's handshake closes the channel before it reports a refused password, and the
     * close it caused can overtake the answer (a wrong password then read "Connection closed
     * prematurely", seen once in a full test run under load).
     */
    static RedisSharedState connect(SharedStoreSettings settings) throws SharedStoreException {
        try {
            return connectOnce(settings);
        } catch (SharedStoreException e) {
            if (!closedDuringHandshake(e.getCause())) {
                throw e;
            }
            return connectOnce(settings);
        }
    }

    private static boolean closedDuringHandshake(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.nio.channels.ClosedChannelException || PREMATURE_CLOSE.equals(c.getMessage())) {
                return true;
            }
        }
        return false;
    }

    private static RedisSharedState connectOnce(SharedStoreSettings settings) throws SharedStoreException {
        WATCHDOG_LOG.setLevel(java.util.logging.Level.SEVERE);
        RedisURI.Builder uri = RedisURI.builder().withHost(settings.host()).withPort(settings.port())
                .withTimeout(CONNECT_TIMEOUT).withClientName("rudp-fileserver");
        if (settings.password() != null) {
            uri.withPassword(settings.password().toCharArray());
        }
        ClientResources resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri.build());
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        try {
            StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8);
            c.sync().ping();
            return new RedisSharedState(settings, resources, client, c);
        } catch (RedisException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            String why = StoreHealth.reason(e);
            throw new SharedStoreException("cannot use the shared store " + settings + ": "
                    + (why.startsWith("WRONGPASS") || why.startsWith("NOAUTH") ? "it refused the password ("
                    + why.split(" ", 2)[0] + ")" : why), e);
        }
    }

    @Override
    public LoginLimits logins(int maxFailures, long lockNanos, int perAccountPerMinute, LongSupplier clock) {
        return new RedisLogins(this, maxFailures, lockNanos, perAccountPerMinute, clock);
    }

    @Override
    public synchronized PeerStore peers(LongSupplier clock) {
        if (peers == null) {
            peers = new RedisPeerStore(this);
        }
        return peers;
    }

    @Override
    public String describe() {
        return settings + " (keys " + settings.keyPrefix() + "*)";
    }

    /** {@code rudp:PREFIX:} + {@code name}. */
    String key(String name) {
        return settings.keyPrefix() + name;
    }

    /**
     * A client-chosen name as it goes into a key: account names as they are, anything else (an unknown
     * user's arbitrary bytes, 1 KiB long) as a short hash, so keys stay short and printable.
     */
    static String name(String s) {
        if (s.matches("[A-Za-z0-9._-]{1,32}")) {
            return s;
        }
        return "#" + HexFormat.of().formatHex(sha256(s)).substring(0, 32);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code script} by its SHA-1 (EVALSHA), sending its text only when Redis does not hold it yet
     * (first use, or a restart emptied its script cache); records the store's health; throws
     * {@link RedisException} when it failed.
     */
    <T> T eval(String script, ScriptOutputType type, String[] keys, String... args) {
        try {
            String sha = digests.computeIfAbsent(script, sync::digest);
            T result;
            try {
                result = sync.evalsha(sha, type, keys, args);
            } catch (RedisNoScriptException e) {
                result = sync.eval(script, type, keys, args);
            }
            health.ok();
            return result;
        } catch (RedisException e) {
            health.failed(e);
            throw e;
        }
    }

    /** As {@link #eval}, without waiting: for leaving, which nobody waits on. */
    CompletableFuture<Object> evalLater(String script, String[] keys, String... args) {
        return connection.async().eval(script, ScriptOutputType.INTEGER, keys, args).toCompletableFuture()
                .thenApply(r -> (Object) r);
    }

    /** A one-line reason for a failed command. */
    static String reason(RedisException e) {
        return StoreHealth.reason(e);
    }

    private void refresh() {
        try {
            RedisPeerStore p = peers;
            if (p == null || !p.refresh()) {
                sync.ping();
                health.ok();
            }
        } catch (RedisException e) {
            health.failed(e);
        } catch (RuntimeException e) {
            System.getLogger("dev.rudp.fileserver").log(System.Logger.Level.WARNING,
                    "shared-store refresh failed: " + e);
        }
    }

    @Override
    public void close() {
        closing = true;
        refresher.shutdownNow();
        RedisPeerStore p = peers;
        if (p != null) {
            p.close();
        }
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** This store's keys matching {@code pattern} (KEYS: for tests only). */
    List<String> keysForTests(String pattern) {
        return sync.keys(settings.keyPrefix() + pattern);
    }
}
