package dev.rudp.fileclient.connection;

import dev.rudp.CongestionControl;
import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpErrorCode;
import dev.rudp.RudpException;
import dev.rudp.RudpMessage;
import dev.rudp.RudpStats;
import dev.rudp.fileserver.protocol.Data;
import dev.rudp.fileserver.protocol.FrameCodec;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One connection to a file server: sends requests and matches replies by request id, routes data
 * chunks to the running download, and exposes the transport's statistics. Transfers are in
 * {@link Transfers}. Thread-safe; calls block the calling thread (never an event loop).
 */
public final class FileConnection implements AutoCloseable {
    /** The transport's idle timeout when the client does not reconnect (a dead server is noticed after it). */
    public static final long IDLE_TIMEOUT_MILLIS = 30_000;

    /** Default wait for a control reply, and for progress of a transfer. */
    public static final long REPLY_TIMEOUT_MILLIS = 60_000;

    private final EventLoopGroup group;
    private final Channel datagram;
    private final RudpChannel channel;
    private final ReplyHandler handler;
    private final String host;
    private volatile String fingerprint;
    private final AtomicLong ids = new AtomicLong(1);
    final Object writability = new Object();
    private volatile boolean loggedIn;
    /** Set when the server sent a move notice (it is draining): reconnect once the running command ends. */
    private volatile boolean moving;
    private volatile CancelToken cancel;
    private volatile long timeoutMillis = REPLY_TIMEOUT_MILLIS;
    /** Where a queued login's "server busy, waiting (N ahead)" goes (once per login). */
    private volatile Consumer<String> waitNotices = line -> { };
    /** The server's rate limits from the login reply: bytes/s per account and total, 0 none. */
    private volatile long[] rateLimits = {0, 0};

    private FileConnection(EventLoopGroup group, Channel datagram, RudpChannel channel, ReplyHandler handler,
            String host) {
        this.group = group;
        this.datagram = datagram;
        this.channel = channel;
        this.handler = handler;
        this.host = host;
    }

    /**
     * Connects to {@code host:port} over DTLS, trusting only servers pinned in
     * {@code ~/.fileclient/known_hosts} ({@link ServerTrust#defaults()}); fails with
     * {@link ExitCode#CONNECT} when the server does not answer, {@link ExitCode#UNTRUSTED} when its
     * identity is not trusted.
     */
    public static FileConnection connect(String host, int port, long timeoutMillis) throws ClientException {
        return connect(host, port, timeoutMillis, null);
    }

    /**
     * Connects with {@code first} (may be null) put first in the datagram channel's pipeline, beneath
     * the rudp codec: for example an impairment simulator in tests.
     */
    public static FileConnection connect(String host, int port, long timeoutMillis, io.netty.channel.ChannelHandler first)
            throws ClientException {
        return connect(host, port, timeoutMillis, first, ServerTrust.defaults());
    }

    /**
     * Connects, deciding with {@code trust} whether the server's DTLS identity is trusted (or running
     * without DTLS when {@link ServerTrust#isPlaintext()}); {@code first} may be null.
     */
    public static FileConnection connect(String host, int port, long timeoutMillis, io.netty.channel.ChannelHandler first,
            ServerTrust trust) throws ClientException {
        return connect(host, port, timeoutMillis, first, trust, IDLE_TIMEOUT_MILLIS);
    }

