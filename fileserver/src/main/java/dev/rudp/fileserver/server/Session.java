package dev.rudp.fileserver.server;

import dev.rudp.RudpChannel;
import dev.rudp.RudpStats;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.Ed25519Key;
import dev.rudp.fileserver.protocol.Data;
import dev.rudp.fileserver.protocol.Frame;
import dev.rudp.fileserver.protocol.KeyLogin;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.ReadHandle;
import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.UploadSink;
import dev.rudp.fileserver.storage.UserPath;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The handler of one client connection, after the {@link dev.rudp.fileserver.protocol.FrameCodec}.
 * Password login runs on the server's hashing executor, key login on the I/O pool; control
 * operations on a per-session serial executor over the I/O pool; uploads and downloads as
 * {@link Upload} and {@link Download}. Nothing blocking runs on the event loop. Consumes (and
 * releases) every frame it reads.
 */
final class Session extends ChannelInboundHandlerAdapter {
    /** Session states; {@link #transitionTo} checks the allowed moves. */
    enum State { NEW, AUTHENTICATING, READY, CLOSED }

    /** Key-login challenges (reads the kernel's non-blocking urandom pool: safe on the event loop). */
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final FileServer server;
    private final ServerConfig cfg;
    private final ServerLog log;
    private final SerialExecutor control;
    private final Map<Long, Upload> uploads = new ConcurrentHashMap<>();
    private final Map<Long, Download> downloads = new ConcurrentHashMap<>();
    private final ReadThrottle throttle = new ReadThrottle();
    private ChannelHandlerContext ctx;
    private State state = State.NEW;
    private String address;
    private volatile String who;
    private Account account;
    private Operations ops;
    /** Set (on the event loop) when the server is draining: new transfers are refused, the last one's end closes. */
    private volatile boolean draining;
    /** The outstanding key-login challenge (event loop only); used up by the next KEY_LOGIN. */
    private byte[] challenge;
    /** The password login the server holds, until it is answered (event loop only). */
    private LoginQueue.Ticket heldLogin;
    /** The login timeout passed (event loop only). */
    private boolean loginTimedOut;

    Session(FileServer server) {
        this.server = server;
        this.cfg = server.config();
        this.log = server.log();
        this.control = new SerialExecutor(server.io());
    }

