package dev.rudp.fileserver.server;

import dev.rudp.RudpChannel;
import dev.rudp.RudpStats;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.Ed25519Key;
import dev.rudp.fileserver.protocol.Data;
import dev.rudp.fileserver.protocol.Frame;
import dev.rudp.fileserver.protocol.KeyLogin;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.Jail;
import dev.rudp.fileserver.storage.Storage;
import dev.rudp.fileserver.storage.StoredDigest;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.HexFormat;
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
    /** The outstanding key-login challenge (event loop only); used up by the next KEY_LOGIN. */
    private byte[] challenge;

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
            if (state == State.NEW || state == State.AUTHENTICATING) {
                log.event("login-timeout", who, "");
                ctx.writeAndFlush(Reply.error(0, Status.NOT_LOGGED_IN, "no login within "
                        + cfg.loginTimeoutMillis + " ms")).addListener(ChannelFutureListener.CLOSE);
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
                if (ready(r)) {
                    reply(server.peers().handle(r, this, account.name()));
                }
            }
            default -> {
                if (!ready(r)) {
                    return;
                }
                control.execute(() -> {
                    try {
                        Reply rep = switch (r.op()) {
                            case PUT -> put(r);
                            case GET -> get(r);
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
        server.auth().execute(() -> {
            try {
                finishLogin(r, () -> server.authenticate(user, password, address));
            } finally {
                java.util.Arrays.fill(password, '\0');
            }
        });
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
        server.io().execute(() -> finishLogin(r, () -> server.authenticateKey(user, key, signed, signature, address)));
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
        Storage storage = null;
        try {
            acc = check.run();
            Path home = cfg.home(acc.name());
            Files.createDirectories(home);
            Files.createDirectories(cfg.partials(acc.name()));
            storage = new Storage(new Jail(home), cfg.quota, cfg.partials(acc.name()));
            // nums: the server's rate limits (bytes/s, 0 none), per account and total, for the client's stats
            rep = Reply.ok(r.id(), List.of("~", acc.admin() ? "admin" : "user"), server.limits().userRate(),
                    server.limits().totalRate());
        } catch (ProtocolException e) {
            rep = Reply.error(r.id(), e.status(), e.getMessage());
        } catch (IOException e) {
            rep = Reply.error(r.id(), Status.IO_ERROR, "cannot open your home folder");
        } catch (RuntimeException e) {
            log.error(who, "login: " + e);
            rep = Reply.error(r.id(), Status.INTERNAL, "login failed");
        }
        Reply result = rep;
        Account a = acc;
        Storage s = storage;
        ctx.channel().eventLoop().execute(() -> {
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
        });
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
        Path target = ops.resolve(shown);
        if (Files.isDirectory(target)) {
            throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder: " + shown);
        }
        if (!Files.isDirectory(target.getParent())) {
            throw ProtocolException.of(Status.NOT_FOUND, "no such folder: " + shown);
        }
        Storage storage = ops.storage();
        String rel = storage.jail().root().relativize(target).toString();
        String key = HexFormat.of().formatHex(Storage.sha256().digest(rel.getBytes(StandardCharsets.UTF_8)));
        Path partial = cfg.partials(account.name()).resolve(key + ".part");
        long existing = Files.isRegularFile(target) ? sizeOf(target) : 0;
        long partialNow = Files.isRegularFile(partial) ? sizeOf(partial) : 0;
        // usage counts partial uploads too; this upload replaces the target and reuses its own partial
        storage.checkQuota(size - existing - partialNow);
        long id = r.id();
        Upload[] self = new Upload[1];
        FileChannel ch;
        try {
            ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
        } catch (IOException e) {
            throw Storage.map(e, shown);
        }
        try {
            // the previous upload of this file (if any) is aborted inside claim, before we size the file
            Upload u = new Upload(id, partial, target, shown, size, 0, ch, new SerialExecutor(server.io()),
                    rep -> {
                        if (rep.ok()) {
                            log.event("upload", who, shown + " " + size + " bytes sha256 " + rep.lines().get(0));
                        }
                        reply(rep);
                    }, () -> {
                        uploads.remove(id);
                        server.release(partial, self[0]);
                    }, throttle.pending(), () -> throttle.afterWrite(ctx.channel())).keepDigest();
            self[0] = u;
            if (!server.claim(partial, u)) {
                ch.close();
                throw ProtocolException.of(Status.EXISTS, "an upload of " + shown + " is already in progress");
            }
            long start = resume ? Math.min(ch.size(), size) : 0;
            ch.truncate(start);
            u.start(start);
            uploads.put(id, u);
            if (start > 0) {
                log.event("upload-resume", who, shown + " at " + start + " of " + size);
            }
            return Reply.ok(id, List.of(), start);
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw Storage.map(e, shown);
        }
    }

    private Reply get(Request r) throws ProtocolException {
        String shown = r.arg(0, "");
        long offset = r.num(0, 0);
        Path p = ops.resolve(shown);
        if (Files.isDirectory(p)) {
            throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder (use get -r): " + shown);
        }
        try {
            Object identity = StoredDigest.identity(p);
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
            long size = ch.size();
            String known = identity == null ? null : StoredDigest.lookup(p, identity, size);
            if (offset < 0 || offset > size) {
                ch.close();
                throw ProtocolException.of(Status.BAD_REQUEST, "cannot resume " + shown + " at " + offset
                        + ": the remote file has only " + size + " bytes");
            }
            long id = r.id();
            Download d = new Download(id, ch, size, offset, known, ctx.channel(), server.io(), cfg.chunkSize, shown,
                    () -> downloads.remove(id));
            downloads.put(id, d);
            log.event("download", who, shown + " " + size + " bytes" + (offset > 0 ? " from " + offset : "")
                    + (known != null ? " (stored sha256)" : ""));
            ctx.writeAndFlush(Reply.ok(id, List.of(), size, offset));
            d.resume();
            return null;
        } catch (NoSuchFileException e) {
            throw ProtocolException.of(Status.NOT_FOUND, "no such file: " + shown);
        } catch (IOException e) {
            throw Storage.map(e, shown);
        }
    }

    private static long sizeOf(Path p) throws ProtocolException {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw Storage.map(e, p.getFileName().toString());
        }
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

    /** Closes the connection from this side (a client that did not close after the notice). */
    void close() {
        if (ctx != null) {
            ctx.close();
        }
    }
}
