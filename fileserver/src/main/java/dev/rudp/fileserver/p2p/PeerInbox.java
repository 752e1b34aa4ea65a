package dev.rudp.fileserver.p2p;

import dev.rudp.fileserver.protocol.Data;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.server.SerialExecutor;
import dev.rudp.fileserver.server.ReadThrottle;
import dev.rudp.fileserver.server.Upload;
import dev.rudp.fileserver.storage.PathRules;
import dev.rudp.fileserver.storage.Sha256;
import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.UserPath;
import dev.rudp.fileserver.storage.local.LocalStore;
import dev.rudp.fileserver.storage.local.LocalUploadSink;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiving end of one peer-to-peer link (after a {@link dev.rudp.fileserver.protocol.FrameCodec}
 * on a DTLS rudp connection). The sender first presents its ticket ({@code PEER_HELLO}), which the
 * {@link Gate} checks with the server; nothing else is accepted before. Each {@code PUT} is then an
 * offer (sender, name, size) that the gate accepts or declines; an accepted file lands exactly as an
 * upload on the server's data folder does ({@link Upload} over a {@link LocalUploadSink}: positional
 * writes, SHA-256 checked, fsync, atomic rename over the target, a failed transfer never damages an
 * existing file, resume from the partial file), whatever backend the server keeps its users' files in.
 * Partial files live in {@code FOLDER/.p2p-partial/}, keyed by sender and name. Names are plain file
 * names inside the folder. Consumes (and releases) every frame it reads; nothing blocking runs on the
 * event loop.
 */
public final class PeerInbox extends ChannelInboundHandlerAdapter {
    /** Folder under the receive folder that holds interrupted transfers. */
    public static final String PARTIAL_DIR = ".p2p-partial";

    /** Link states; {@link #transitionTo} checks the moves. */
    enum State { NEW, CHECKING, READY, CLOSED }

    /** What the receiving application decides and is told. */
    public interface Gate {
        /** Checks {@code ticket} with the server and uses it up; returns the sender. Blocking (not on an event loop). */
        String redeem(String ticket) throws ProtocolException;

        /** An offer arrived: call {@link Offer#accept()} or {@link Offer#decline()}, now or later. */
        void offered(Offer offer);

        /** The offered file landed (an OK reply whose first line is the SHA-256) or failed. */
        default void finished(Offer offer, Reply result) {
        }
    }

    /** One offered file. */
    public static final class Offer {
        private final long id;
        private final String sender;
        private final String name;
        private final long size;
        private final Path target;
        final CompletableFuture<Boolean> decision = new CompletableFuture<>();
        final AtomicLong received = new AtomicLong();
        final AtomicBoolean ended = new AtomicBoolean();
        volatile long start;

        Offer(long id, String sender, String name, long size, Path target) {
            this.id = id;
            this.sender = sender;
            this.name = name;
            this.size = size;
            this.target = target;
        }

        /** The sender's transfer id (unique per link). */
        public long id() {
            return id;
        }

        /** The sending user, as the server vouched for it. */
        public String sender() {
            return sender;
        }

        /** The file name offered. */
        public String name() {
            return name;
        }

        /** Its size in bytes. */
        public long size() {
            return size;
        }

        /** Where it lands. */
        public Path target() {
            return target;
        }

        /** Bytes of the file present so far (resumed prefix plus bytes received). */
        public long done() {
            return start + received.get();
        }

        /** Whether no decision was taken yet. */
        public boolean pending() {
            return !decision.isDone();
        }

        /** Accepts the file; false if already decided or withdrawn. */
        public boolean accept() {
            return decision.complete(true);
        }

        /** Declines the file (the sender is told); false if already decided or withdrawn. */
        public boolean decline() {
            return decision.complete(false);
        }

        @Override
        public String toString() {
            return sender + ": " + name + " (" + size + " bytes)";
        }
    }

    /** The receive folder as a tree: its link checks confine every name to it. */
    private final LocalStore folder;
    private final Executor io;
    private final SerialExecutor control;
    private final Gate gate;
    private final Map<Long, Upload> uploads = new ConcurrentHashMap<>();
    private final Map<Long, Offer> offers = new ConcurrentHashMap<>();
    private final ReadThrottle throttle = new ReadThrottle();
    private ChannelHandlerContext ctx;
    private State state = State.NEW;
    private volatile String sender;

    /** A link landing files in {@code folder} (must exist), doing blocking work on {@code io}. */
    public PeerInbox(Path folder, Executor io, Gate gate) throws IOException {
        this.folder = new LocalStore(folder, folder.resolve(PARTIAL_DIR), -1);
        this.io = io;
        this.control = new SerialExecutor(io);
        this.gate = gate;
    }

    private void transitionTo(State next) {
        boolean allowed = switch (state) {
            case NEW -> next == State.CHECKING || next == State.CLOSED;
            case CHECKING -> next == State.READY || next == State.CLOSED;
            case READY -> next == State.CLOSED;
            case CLOSED -> false;
        };
        if (!allowed) {
            throw new IllegalStateException("peer link " + state + " -> " + next);
        }
        state = next;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Data d) {
            Upload u = state == State.READY ? uploads.get(d.id()) : null;
            Offer o = offers.get(d.id());
            if (u == null || o == null) {
                d.release();
                return;
            }
            o.received.addAndGet(d.content().readableBytes());
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
        if (r.op() == dev.rudp.fileserver.protocol.Op.PEER_HELLO) {
            hello(r);
            return;
        }
        if (state != State.READY) {
            ctx.writeAndFlush(Reply.error(0, Status.NOT_LOGGED_IN, "present a ticket first"))
                    .addListener(ChannelFutureListener.CLOSE);
            transitionTo(State.CLOSED);
            return;
        }
        switch (r.op()) {
            case PUT -> offer(r);
            case PUT_DONE -> {
                Upload u = uploads.get(r.num(0, -1));
                if (u == null) {
                    ctx.writeAndFlush(Reply.error(r.id(), Status.NOT_FOUND, "no transfer in progress with id "
                            + r.num(0, -1)));
                } else {
                    u.finish(r.arg(0, ""), r.id());
                }
            }
            case CANCEL -> {
                long id = r.num(0, -1);
                Upload u = uploads.get(id);
                Offer o = offers.get(id);
                if (o != null) {
                    o.decision.complete(false);
                }
                if (u != null) {
                    u.abort();
                }
                control.execute(() -> ctx.writeAndFlush(Reply.ok(r.id(), List.of())));
            }
            default -> ctx.writeAndFlush(Reply.error(r.id(), Status.BAD_REQUEST, "not available on a peer link: "
                    + r.op()));
        }
    }

