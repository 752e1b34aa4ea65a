package dev.rudp.fileclient.p2p;

import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpChannelOption;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpMessage;
import dev.rudp.RudpServerCodecBuilder;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.dtls.DtlsException;
import dev.rudp.dtls.ServerCertificateVerifier;
import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.fileserver.p2p.PeerInbox;
import dev.rudp.fileserver.protocol.FrameCodec;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Status;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Peer-to-peer transfers for one logged-in connection to a file server, which only introduces.
 *
 * <p><b>Receiving:</b> {@link #listen} opens a rudp endpoint with DTLS on an ephemeral port (a fresh
 * self-signed certificate per run) and registers its address and certificate fingerprint with the
 * server. A sender must present a one-time ticket, which is checked (and used up) with the server
 * before anything else; each file it then offers is accepted automatically or waits for
 * {@link #accept}/{@link #decline}. Files land as on the server: SHA-256 checked, temporary file then
 * atomic rename, resumable.
 *
 * <p><b>Sending:</b> {@link #send} asks the server for an introduction (the receiver's address,
 * fingerprint and a ticket), connects pinning that fingerprint, presents the ticket and uploads with
 * the ordinary {@link Transfers} engine. Thread-safe.
 */
public final class PeerClient implements AutoCloseable {
    /** Notified of offers and of their outcome (on an I/O thread). */
    public interface Watcher {
        default void offered(PeerInbox.Offer offer) {
        }

        default void finished(PeerInbox.Offer offer, Reply result) {
        }
    }

    /** What the server says about a peer: where it listens, its certificate, and a one-time ticket. */
    public record Intro(String user, String host, int port, String fingerprint, String ticket, long ttlMillis) {
        /** The same introduction with another ticket (tests: forged or replayed tickets). */
        public Intro withTicket(String t) {
            return new Intro(user, host, port, fingerprint, t, ttlMillis);
        }

        /** The same introduction with another fingerprint (tests: identity mismatch). */
        public Intro withFingerprint(String f) {
            return new Intro(user, host, port, f, ticket, ttlMillis);
        }
    }

    private final FileConnection server;
    private final ExecutorService io = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fileclient-peer-io");
        t.setDaemon(true);
        return t;
    });
    /** The open peer links, closed gracefully (what was written is still delivered) before the endpoint. */
    private final ChannelGroup links = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final Map<Integer, PeerInbox.Offer> pending = new ConcurrentSkipListMap<>();
    private final AtomicInteger offerNumbers = new AtomicInteger();
    private volatile Consumer<String> announce = s -> { };
    private volatile Path folder;
    private volatile boolean autoAccept;
    private EventLoopGroup group;
    private Channel endpoint;
    private String fingerprint;
    private InetSocketAddress advertised;

    public PeerClient(FileConnection server) {
        this.server = server;
    }

    /** Where one-line notices go (offers, arrivals); default nowhere. */
    public void announceWith(Consumer<String> sink) {
        this.announce = sink == null ? s -> { } : sink;
    }

    /** Adds a watcher of offers and arrivals. */
    public void watch(Watcher w) {
        watchers.add(w);
    }

    /** Removes a watcher. */
    public void unwatch(Watcher w) {
        watchers.remove(w);
    }

    /**
     * Accepts peer transfers into {@code dir} (created if missing): opens the endpoint if not yet
     * open and (re)registers it. {@code auto}: accept every offer without asking.
     * {@code peerAddress}: the address to advertise (default: the address this client's socket to the
     * server is bound from). Returns the advertised endpoint.
     */
    public synchronized InetSocketAddress listen(Path dir, boolean auto, String peerAddress) throws ClientException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ClientException(ExitCode.LOCAL_IO, "cannot create the receive folder " + dir + ": "
                    + e.getMessage());
        }
        this.folder = dir.toAbsolutePath().normalize();
        this.autoAccept = auto;
        String host = peerAddress != null ? peerAddress : sourceAddressTowards(server.host());
        if (endpoint == null || !endpoint.isActive()) {
            open(peerAddress != null ? new InetSocketAddress(0) : new InetSocketAddress(host, 0));
        }
        advertised = new InetSocketAddress(host, ((InetSocketAddress) endpoint.localAddress()).getPort());
        server.call(Op.PEER_REGISTER, List.of(host, fingerprint), advertised.getPort());
        return advertised;
    }

    /** Changes the folder and auto-accept mode for links opened from now on (listening already). */
    public void mode(Path dir, boolean auto) {
        this.folder = dir.toAbsolutePath().normalize();
        this.autoAccept = auto;
    }

    /** Whether the endpoint is open. */
    public synchronized boolean listening() {
        return endpoint != null && endpoint.isActive();
    }

    /** Whether offers are accepted without asking. */
    public boolean autoAccept() {
        return autoAccept;
    }

    /** The receive folder (null before {@link #listen}). */
    public Path folder() {
        return folder;
    }

    /** The advertised endpoint, or null. */
    public synchronized InetSocketAddress advertised() {
        return advertised;
    }

    /** This run's certificate fingerprint ({@code SHA256:...}), or null before {@link #listen}. */
    public synchronized String fingerprint() {
        return fingerprint;
    }

    /** Stops accepting: withdraws the registration and closes the endpoint. */
    public synchronized void stopListening() {
        if (endpoint == null) {
            return;
        }
        try {
            if (server.isOpen()) {
                server.call(Op.PEER_REGISTER, List.of(), 0);
            }
        } catch (ClientException e) {
            // the server forgets us when the session ends anyway
        }
        closeEndpoint();
    }

    private void open(InetSocketAddress bind) throws ClientException {
        DtlsConfig.KeyAndCertificate kc = DtlsConfig.selfSigned("fileclient peer");
        DtlsConfig dtls = DtlsConfig.serverCertificate(kc.privateKey(), kc.certificate()).build();
        EventLoopGroup g = NativeTransport.newEventLoopGroup(1);
        PeerInbox.Gate gate = new Gate();
        ChannelHandler codec = new RudpServerCodecBuilder().dtls(dtls)
                .option(RudpChannelOption.IDLE_TIMEOUT_MILLIS, 30_000L)
                .option(RudpChannelOption.MAX_CONNECTIONS, 64)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .handler(new ChannelInitializer<RudpChannel>() {
                    @Override
                    protected void initChannel(RudpChannel ch) throws IOException {
                        links.add(ch);
                        ch.pipeline().addLast(new FrameCodec(RudpMessage::unordered), new PeerInbox(folder, io, gate));
                    }
                }).build();
        try {
            endpoint = new Bootstrap().group(g).channel(NativeTransport.datagramChannelClass()).handler(codec)
                    .bind(bind).sync().channel();
            group = g;
            fingerprint = DtlsConfig.fingerprint(kc.certificate());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new ClientException(ExitCode.INTERRUPTED, "interrupted");
        } catch (RuntimeException e) {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new ClientException(ExitCode.LOCAL_IO, "cannot listen on " + bind + ": " + e.getMessage());
        }
    }

    /** The local address the system would use to reach {@code host} (no packet is sent). */
    static String sourceAddressTowards(String host) throws ClientException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(InetAddress.getByName(host), 9);
            InetAddress a = s.getLocalAddress();
            if (a == null || a.isAnyLocalAddress()) {
                throw new ClientException(ExitCode.USAGE, "cannot tell which address peers can reach; use --peer-address");
            }
            return a.getHostAddress();
        } catch (IOException e) {
            throw new ClientException(ExitCode.CONNECT, "cannot tell which address peers can reach (" + e.getMessage()
                    + "); use --peer-address");
        }
    }

    /** The offers waiting for a decision, by number. */
    public Map<Integer, PeerInbox.Offer> pending() {
        pending.values().removeIf(o -> !o.pending());
        return Map.copyOf(pending);
    }

    /** Accepts offer {@code n} (0: all); returns how many were accepted. */
    public int accept(int n) throws ClientException {
        return decide(n, true);
    }

    /** Declines offer {@code n} (0: all); the sender is told. */
    public int decline(int n) throws ClientException {
        return decide(n, false);
    }

    private int decide(int n, boolean yes) throws ClientException {
        List<Integer> which = new ArrayList<>(n == 0 ? pending().keySet() : List.of(n));
        int count = 0;
        for (Integer k : which) {
            PeerInbox.Offer o = pending.remove(k);
            if (o != null && (yes ? o.accept() : o.decline())) {
                count++;
            } else if (n != 0) {
                throw new ClientException(ExitCode.NOT_FOUND, "no pending offer " + n + " (see offers)");
            }
        }
        return count;
    }

    /** The gate of every link: tickets checked with the server, offers numbered or auto-accepted. */
    private final class Gate implements PeerInbox.Gate {
        @Override
        public String redeem(String ticket) throws ProtocolException {
            try {
                return server.call(Op.PEER_REDEEM, List.of(ticket)).lines().get(0);
            } catch (ClientException e) {
                throw ProtocolException.of(Status.TICKET_REFUSED, e.getMessage().startsWith("ticket refused")
                        ? e.getMessage() : "ticket refused: cannot check it with the server: " + e.getMessage());
            }
        }

        @Override
        public void offered(PeerInbox.Offer o) {
            if (autoAccept) {
                watchers.forEach(w -> w.offered(o));
                o.accept();
                announce.accept("receiving " + o.name() + " (" + o.size() + " bytes) from " + o.sender() + " into "
                        + o.target().getParent());
                return;
            }
            int n = offerNumbers.incrementAndGet();
            pending.put(n, o);
            watchers.forEach(w -> w.offered(o));
            announce.accept("offer " + n + " from " + o.sender() + ": " + o.name() + " (" + o.size()
                    + " bytes); accept " + n + " or decline " + n);
        }

        @Override
        public void finished(PeerInbox.Offer o, Reply r) {
            pending.values().remove(o);
            if (r.ok()) {
                announce.accept("received " + o.name() + " from " + o.sender() + ": " + o.size() + " bytes, sha256 "
                        + r.lines().get(0));
            } else if (r.status() != Status.DECLINED) {
                announce.accept("receive of " + o.name() + " from " + o.sender() + " failed: " + r.message());
            }
            watchers.forEach(w -> w.finished(o, r));
        }
    }

    // ---- sending ----------------------------------------------------------------------------------

    /** Asks the server to introduce this user to {@code user}: endpoint, fingerprint, one-time ticket. */
    public Intro introduce(String user) throws ClientException {
        try {
            Reply r = server.call(Op.PEER_TICKET, List.of(user));
            return new Intro(user, r.lines().get(0), (int) r.num(0, 0), r.lines().get(1), r.lines().get(2),
                    r.num(1, 0));
        } catch (ClientException e) {
            if (e.getMessage().startsWith("peer offline")) {
                throw new ClientException(ExitCode.CONNECT, e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Connects to the introduced peer pinning its fingerprint, and presents the ticket. {@code first}
     * (may be null) goes first in the datagram pipeline (tests: the impairment simulator).
     */
    public FileConnection connect(Intro intro, ChannelHandler first) throws ClientException {
        AtomicReference<String> presented = new AtomicReference<>();
        DtlsConfig pin = DtlsConfig.clientCertificateVerifier(ServerCertificateVerifier.pinning((got, peer) -> {
            if (!got.equals(intro.fingerprint())) {
                presented.set(got);
                throw DtlsException.certificateRejected("peer identity mismatch: certificate " + got
                        + " is not the one the server vouched for");
            }
        })).crypto(DtlsConfig.Crypto.BC).build();
        EventLoopGroup g = NativeTransport.newEventLoopGroup(1);
        String where = intro.user() + " at " + intro.host() + ":" + intro.port();
        FileConnection peer;
        try {
            Channel datagram = new Bootstrap().group(g).channel(NativeTransport.datagramChannelClass())
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            if (first != null) {
                                c.pipeline().addLast(first);
                            }
                            c.pipeline().addLast(new RudpClientCodecBuilder().dtls(pin)
                                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                                            new WriteBufferWaterMark(1 << 20, 4 << 20))
                                    .option(RudpChannelOption.IDLE_TIMEOUT_MILLIS, 30_000L).build());
                        }
                    }).bind(0).sync().channel();
            peer = FileConnection.over(g, datagram, new InetSocketAddress(intro.host(), intro.port()), where,
                    Math.min(server.timeoutMillis(), 15_000));
        } catch (ClientException | InterruptedException | RuntimeException e) {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new ClientException(ExitCode.INTERRUPTED, "interrupted");
            }
            if (presented.get() != null) {
                throw new ClientException(ExitCode.CONNECT, "peer identity mismatch: " + where + " presented "
                        + presented.get() + ", the server vouched for " + intro.fingerprint() + "; nothing sent");
            }
            throw new ClientException(ExitCode.CONNECT, "peer offline: cannot reach " + where + " ("
                    + e.getMessage() + ")");
        }
        peer.timeoutMillis(server.timeoutMillis());
        try {
            peer.call(Op.PEER_HELLO, List.of(intro.ticket()));
            return peer;
        } catch (ClientException e) {
            peer.close();
            throw new ClientException(e.code() == ExitCode.REMOTE_ERROR ? ExitCode.AUTH : e.code(),
                    intro.user() + " refused the connection: " + e.getMessage());
        }
    }

    /**
     * Sends {@code files} to {@code user}'s client: introduction, pinned DTLS connection, ticket, then
     * one offer and upload per file ({@code resume}: continue an interrupted one). {@code each} is told
     * every file's result. Stops at the first failure.
     */
    public List<Transfers.Result> send(String user, List<Path> files, boolean resume, Supplier<TransferListener> progress,
            CancelToken cancel, ChannelHandler first, Consumer<String> each) throws ClientException {
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new ClientException(ExitCode.NOT_FOUND, "no such local file: " + f);
            }
        }
        Intro intro = introduce(user);
        List<Transfers.Result> results = new ArrayList<>();
        try (FileConnection peer = connect(intro, first); Transfers t = new Transfers(peer)) {
            peer.cancelWith(cancel);
            for (Path f : files) {
                String name = f.getFileName().toString();
                TransferListener l = progress.get();
                boolean ok = false;
                try {
                    Transfers.Result r = t.upload(f, name, resume, l, cancel);
                    ok = true;
                    l.finished(true);
                    results.add(r);
                    each.accept("sent " + name + " to " + user + ": " + r.size() + " bytes, " + r.digestShown());
                } catch (ClientException e) {
                    String m = e.getMessage();
                    if (m.startsWith("declined")) {
                        throw new ClientException(ExitCode.REMOTE_ERROR, user + " declined " + name);
                    }
                    if (e.code() == ExitCode.TIMEOUT && m.startsWith("no reply")) {
                        throw new ClientException(ExitCode.TIMEOUT, user + " did not answer within "
                                + Math.max(1, peer.timeoutMillis() / 1000) + " s (offer of " + name
                                + " not accepted, or the link stalled)");
                    }
                    throw new ClientException(e.code(), m.replace("reput", "send -a").replace("the server kept",
                            user + " kept"));
                } finally {
                    if (!ok) {
                        l.finished(false);
                    }
                }
            }
        }
        return results;
    }

    private void closeEndpoint() {
        if (endpoint != null) {
            try {
                links.close().await(3, TimeUnit.SECONDS);
                endpoint.close().await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            endpoint = null;
            group = null;
            advertised = null;
        }
    }

    @Override
    public synchronized void close() {
        closeEndpoint();
        pending.values().forEach(PeerInbox.Offer::decline);
        io.shutdown();
    }
}
