package dev.rudp.fileclient.p2p;

import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.PasswordHasher;
import dev.rudp.fileserver.p2p.PeerInbox;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.server.FileServer;
import dev.rudp.fileserver.server.ServerConfig;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A file server on 127.0.0.1 port 0 with accounts alice, bob and carol (cheap scrypt), a manual
 * clock, and helpers for peer-to-peer tests.
 */
final class PeerFixture implements AutoCloseable {
    static final PasswordHasher CHEAP = new PasswordHasher(1 << 10, 8, 1);

    /** Counts the bytes of every datagram read and written where it sits (first in a datagram pipeline). */
    @ChannelHandler.Sharable
    static final class ByteCounter extends ChannelDuplexHandler {
        final AtomicLong bytes = new AtomicLong();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof DatagramPacket p) {
                bytes.addAndGet(p.content().readableBytes());
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof DatagramPacket p) {
                bytes.addAndGet(p.content().readableBytes());
            }
            ctx.write(msg, promise);
        }
    }

    final AtomicLong clock = new AtomicLong(System.nanoTime());
    final FileServer server;

    private PeerFixture(FileServer server) {
        this.server = server;
    }

    static PeerFixture start(Path data) throws Exception {
        return start(data, c -> { });
    }

    static PeerFixture start(Path data, Consumer<ServerConfig> tweak) throws Exception {
        AccountStore s = AccountStore.open(data);
        for (String u : List.of("alice", "bob", "carol")) {
            s.put(new Account(u, false, CHEAP.hash(("secret-" + u).toCharArray())));
        }
        PeerFixture[] self = new PeerFixture[1];
        AtomicLong clock = new AtomicLong(System.nanoTime());
        ServerConfig cfg = new ServerConfig(data).bind(new java.net.InetSocketAddress("127.0.0.1", 0)).hasher(CHEAP)
                .clock(clock::get);
        tweak.accept(cfg);
        PeerFixture f = new PeerFixture(FileServer.start(cfg));
        f.clock.set(clock.get());
        self[0] = f;
        f.serverClock = clock;
        return f;
    }

    /** The server's clock (tickets expire on it). */
    AtomicLong serverClock;

    int port() {
        return server.address().getPort();
    }

    /** The server's DTLS fingerprint, which clients pin. */
    String fingerprint() {
        return server.identity().fingerprint();
    }

    FileConnection login(String user, ChannelHandler first) throws Exception {
        // The server runs DTLS (the default): pin its identity as a user would.
        FileConnection c = FileConnection.connect("127.0.0.1", port(), 5_000, first,
                dev.rudp.fileclient.connection.ServerTrust.fingerprint(fingerprint()));
        c.login(user, ("secret-" + user).toCharArray());
        return c;
    }

    /** Waits (at most 30 s, asking the server round trip after round trip) until {@code user} is listed by PEERS. */
    static void awaitPeer(FileConnection c, String user) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Reply r = c.call(Op.PEERS, List.of());
            if (r.lines().contains(user)) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError(user + " never registered");
    }

    /** A watcher completing with the first finished offer's reply. */
    static final class Arrival implements PeerClient.Watcher {
        final CompletableFuture<Reply> done = new CompletableFuture<>();
        final CompletableFuture<PeerInbox.Offer> offered = new CompletableFuture<>();

        @Override
        public void offered(PeerInbox.Offer offer) {
            offered.complete(offer);
        }

        @Override
        public void finished(PeerInbox.Offer offer, Reply result) {
            done.complete(result);
        }
    }

    static Path randomFile(Path p, long size, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(p)) {
            for (long left = size; left > 0; ) {
                r.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                left -= n;
            }
        }
        return p;
    }

    static final TransferListener QUIET = TransferListener.NONE;

    @Override
    public void close() {
        server.shutdown();
    }
}