    private void hello(Request r) {
        if (state != State.NEW) {
            ctx.writeAndFlush(Reply.error(r.id(), Status.BAD_REQUEST, "ticket already presented"));
            return;
        }
        transitionTo(State.CHECKING);
        String ticket = r.arg(0, "");
        io.execute(() -> {
            Reply rep;
            String who = null;
            try {
                who = gate.redeem(ticket);
                rep = Reply.ok(r.id(), List.of(who));
            } catch (ProtocolException e) {
                rep = Reply.error(r.id(), e.status(), e.getMessage());
            } catch (RuntimeException e) {
                rep = Reply.error(r.id(), Status.TICKET_REFUSED, "ticket refused: cannot check it: " + e.getMessage());
            }
            Reply result = rep;
            String s = who;
            ctx.channel().eventLoop().execute(() -> {
                if (state != State.CHECKING) {
                    return;
                }
                if (result.ok()) {
                    sender = s;
                    transitionTo(State.READY);
                    ctx.writeAndFlush(result);
                } else {
                    transitionTo(State.CLOSED);
                    ctx.writeAndFlush(result).addListener(ChannelFutureListener.CLOSE);
                }
            });
        });
    }

    private void offer(Request r) {
        String name = r.arg(0, "");
        long size = r.num(0, -1);
        boolean resume = r.num(1, 0) != 0;
        long id = r.id();
        Path target;
        try {
            target = checkName(name);
        } catch (ProtocolException e) {
            ctx.writeAndFlush(Reply.error(id, e.status(), e.getMessage()));
            return;
        }
        if (size < 0 || offers.containsKey(id)) {
            ctx.writeAndFlush(Reply.error(id, Status.BAD_REQUEST, "bad offer"));
            return;
        }
        Offer o = new Offer(id, sender, name, size, target);
        offers.put(id, o);
        o.decision.whenComplete((yes, err) -> control.execute(() -> {
            if (!Boolean.TRUE.equals(yes)) {
                offers.remove(id);
                Reply no = Reply.error(id, Status.DECLINED, "declined: " + name);
                end(o, no);
                ctx.writeAndFlush(no);
                return;
            }
            try {
                ctx.writeAndFlush(start(o, resume));
            } catch (ProtocolException e) {
                offers.remove(id);
                Reply no = Reply.error(id, e.status(), e.getMessage());
                end(o, no);
                ctx.writeAndFlush(no);
            }
        }));
        gate.offered(o);
    }

    /** Opens the partial file and starts the upload; on the control executor. */
    private Reply start(Offer o, boolean resume) throws ProtocolException {
        if (!ctx.channel().isActive()) {
            throw ProtocolException.of(Status.CANCELLED, "the sender left");
        }
        if (Files.isDirectory(o.target)) {
            throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder here: " + o.name);
        }
        Path partial = folder.root().resolve(PARTIAL_DIR).resolve(Sha256.hex(o.sender + "\0" + o.name) + ".part");
        try {
            Files.createDirectories(partial.getParent());
        } catch (IOException e) {
            throw Store.map(e, o.name);
        }
        LocalUploadSink sink = LocalUploadSink.open(partial, o.target, o.name, o.size, resume, false);
        o.start = sink.start();
        Upload u = new Upload(o.id, o.name, new SerialExecutor(io), rep -> {
            ctx.writeAndFlush(rep);
            end(o, rep);
        }, () -> {
            uploads.remove(o.id);
            offers.remove(o.id);
            end(o, Reply.error(o.id, Status.CANCELLED, "interrupted: " + o.name
                    + " (the part received was kept; the sender may resume with send -a)"));
        }, throttle.pending(), () -> throttle.afterWrite(ctx.channel()));
        uploads.put(o.id, u);
        u.begin(sink);
        return Reply.ok(o.id, List.of(), sink.start());
    }

    private void end(Offer o, Reply result) {
        if (o.ended.compareAndSet(false, true)) {
            gate.finished(o, result);
        }
    }

    /** A plain file name inside the folder (no separators, not hidden). */
    private Path checkName(String name) throws ProtocolException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.startsWith(".") || name.contains("/")
                || name.contains("\\") || name.indexOf('\0') >= 0) {
            throw ProtocolException.of(Status.PATH_REFUSED, "name refused: " + name.replace('\0', '?')
                    + ": a plain, non-hidden file name is required");
        }
        return folder.path(PathRules.resolve(UserPath.ROOT, name), name);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state != State.CLOSED) {
            transitionTo(State.CLOSED);
        }
        uploads.values().forEach(Upload::abort);
        for (Offer o : offers.values()) {
            if (o.decision.complete(false)) {
                end(o, Reply.error(o.id, Status.CANCELLED, "the sender left before a decision: " + o.name));
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException pe) {
            ctx.writeAndFlush(Reply.error(0, pe.status(), pe.getMessage())).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }
}
