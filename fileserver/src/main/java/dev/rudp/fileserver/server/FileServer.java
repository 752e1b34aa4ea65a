package dev.rudp.fileserver.server;

import dev.rudp.CongestionControl;
import dev.rudp.NativeTransport;
import dev.rudp.RudpServerSockets;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpMessage;
import dev.rudp.RudpServerCodecBuilder;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.AuthorizedKeys;
import dev.rudp.fileserver.auth.Ed25519Key;
import dev.rudp.fileserver.auth.LoginGuard;
import dev.rudp.fileserver.auth.PasswordHasher;
import dev.rudp.fileserver.p2p.PeerDirectory;
import dev.rudp.fileserver.protocol.FrameCodec;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.shared.LoginLimits;
import dev.rudp.fileserver.shared.SharedState;
import dev.rudp.fileserver.shared.SharedStoreException;
import dev.rudp.fileserver.storage.StoreBackend;
import dev.rudp.fileserver.storage.SystemRecords;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The file server: a rudp endpoint whose connections each run a {@link Session}. Start with
 * {@link #start}, stop with {@link #shutdown} (graceful: new connections are refused, every client is
 * told to move, running transfers may finish within the drain time, then the rest are closed with
 * their partial uploads kept for a resume, and the socket and threads are released) or wait on
 * {@link #terminated}.
 */
public final class FileServer implements AutoCloseable {
    private final ServerConfig cfg;
    private final AccountStore accounts;
    private final AuthorizedKeys keys;
    /** Lockout, rate window, P2P presence and tickets: in memory, or shared with other servers. */
    private final SharedState shared;
    private final LoginLimits guard;
    private final PeerDirectory peers;
    private final ServerLog log = new ServerLog();
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final java.util.Map<String, Upload> claimed = new ConcurrentHashMap<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    /** Completes when the last session left after the stop began (the drain's early end). */
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final ExecutorService io;
    private final LoginQueue auth;
    private EventLoopGroup group;
    private RudpServerSockets sockets;
    private ServerIdentity identity;
    private RateLimits limits;

    private FileServer(ServerConfig cfg) throws IOException {
        this.cfg = cfg;
        if (cfg.dataDir != null) {
            Files.createDirectories(cfg.dataDir);
        }
        // where the accounts, keys and identity live: the data folder, or the bucket every server shares
        SystemRecords records = cfg.backend().records();
        this.accounts = AccountStore.open(records);
        this.keys = AuthorizedKeys.open(records);
        try {
            this.shared = cfg.shared == null ? SharedState.inMemory() : SharedState.open(cfg.shared);
            if (cfg.shared != null) {
                log.event("shared-state", shared.describe(), "");
            }
        } catch (SharedStoreException e) {
            throw new IOException(e.getMessage(), e);
        }
        this.guard = shared.logins(cfg.maxFailures, cfg.lockNanos, cfg.perAccountPerMinute, cfg.clock);
        this.peers = new PeerDirectory(shared.peers(cfg.clock));
        this.io = Executors.newFixedThreadPool(cfg.ioThreads, daemon("fileserver-io"));
        this.auth = new LoginQueue(cfg.loginThreads, daemon("fileserver-auth"));
    }

    /** Binds and starts serving. */
    public static FileServer start(ServerConfig cfg) throws IOException, InterruptedException {
        FileServer s = new FileServer(cfg);
        try {
            s.bind();
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.shared.close();
            throw e;
        }
        return s;
    }

    private void bind() throws IOException, InterruptedException {
        if (!cfg.plaintext) {
            identity = ServerIdentity.loadOrCreate(cfg.backend().records());
            if (identity.created()) {
                log.event("identity-created", cfg.backend().describe(), identity.fingerprint());
            }
        }
        group = NativeTransport.newEventLoopGroup(Math.max(2, cfg.loops));
        limits = new RateLimits(cfg.userRate, cfg.totalRate, group);
        RudpServerCodecBuilder b = new RudpServerCodecBuilder()
                .option(RudpChannelOption.CONGESTION_CONTROL, CongestionControl.BBR)
                .option(RudpChannelOption.IDLE_TIMEOUT_MILLIS, cfg.idleTimeoutMillis)
                .option(RudpChannelOption.MAX_CONNECTIONS, cfg.maxSessions * 2 + 16) // per socket
                .loops(cfg.loops)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .handler(new ChannelInitializer<RudpChannel>() {
                    @Override
                    protected void initChannel(RudpChannel ch) {
                        Session session = new Session(FileServer.this);
                        ch.pipeline().addLast(new FrameCodec(RudpMessage::unordered), session);
                        limits.onConnect(ch.pipeline());
                        if (cfg.sessionIdleMillis > 0) {
                            // first: it sees what reaches the transport, after the rate limits' delays
                            ch.pipeline().addFirst("session-idle", new SessionIdle(session, cfg.sessionIdleMillis));
                        }
                    }
                });
        if (identity != null) {
            b.dtls(identity.dtlsConfig());
        }
        sockets = b.bind(group, cfg.bind);
        if (identity == null) {
            log.error(address().toString(), "WARNING: --plaintext: DTLS is OFF; file contents and passwords travel"
                    + " unencrypted");
        }
        // interrupted uploads nobody came back for: at start, then hourly (blocking: on the I/O pool)
        group.next().scheduleAtFixedRate(() -> io.execute(this::expireUploads), 0, 1, TimeUnit.HOURS);
        log.event("listening", address().toString(), "transport " + NativeTransport.name()
                + (sockets.channels().size() > 1 ? ", " + sockets.channels().size() + " event loops (SO_REUSEPORT)" : "")
                + ", data " + cfg.backend().describe() + (identity == null ? ", PLAINTEXT (no encryption)"
                        : ", DTLS 1.2, server fingerprint " + identity.fingerprint()) + ", rate limits " + limits.describe());
    }

    private void expireUploads() {
        try {
            int n = cfg.backend().expireUploads(cfg.uploadExpiry);
            if (n > 0) {
                log.event("uploads-expired", cfg.backend().describe(), n + " interrupted uploads older than "
                        + cfg.uploadExpiry.toHours() + " h removed");
            }
        } catch (ProtocolException | RuntimeException e) {
            log.error(cfg.backend().describe(), "removing expired uploads: " + e.getMessage());
        }
    }

    /** The server's DTLS identity, or null in plaintext mode. */
    public ServerIdentity identity() {
        return identity;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return sockets.localAddress();
    }

    /** Completes when the server has stopped. */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    ServerConfig config() {
        return cfg;
    }

    /** The bandwidth limits (set once the server is bound). */
    public RateLimits limits() {
        return limits;
    }

    ServerLog log() {
        return log;
    }

    ExecutorService io() {
        return io;
    }

    LoginQueue auth() {
        return auth;
    }

    /** The peer-to-peer introduction service (tickets expire on the configured clock). */
    PeerDirectory peers() {
        return peers;
    }

    /** Null when {@code s} may start, else why not. */
    Status admit(Session s) {
        if (closing.get()) {
            return Status.SHUTTING_DOWN;
        }
        synchronized (sessions) {
            if (sessions.size() >= cfg.maxSessions) {
                return Status.TOO_MANY_SESSIONS;
            }
            sessions.add(s);
        }
        return null;
    }

    void leave(Session s) {
        sessions.remove(s);
        if (closing.get() && sessions.isEmpty()) {
            drained.complete(null);
        }
    }

    /**
     * Claims file {@code key} (account, NUL, path) for {@code upload}. An upload of the same file
     * still running (usually from a connection that died and has not timed out yet) is aborted first
     * and waited for until its sink settled, keeping what a resume can use, so a reconnecting client
     * can resume at once. Blocking, bounded.
     */
    boolean claim(String key, Upload upload) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Upload prev = claimed.putIfAbsent(key, upload);
            if (prev == null) {
                return true;
            }
            prev.abort();
            try {
                prev.closed.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                return false;
            }
            claimed.remove(key, prev);
        }
        return false;
    }

    void release(String key, Upload upload) {
        claimed.remove(key, upload);
    }

    /** Where the users' files live. */
    StoreBackend backend() {
        return cfg.backend();
    }

    /**
     * Checks a login (blocking: runs on the hashing executor). Returns the account, or throws
     * AUTH_FAILED (same message for an unknown user and a wrong password), LOCKED or RATE_LIMITED.
     */
    Account authenticate(String user, char[] password, String address) throws ProtocolException {
        admitAttempt(user, address);
        Optional<Account> acc = findAccount(user);
        boolean ok;
        if (acc.isPresent()) {
            ok = PasswordHasher.verify(password, acc.get().hash());
        } else {
            cfg.hasher.dummyVerify(password);
            ok = false;
        }
        if (ok) {
            guard.success(user, address);
            log.event("login", user + "@" + address, acc.get().admin() ? "(admin)" : "");
            return acc.get();
        }
        throw failed(user, address, Status.AUTH_FAILED.text());
    }

    /**
     * Checks a key login: {@code signature} over {@code signedData} by {@code key}. A key that is not
     * registered for an existing account is only "not accepted" (KEY_NOT_ACCEPTED) and counts
     * nowhere, as ssh treats a publickey probe of an unknown key: the client then tries its password,
     * and a script offering an unregistered key is not slowed or locked out by the offer. A registered
     * key is an attempt like a password: it passes the lockout and rate limit, and a bad signature is
     * a failure towards the lock. Cheap (one Ed25519 verification), but it stats the keys file, so it
     * runs off the event loop.
     */
    Account authenticateKey(String user, Ed25519Key key, byte[] signedData, byte[] signature, String address)
            throws ProtocolException {
        Account acc = registeredKey(user, key, address, "");
        if (key.verify(signedData, signature)) {
            return keyLoggedIn(acc, key, address, "");
        }
        throw failed(user, address, "login failed: the signature does not verify with this key");
    }

    /**
     * A key login carried by a resumed DTLS session ({@link SessionLogin}): the key proved itself on the
     * session's first connection; here only that it is still registered and the account not locked.
     */
    Account authenticateResumed(String user, Ed25519Key key, String address) throws ProtocolException {
        return keyLoggedIn(registeredKey(user, key, address, " (resumed session)"), key, address, ", resumed session");
    }

    /**
     * The account {@code key} is registered for, past the lockout and rate limit; KEY_NOT_ACCEPTED
     * (logged, counting nowhere) when there is no such account or key. {@code note} follows the
     * fingerprint in the log.
     */
    private Account registeredKey(String user, Ed25519Key key, String address, String note) throws ProtocolException {
        Optional<Account> acc = findAccount(user);
        if (acc.isEmpty() || keys.find(user, key).isEmpty()) {
            log.event("key-not-accepted", user + "@" + address, key.fingerprint() + note);
            throw ProtocolException.of(Status.KEY_NOT_ACCEPTED, "public key not accepted");
        }
        admitAttempt(user, address);
        return acc.get();
    }

    /** A key login that succeeded: the lockout's count cleared, and logged. */
    private Account keyLoggedIn(Account acc, Ed25519Key key, String address, String note) {
        guard.success(acc.name(), address);
        log.event("login", acc.name() + "@" + address, "key " + key.fingerprint() + note
                + (acc.admin() ? " (admin)" : ""));
        return acc;
    }

    /** The account as the accounts record says now; IO_ERROR (logged) when it cannot be read. */
    private Optional<Account> findAccount(String user) throws ProtocolException {
        try {
            return accounts.find(user);
        } catch (java.io.UncheckedIOException e) {
            log.error(user, e.getMessage());
            throw ProtocolException.of(Status.IO_ERROR, "the server cannot read its accounts right now; try again later");
        }
    }

    /** The public keys registered per account. */
    public AuthorizedKeys keys() {
        return keys;
    }

    private void admitAttempt(String user, String address) throws ProtocolException {
        LoginGuard.Verdict v = guard.check(user, address);
        if (v instanceof LoginGuard.Locked l) {
            log.event("login-locked", user + "@" + address, "");
            throw ProtocolException.of(Status.LOCKED, "account locked after too many failed logins from your address;"
                    + " try again in " + seconds(l.remainingNanos()) + " s");
        }
        if (v instanceof LoginGuard.Limited l) {
            log.event("login-limited", user + "@" + address, "");
            throw ProtocolException.of(Status.RATE_LIMITED, "too many login attempts for this account; try again in "
                    + seconds(l.retryNanos()) + " s");
        }
    }

    private ProtocolException failed(String user, String address, String message) {
        long lock = guard.failure(user, address);
        log.event("login-failed", user + "@" + address, lock > 0 ? "locked for " + seconds(lock) + " s" : "");
        if (lock > 0) {
            return ProtocolException.of(Status.LOCKED, "login failed: too many failures; locked for "
                    + seconds(lock) + " s");
        }
        return ProtocolException.of(Status.AUTH_FAILED, message);
    }

    private static long seconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    /** Starts a graceful shutdown on another thread (safe from an event loop). */
    public void shutdownAsync() {
        Thread t = new Thread(this::shutdown, "fileserver-shutdown");
        t.setDaemon(false);
        t.start();
    }

    /** Stops gracefully and waits (bounded) for sessions, the socket and the threads. Idempotent. */
    public void shutdown() {
        if (!closing.compareAndSet(false, true)) {
            terminated.join();
            return;
        }
        log.event("stopping", address().toString(), sessions.size() + " sessions");
        try {
            drain();
            // tell every client; each closes its side after reading what was sent before the notice
            List<Session> open = new ArrayList<>(sessions);
            List<ChannelFuture> closing = new ArrayList<>();
            for (Session s : open) {
                closing.add(s.shutdown());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            for (int i = 0; i < open.size(); i++) {
                ChannelFuture f = closing.get(i);
                if (f != null && !f.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    open.get(i).close(); // silent or dead client: close from here
                    f.await(1, TimeUnit.SECONDS);
                }
            }
            // one more turn of the event loop, so the connections' CLOSE frames are out before the socket closes
            for (Channel ch : sockets.channels()) {
                ch.eventLoop().submit(() -> { }).await(5, TimeUnit.SECONDS);
            }
            sockets.close().await(5, TimeUnit.SECONDS);
            limits.release();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
            io.shutdown();
            io.awaitTermination(10, TimeUnit.SECONDS);
            auth.shutdown();
            auth.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shared.close();
            log.event("stopped", "", "");
            terminated.complete(null);
        }
    }

    /**
     * The hand-over: with the drain time above 0, every client is told to move (a notice older clients
     * ignore), idle sessions close at once, busy ones when their last transfer ended; waits until all
     * left or the drain time is up. New connections are refused meanwhile ({@link #admit}).
     */
    private void drain() throws InterruptedException {
        if (cfg.drainSeconds <= 0) {
            return;
        }
        List<Session> open = new ArrayList<>(sessions);
        if (open.isEmpty()) {
            return;
        }
        log.event("draining", address().toString(), open.size() + " sessions told to move; transfers may finish within "
                + cfg.drainSeconds + " s");
        for (Session s : open) {
            s.drain(cfg.drainSeconds);
        }
        if (sessions.isEmpty()) {
            return;
        }
        try {
            drained.get(cfg.drainSeconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.event("drain-timeout", address().toString(), sessions.size() + " sessions still open: closing them");
        } catch (java.util.concurrent.ExecutionException e) {
            // never completed exceptionally
        }
    }

    @Override
    public void close() {
        shutdown();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