    private void transitionTo(State next) {
        boolean allowed = switch (state) {
            case NEW -> next == State.AUTHENTICATING || next == State.CLOSED;
            case AUTHENTICATING -> next == State.READY || next == State.NEW || next == State.CLOSED;
            case READY -> next == State.CLOSED;
            case CLOSED -> false;
        };
        if (!allowed) {
            throw new IllegalStateException("session " + state + " -> " + next);
        }
        state = next;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        address = remote.getAddress().getHostAddress();
        who = address + ":" + remote.getPort();
        Status refused = server.admit(this);
        if (refused != null) {
            log.event("refused", who, refused.text());
            ctx.writeAndFlush(Reply.error(0, refused, refused == Status.TOO_MANY_SESSIONS
                    ? "too many sessions: the server allows " + cfg.maxSessions + "; try again later"
                    : "server shutting down")).addListener(ChannelFutureListener.CLOSE);
            transitionTo(State.CLOSED);
            return;
        }
        log.event("connect", who, "");
        ctx.executor().schedule(() -> {
            loginTimedOut = true;
            // A login the server holds (queued behind others, or being checked) is the server's delay,
            // not the client's: it ends the session only if it fails (finishLogin).
            if (state == State.NEW) {
                closeForLoginTimeout();
            }
        }, cfg.loginTimeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Data d) {
            Upload u = state == State.READY ? uploads.get(d.id()) : null;
            if (u == null) {
                d.release();
                return;
            }
            u.accept(d);
            throttle.afterAccept(ctx.channel());
            return;
        }
        try {
            if (msg instanceof Request r) {
                handle(r);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void handle(Request r) {
        if (state == State.CLOSED) {
            return;
        }
        switch (r.op()) {
            case LOGIN -> login(r);
            case KEY_CHALLENGE -> challenge(r);
            case KEY_LOGIN -> keyLogin(r);
            case RESUME_LOGIN -> resumeLogin(r);
            case PUT_DONE -> {
                if (!ready(r)) {
                    return;
                }
                Upload u = uploads.get(r.num(0, -1));
                if (u == null) {
                    reply(Reply.error(r.id(), Status.NOT_FOUND, "no upload in progress with id " + r.num(0, -1)));
                } else {
                    u.finish(r.arg(0, ""), r.id());
                }
            }
            case CANCEL -> {
                if (!ready(r)) {
                    return;
                }
                Upload u = uploads.get(r.num(0, -1));
                Download d = downloads.remove(r.num(0, -1));
                if (u != null) {
                    u.abort();
                }
                if (d != null) {
                    d.cancel();
                }
                // after the abort, on the control executor, so the partial file is settled
                control.execute(() -> reply(Reply.ok(r.id(), List.of())));
            }
            case SHUTDOWN -> {
                if (!ready(r)) {
                    return;
                }
                if (!account.admin()) {
                    log.event("refused", who, "shutdown by a non-admin");
                    reply(Reply.error(r.id(), Status.PERMISSION_DENIED,
                            "permission denied: only an admin may shut the server down"));
                    return;
                }
                log.event("shutdown", who, "requested");
                ctx.writeAndFlush(Reply.ok(r.id(), List.of())).addListener(f -> server.shutdownAsync());
            }
            case PEER_REGISTER, PEERS, PEER_TICKET, PEER_REDEEM -> {
                if (ready(r)) { // off the event loop: a shared store answers over the network
                    control.execute(() -> reply(server.peers().handle(r, this, account.name())));
                }
            }
            default -> {
                if (!ready(r)) {
                    return;
                }
                control.execute(() -> {
                    try {
                        Reply rep = switch (r.op()) {
                            case PUT -> draining() ? stopping(r) : put(r);
                            case GET -> draining() ? stopping(r) : get(r);
                            case KEY_ADD, KEY_LIST, KEY_REMOVE -> KeyCommands.run(r, server.keys(), account.name(), log,
                                    who);
                            default -> ops.run(r);
                        };
                        if (rep != null) {
                            reply(rep);
                        }
                    } catch (ProtocolException e) {
                        reply(Reply.error(r.id(), e.status(), e.getMessage()));
                    } catch (RuntimeException e) {
                        log.error(who, r.op() + ": " + e);
                        reply(Reply.error(r.id(), Status.INTERNAL, "internal server error"));
                    }
                });
            }
        }
    }

    private boolean ready(Request r) {
        if (state != State.READY) {
            reply(Reply.error(r.id(), Status.NOT_LOGGED_IN, "not logged in: log in first"));
            return false;
        }
        return true;
    }

    private void reply(Reply r) {
        if (r.status() != Status.OK && r.status() != Status.NOT_FOUND) {
            log.event("error", who, r.status() + ": " + r.message());
        }
        ctx.writeAndFlush(r);
    }

    private void login(Request r) {
        if (!startLogin(r)) {
            return;
        }
        String user = r.arg(0, "");
        char[] password = r.arg(1, "").toCharArray();
        LoginQueue.Ticket ticket = server.auth().submit(() -> {
            try {
                if (!ctx.channel().isActive()) {
                    return; // the client gave up while queued: spare the hashing thread a second of scrypt
                }
                finishLogin(r, () -> server.authenticate(user, password, address));
            } finally {
                java.util.Arrays.fill(password, '\0');
            }
        });
        heldLogin = ticket;
        if (r.acceptsQueued()) {
            QueuedNotices.start(ctx, r.id(), ticket, QueuedNotices.everyMillis(r.loginReplyTimeoutMillis()),
                    () -> heldLogin == ticket);
        }
    }

    /** KEY_CHALLENGE: a fresh challenge for the next KEY_LOGIN of this connection (replacing any earlier one). */
    private void challenge(Request r) {
        if (state != State.NEW) {
            reply(Reply.error(r.id(), Status.BAD_REQUEST, state == State.READY ? "already logged in"
                    : "a login is already in progress"));
            return;
        }
        byte[] c = new byte[KeyLogin.CHALLENGE_BYTES];
        RANDOM.nextBytes(c);
        challenge = c;
        reply(Reply.ok(r.id(), List.of(Base64.getEncoder().encodeToString(c))));
    }

    /**
     * KEY_LOGIN: checks a signature over this connection's challenge, which the attempt uses up
     * whatever its outcome, so a signature works once, here only. Runs on the I/O pool: one Ed25519
     * verification must not wait behind password hashes on the hashing executor.
     */
    private void keyLogin(Request r) {
        if (!startLogin(r)) {
            return;
        }
        byte[] c = challenge;
        challenge = null;
        String user = r.arg(0, "");
        Ed25519Key key;
        byte[] signature;
        try {
            key = Ed25519Key.parse(r.arg(1, ""));
            signature = Base64.getDecoder().decode(r.arg(2, ""));
        } catch (IllegalArgumentException e) {
            transitionTo(State.NEW);
            reply(Reply.error(r.id(), Status.BAD_REQUEST, "key login: " + e.getMessage()));
            return;
        }
        if (c == null) {
            transitionTo(State.NEW);
            reply(Reply.error(r.id(), Status.BAD_REQUEST, "key login: ask for a challenge (KEY_CHALLENGE) first"));
            return;
        }
        ServerIdentity id = server.identity();
        byte[] signed = KeyLogin.signedData(user, id == null ? KeyLogin.PLAINTEXT : id.fingerprint(), key.keyText(), c);
        server.io().execute(() -> finishLogin(r, () -> {
            Account a = server.authenticateKey(user, key, signed, signature, address);
            SessionLogin.bind(ctx.channel(), user, key);
            return a;
        }));
    }

    /** RESUME_LOGIN: the key login bound to the DTLS session this connection resumed ({@link SessionLogin}). */
    private void resumeLogin(Request r) {
        if (!startLogin(r)) {
            return;
        }
        String user = r.arg(0, "");
        SessionLogin.Bound b = SessionLogin.bound(ctx.channel());
        if (b == null || !b.user().equals(user) || !b.key().keyText().equals(r.arg(1, ""))) {
            transitionTo(State.NEW);
            ctx.writeAndFlush(Reply.error(r.id(), Status.KEY_NOT_ACCEPTED, "no key login of " + user
                    + " with this key on this DTLS session"));
            return;
        }
        server.io().execute(() -> finishLogin(r, () -> server.authenticateResumed(user, b.key(), address)));
    }

    private void closeForLoginTimeout() {
        log.event("login-timeout", who, "");
        ctx.writeAndFlush(Reply.error(0, Status.NOT_LOGGED_IN, "no login within "
                + cfg.loginTimeoutMillis + " ms")).addListener(ChannelFutureListener.CLOSE);
    }

    /** Moves NEW to AUTHENTICATING, or answers why not. */
    private boolean startLogin(Request r) {
        if (state != State.NEW) {
            reply(Reply.error(r.id(), Status.BAD_REQUEST, state == State.READY ? "already logged in"
                    : "a login is already in progress"));
            return false;
        }
        transitionTo(State.AUTHENTICATING);
        return true;
    }

    /** How a login checks its credentials: the account, or a ProtocolException saying why not. */
    @FunctionalInterface
    private interface Check {
        Account run() throws ProtocolException;
    }

    /** Runs {@code check} (blocking, off the event loop), opens the home, and answers on the event loop. */
    private void finishLogin(Request r, Check check) {
        Reply rep;
        Account acc = null;
        Store store = null;
        try {
            acc = check.run();
            store = server.backend().open(acc.name(), cfg.quota);
            // nums: the server's rate limits (bytes/s, 0 none), per account and total, for the client's stats
            rep = Reply.ok(r.id(), List.of("~", acc.admin() ? "admin" : "user"), server.limits().userRate(),
                    server.limits().totalRate());
        } catch (ProtocolException e) {
            rep = Reply.error(r.id(), e.status(), e.getMessage());
        } catch (RuntimeException e) {
            log.error(who, "login: " + e);
            rep = Reply.error(r.id(), Status.INTERNAL, "login failed");
        }
        Reply result = rep;
        Account a = acc;
        Store s = store;
        Runnable answer = () -> {
            heldLogin = null;
            if (state != State.AUTHENTICATING) {
                return;
            }
            if (result.ok()) {
                account = a;
                who = a.name() + "@" + who;
                ops = new Operations(s, log, who);
                transitionTo(State.READY);
                server.limits().onLogin(ctx.channel(), a.name());
            } else {
                transitionTo(State.NEW);
            }
            ctx.writeAndFlush(result);
            if (state == State.NEW && loginTimedOut) {
                closeForLoginTimeout();
            }
        };
        try {
            ctx.channel().eventLoop().execute(answer);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the server stopped while this login was queued: nobody is left to answer
        }
    }

    private Reply put(Request r) throws ProtocolException {
        String shown = r.arg(0, "");
        long size = r.num(0, -1);
        boolean resume = r.num(1, 0) != 0;
        if (size < 0) {
            throw ProtocolException.of(Status.BAD_REQUEST, "put: missing size");
        }
        if (size > cfg.maxFileSize) {
            throw ProtocolException.of(Status.FILE_TOO_LARGE, "file too large: " + shown + " has " + size
                    + " bytes; the server accepts at most " + cfg.maxFileSize);
        }
        UserPath target = ops.resolve(shown);
        String key = account.name() + "\0" + target.relative();
        long id = r.id();
        Upload[] self = new Upload[1];
        boolean[] toldError = {false}; // the upload's writer thread only
        Upload u = new Upload(id, shown, new SerialExecutor(server.io()), rep -> {
            if (rep.ok()) {
                String sha = rep.lines().get(0);
                log.event("upload", who, shown + " " + size + " bytes "
                        + (sha.isEmpty() ? "(checked by its CRC32C)" : "sha256 " + sha));
            } else if (toldError[0]) {
                ctx.writeAndFlush(rep); // a PUT_DONE that crossed the early error: logged once already
                return;
            } else {
                toldError[0] = true;
            }
            reply(rep);
        }, () -> {
            uploads.remove(id);
            server.release(key, self[0]);
            closeIfDrained();
        }, throttle.pending(), () -> throttle.afterWrite(ctx.channel()));
        self[0] = u;
        // a previous upload of this file (if any) is aborted and settled inside claim, before the sink opens
        if (!server.claim(key, u)) {
            throw ProtocolException.of(Status.EXISTS, "an upload of " + shown + " is already in progress");
        }
        UploadSink sink;
        try {
            sink = ops.store().openUpload(target, shown, size, resume);
        } catch (ProtocolException | RuntimeException e) {
            u.openFailed();
            throw e;
        }
        uploads.put(id, u);
        long flags = r.num(2, 0);
        boolean byCrc = (flags & Op.FLAG_CRC32C) != 0 && sink.checksCrc32c();
        long start = u.begin(sink, byCrc, byCrc && (flags & Op.FLAG_NO_SHA256) != 0);
        if (start < 0) {
            uploads.remove(id);
            throw ProtocolException.of(Status.CANCELLED, "upload of " + shown
                    + " ended early (replaced by a newer upload of the same file)");
        }
        if (start > 0) {
            log.event("upload-resume", who, shown + " at " + start + " of " + size);
        }
        return Reply.ok(id, byCrc ? List.of(Op.CRC32C) : List.of(), start);
    }

    private Reply get(Request r) throws ProtocolException {
        String shown = r.arg(0, "");
        long offset = r.num(0, 0);
        ReadHandle h;
        try {
            h = ops.store().openRead(ops.resolve(shown), shown, offset);
        } catch (ProtocolException e) {
            if (e.status() == Status.IS_DIRECTORY) {
                throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder (use get -r): " + shown);
            }
            throw e;
        }
        long id = r.id();
        String known = h.knownSha256();
        long flags = r.num(1, 0);
        Download d = new Download(id, h, offset, (flags & Op.FLAG_CRC32C) != 0, (flags & Op.FLAG_NO_SHA256) == 0,
                ctx.channel(), server.io(), Data.CHUNK, shown, () -> {
                    downloads.remove(id);
                    closeIfDrained();
                });
        downloads.put(id, d);
        log.event("download", who, shown + " " + h.size() + " bytes" + (offset > 0 ? " from " + offset : "")
                + (known != null ? " (stored sha256)" : ""));
        ctx.writeAndFlush(Reply.ok(id, d.sendsCrc32c() ? List.of(Op.CRC32C) : List.of(), h.size(), offset));
        d.resume();
        return null;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            downloads.values().forEach(Download::resume);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state != State.CLOSED) {
            transitionTo(State.CLOSED);
            uploads.values().forEach(Upload::abort);
            downloads.values().forEach(Download::cancel);
            String interrupted = uploads.isEmpty() ? "" : "(" + uploads.size() + " uploads interrupted) ";
            RudpStats stats = ctx.channel() instanceof RudpChannel rc ? rc.stats() : null;
            log.event("disconnect", who, (interrupted + (stats != null ? ServerLog.transport(stats) : "")).trim());
        }
        server.leave(this);
        server.peers().leave(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException pe) {
            log.error(who, "bad frame: " + pe.getMessage());
            ctx.writeAndFlush(Reply.error(0, pe.status(), pe.getMessage())).addListener(ChannelFutureListener.CLOSE);
        } else {
            log.error(who, c.toString());
            ctx.close();
        }
    }

    /**
     * Server shutdown: stops the transfers (uploads keep their prefix for a resume) and tells the
     * client, which closes the connection once it has read everything sent before the notice.
     * Returns the channel's close future (null if never active); see {@link #close()}.
     */
    io.netty.channel.ChannelFuture shutdown() {
        if (ctx == null) {
            return null;
        }
        ctx.channel().eventLoop().execute(() -> {
            uploads.values().forEach(Upload::abort);
            downloads.values().forEach(Download::cancel);
            ctx.writeAndFlush(Reply.error(0, Status.SHUTTING_DOWN, "the server is shutting down"));
        });
        return ctx.channel().closeFuture();
    }

    /**
     * The start of a graceful stop: tells the client to move ({@link Reply#moveNotice}), then closes at
     * once when no transfer runs, else when the last one ended (its final reply goes out first: the
     * close delivers what was written before it).
     */
    void drain(long drainSeconds) {
        if (ctx == null) {
            return;
        }
        ctx.channel().eventLoop().execute(() -> {
            if (state == State.CLOSED) {
                return;
            }
            draining = true;
            ctx.writeAndFlush(Reply.moveNotice(drainSeconds));
            if (uploads.isEmpty() && downloads.isEmpty()) {
                log.event("moved", who, "idle at the stop");
                ctx.close();
            }
        });
    }

    /** A new transfer asked for while the server stops: refused, the client reconnects (elsewhere). */
    private static Reply stopping(Request r) {
        return Reply.error(r.id(), Status.SHUTTING_DOWN, "the server is stopping: reconnect");
    }

    private boolean draining() {
        // only after the notice went out, so the client knows the refusal means "move"; a transfer that
        // starts between the stop and the notice is bounded by the drain time
        return draining;
    }

    /** After a transfer ended: the draining session closes once none runs (after the reply already written). */
    private void closeIfDrained() {
        if (ctx == null) {
            return;
        }
        ctx.channel().eventLoop().execute(() -> {
            if (draining && uploads.isEmpty() && downloads.isEmpty() && state != State.CLOSED) {
                log.event("moved", who, "transfers done");
                ctx.close();
            }
        });
    }

    /** From {@link SessionIdle}, on the event loop: closes a logged-in session with nothing under way. */
    void closeIfIdle(long minutes) {
        if (state != State.READY || draining || !uploads.isEmpty() || !downloads.isEmpty() || control.busy()) {
            return; // not logged in (the login timeout's case), or work that moves no byte for a while
        }
        log.event("idle-close", who, "no request for " + minutes + " min");
        ctx.writeAndFlush(Reply.idleNotice(minutes)); // the close delivers it first
        ctx.close();
    }

    /** Closes the connection from this side (a client that did not close after the notice). */
    void close() {
        if (ctx != null) {
            ctx.close();
        }
    }
}