    /**
     * Connects as {@link #connect(String, int, long, io.netty.channel.ChannelHandler, ServerTrust)}, with
     * the transport's idle timeout {@code idleTimeoutMillis}: the silence after which the server counts
     * as gone (shorter when the client reconnects, so that a dead server costs seconds, not half a minute;
     * keepalives go out at half of it, so a live but quiet session stays up).
     */
    public static FileConnection connect(String host, int port, long timeoutMillis, io.netty.channel.ChannelHandler first,
            ServerTrust trust, long idleTimeoutMillis) throws ClientException {
        InetSocketAddress addr = new InetSocketAddress(host, port);
        if (addr.isUnresolved()) {
            throw new ClientException(ExitCode.CONNECT, "cannot resolve host: " + host);
        }
        String key = KnownHosts.key(host, port);
        trust.reset();
        dev.rudp.dtls.DtlsConfig dtls = trust.dtlsConfig(key, timeoutMillis);
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        ReplyHandler handler = new ReplyHandler();
        Channel[] socket = new Channel[1];
        try {
            Channel datagram = new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                    .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            if (first != null) {
                                c.pipeline().addLast(first);
                            }
                            RudpClientCodecBuilder codec = new RudpClientCodecBuilder()
                                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                                            new WriteBufferWaterMark(1 << 20, 4 << 20))
                                    .option(RudpChannelOption.CONGESTION_CONTROL, CongestionControl.BBR)
                                    .option(RudpChannelOption.IDLE_TIMEOUT_MILLIS, idleTimeoutMillis);
                            if (dtls != null) {
                                codec.dtls(dtls);
                            }
                            c.pipeline().addLast(codec.build());
                        }
                    })
                    .bind(0).sync().channel();
            socket[0] = datagram;
            RudpChannel ch = RudpChannel.newBootstrap(datagram).handler(new io.netty.channel.ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel c) {
                    c.pipeline().addLast(new FrameCodec(RudpMessage::unordered), handler);
                }
            }).remoteAddress(addr).connectTimeoutMillis(timeoutMillis).connect().get();
            FileConnection fc = new FileConnection(group, datagram, ch, handler, host);
            handler.conn = fc;
            fc.fingerprint = trust.seenFingerprint();
            try {
                trust.connected(key);
            } catch (IOException e) {
                fc.close();
                throw new ClientException(ExitCode.LOCAL_IO, "cannot pin " + key + " in "
                        + trust.knownHostsFile().file() + ": " + e.getMessage());
            }
            return fc;
        } catch (ExecutionException e) {
            closeQuietly(socket[0], group);
            Throwable c = e.getCause();
            if (trust.refused() != null) {
                throw new ClientException(ExitCode.UNTRUSTED, trust.refusal());
            }
            if (c instanceof RudpException re && re.code() == RudpErrorCode.HANDSHAKE_FAILED) {
                throw new ClientException(ExitCode.CONNECT, "cannot connect to " + host + ":" + port
                        + ": DTLS handshake failed: " + c.getMessage()
                        + " (is the server running with --plaintext? then use --plaintext too)");
            }
            throw new ClientException(ExitCode.CONNECT, "cannot connect to " + host + ":" + port + ": "
                    + (c instanceof RudpException ? c.getMessage() : String.valueOf(c)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new ClientException(ExitCode.INTERRUPTED, "interrupted while connecting");
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new ClientException(ExitCode.CONNECT, "cannot connect to " + host + ":" + port + ": "
                    + e.getMessage());
        }
    }

    /**
     * After a failed connect: closes the socket on its event loop first, so that the DTLS layer
     * releases what it still queues for an unfinished handshake, then stops the loop (bounded).
     */
    private static void closeQuietly(Channel datagram, EventLoopGroup group) {
        try {
            if (datagram != null) {
                datagram.close().await(2, TimeUnit.SECONDS);
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Where to show that a password login is queued on a busy server ({@code server busy, waiting (N
     * ahead)}, once per login); by default nowhere.
     */
    public void waitNotices(Consumer<String> notices) {
        this.waitNotices = notices;
    }

    /** Whether the cancel token (Ctrl-C) was cancelled. */
    boolean cancelled() {
        CancelToken c = cancel;
        return c != null && c.isCancelled();
    }

    /** Makes waits for replies stop with {@link ExitCode#INTERRUPTED} when {@code token} is cancelled (Ctrl-C). */
    public void cancelWith(CancelToken token) {
        this.cancel = token;
    }

    /** How long to wait for a reply or for a transfer to make progress; default 60 s. */
    public void timeoutMillis(long millis) {
        this.timeoutMillis = Math.max(1, millis);
    }

    /** See {@link #timeoutMillis(long)}. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** The server's DTLS certificate fingerprint ({@code SHA256:...}), or null without DTLS. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The host name given at connect. */
    public String host() {
        return host;
    }

    /**
     * Whether this connection's DTLS handshake resumed the session an earlier connect saved
     * ({@link SessionFiles}): no certificate was shown, the pin was checked against the saved session.
     */
    public boolean resumedSession() {
        dev.rudp.dtls.DtlsHandler dtls = datagram.pipeline().get(dev.rudp.dtls.DtlsHandler.class);
        return dtls != null && dtls.stats().handshakesResumed() > 0;
    }

    /** The transport's statistics of this connection. */
    public RudpStats stats() {
        return channel.stats();
    }

    /**
     * The server's bandwidth limits as its login reply announced them, in bytes per second each way:
     * {@code [per account, whole server]}, 0 where there is none (and before a login, or from a server
     * that does not say).
     */
    public long[] rateLimits() {
        return rateLimits.clone();
    }

    /**
     * Whether the server asked this client to move ({@link dev.rudp.fileserver.protocol.Status#MOVE}): it
     * is draining and lets the running transfer finish, then closes.
     */
    public boolean moving() {
        return moving;
    }

    /** The server said it is moving this session elsewhere (a notice). */
    void serverMoving() {
        moving = true;
    }

    boolean loggedIn() {
        return loggedIn;
    }

    /** Wakes the senders waiting for the channel to be writable (or closed). */
    void wakeWriters() {
        synchronized (writability) {
            writability.notifyAll();
        }
    }

    /** Whether the connection is still open. */
    public boolean isOpen() {
        return channel.isActive();
    }

    /** Completes once the connection has closed, from either side (a server's idle close, a stop, {@link #close}). */
    public java.util.concurrent.CompletableFuture<Void> closed() {
        java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
        channel.closeFuture().addListener(x -> f.complete(null));
        return f;
    }

    RudpChannel channel() {
        return channel;
    }

    long nextId() {
        return ids.getAndIncrement();
    }

    /** Logs in; returns the server's reply lines (home folder, role). */
    public List<String> login(String user, char[] password) throws ClientException {
        if (fingerprint == null && !channel.remoteAddress().getAddress().isLoopbackAddress()) {
            throw new ClientException(ExitCode.USAGE, "refusing to send a password in plaintext to "
                    + channel.remoteAddress().getAddress().getHostAddress() + " (not a loopback address);"
                    + " connect without --plaintext");
        }
        Reply r = QueuedLogin.call(this, user, password, waitNotices);
        loggedIn = true;
        rateLimits = new long[] {r.num(0, 0), r.num(1, 0)};
        return r.lines();
    }

    /**
     * Logs in with a key: asks for a challenge, signs it with {@code signer} (Ed25519 over
     * {@link dev.rudp.fileserver.protocol.KeyLogin#signedData}, bound to this user, the server's
     * fingerprint and this connection's challenge) and sends the signature. Returns the server's reply
     * lines; a key the server does not accept fails with {@link ExitCode#AUTH}, a locked account with
     * {@link ExitCode#LOCKED}. Nothing secret travels, so plaintext connections may use it anywhere.
     */
    public List<String> loginWithKey(String user, dev.rudp.fileserver.auth.Ed25519Key key,
            java.util.function.UnaryOperator<byte[]> signer) throws ClientException {
        Reply c = call(Op.KEY_CHALLENGE, List.of());
        byte[] challenge;
        try {
            challenge = java.util.Base64.getDecoder().decode(c.lines().isEmpty() ? "" : c.lines().get(0));
        } catch (IllegalArgumentException e) {
            challenge = new byte[0];
        }
        if (challenge.length != dev.rudp.fileserver.protocol.KeyLogin.CHALLENGE_BYTES) {
            throw new ClientException(ExitCode.PROTOCOL, "the server sent a malformed key-login challenge");
        }
        String server = fingerprint == null ? dev.rudp.fileserver.protocol.KeyLogin.PLAINTEXT : fingerprint;
        byte[] signature = signer.apply(dev.rudp.fileserver.protocol.KeyLogin.signedData(user, server, key.keyText(),
                challenge));
        Reply r = call(Op.KEY_LOGIN, List.of(user, key.keyText(),
                java.util.Base64.getEncoder().encodeToString(signature)));
        loggedIn = true;
        rateLimits = new long[] {r.num(0, 0), r.num(1, 0)};
        return r.lines();
    }

    /**
     * Logs in with the key login the resumed DTLS session carries ({@link #resumedSession()}): the server
     * bound {@code user} and {@code key} to the session when they logged in on it, so no challenge and no
     * signature. Fails with {@link ExitCode#AUTH} when the session carries no such login (the server forgot
     * it, or the key is no longer registered): log in with {@link #loginWithKey} then.
     */
    public List<String> loginResumed(String user, dev.rudp.fileserver.auth.Ed25519Key key) throws ClientException {
        Reply r = call(Op.RESUME_LOGIN, List.of(user, key.keyText()));
        loggedIn = true;
        rateLimits = new long[] {r.num(0, 0), r.num(1, 0)};
        return r.lines();
    }

    /** Sends a request and waits for its reply; an error reply is thrown. */
    public Reply call(Op op, List<String> args, long... nums) throws ClientException {
        Reply r = callRaw(Request.of(nextId(), op, args, nums), timeoutMillis);
        if (!r.ok()) {
            throw ClientException.of(r);
        }
        return r;
    }

    /** Like {@link #call} with a shorter wait, for interactive helpers such as completion. */
    public Reply callWithin(long timeoutMillis, Op op, List<String> args, long... nums) throws ClientException {
        Reply r = callRaw(Request.of(nextId(), op, args, nums), timeoutMillis);
        if (!r.ok()) {
            throw ClientException.of(r);
        }
        return r;
    }

    /** Sends {@code req} and waits up to {@code timeoutMillis} for its first reply (errors are returned). */
    Reply callRaw(Request req, long timeoutMillis) throws ClientException {
        CompletableFuture<Reply> f = expect(req.id());
        send(req);
        return await(f, req.id(), timeoutMillis, true);
    }

    /** Like {@link #callRaw} but not interrupted by the cancel token (for the CANCEL request itself). */
    Reply callUncancellable(Request req, long timeoutMillis) throws ClientException {
        CompletableFuture<Reply> f = expect(req.id());
        send(req);
        return await(f, req.id(), timeoutMillis, false);
    }

    /** Registers interest in the next reply to {@code id}. */
    CompletableFuture<Reply> expect(long id) {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        handler.pending.put(id, f);
        if (handler.sessionError != null) {
            handler.pending.remove(id);
            f.completeExceptionally(handler.sessionError);
        } else if (!channel.isActive()) {
            handler.pending.remove(id);
            f.completeExceptionally(lost());
        }
        return f;
    }

    /** Drops interest in replies to {@code id} (one that may never come). */
    void forget(long id) {
        handler.pending.remove(id);
    }

    void send(Request req) throws ClientException {
        if (!channel.isActive()) {
            throw lost();
        }
        channel.writeAndFlush(req);
    }

    Reply await(CompletableFuture<Reply> f, long id, long timeoutMillis, boolean cancellable)
            throws ClientException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    handler.pending.remove(id);
                    throw new ClientException(ExitCode.TIMEOUT, "no reply from the server within "
                            + Math.max(1, timeoutMillis / 1000) + " s");
                }
                try {
                    // wake every 100 ms to notice Ctrl-C
                    return f.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    CancelToken c = cancel;
                    if (cancellable && c != null && c.isCancelled()) {
                        handler.pending.remove(id);
                        throw new ClientException(ExitCode.INTERRUPTED, "interrupted");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handler.pending.remove(id);
            throw new ClientException(ExitCode.INTERRUPTED, "interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClientException ce) {
                throw ce;
            }
            throw new ClientException(ExitCode.PROTOCOL, String.valueOf(e.getCause()));
        }
    }

    /**
     * Routes every reply to {@code id} into {@code queue} (for requests answered more than once,
     * like GET); a failure of the session is queued as a {@link ClientException}.
     */
    void routeReplies(long id, java.util.concurrent.BlockingQueue<Object> queue) {
        handler.replyRoutes.put(id, queue);
        if (handler.sessionError != null) {
            queue.add(handler.sessionError);
        } else if (!channel.isActive()) {
            queue.add(lost());
        }
    }

    void unrouteReplies(long id) {
        handler.replyRoutes.remove(id);
    }

    /** Routes data frames of transfer {@code id} to {@code sink} (which releases them). */
    void route(long id, Consumer<Data> sink) {
        handler.sinks.put(id, sink);
    }

    void unroute(long id) {
        handler.sinks.remove(id);
    }

    ClientException lost() {
        if (handler.sessionError != null) {
            return handler.sessionError;
        }
        String why = channel.closeCode() == null ? "" : " (" + channel.closeCode() + ")";
        return new ClientException(ExitCode.CONNECTION_LOST, "connection to " + host + " lost" + why);
    }

    /**
     * Opens a file-protocol connection to {@code addr} over {@code datagram}, a datagram channel the
     * caller bound with its own rudp client codec (the peer-to-peer sender's, with DTLS and a pinned
     * certificate). {@code group} is shut down when the connection closes; on failure the caller
     * releases it. {@code name} is used in messages.
     */
    public static FileConnection over(EventLoopGroup group, Channel datagram, InetSocketAddress addr, String name,
            long timeoutMillis) throws ClientException {
        ReplyHandler handler = new ReplyHandler();
        try {
            RudpChannel ch = RudpChannel.newBootstrap(datagram).handler(new io.netty.channel.ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel c) {
                    c.pipeline().addLast(new FrameCodec(RudpMessage::unordered), handler);
                }
            }).remoteAddress(addr).connectTimeoutMillis(timeoutMillis).connect().get();
            FileConnection fc = new FileConnection(group, datagram, ch, handler, name);
            handler.conn = fc;
            return fc;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new ClientException(ExitCode.CONNECT, "cannot connect to " + name + ": "
                    + (c instanceof RudpException ? c.getMessage() : String.valueOf(c)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException(ExitCode.INTERRUPTED, "interrupted while connecting");
        }
    }

    @Override
    public void close() {
        try {
            channel.close().await(2, TimeUnit.SECONDS);
            datagram.close().await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
