package dev.rudp.fileclient;

import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.RudpClientCodecBuilder;
import dev.rudp.RudpMessage;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.PasswordHasher;
import dev.rudp.fileserver.protocol.FrameCodec;
import dev.rudp.fileserver.server.FileServer;
import dev.rudp.fileserver.server.ServerConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A file server on 127.0.0.1 port 0 over a temporary data folder, with accounts "alice"
 * (password "secret-a"), "bob" ("secret-b") and admin "root" ("secret-r"), hashed with a cheap
 * scrypt cost so tests stay fast.
 */
final class TestServer implements AutoCloseable {
    static final PasswordHasher CHEAP = new PasswordHasher(1 << 10, 8, 1);

    final Path data;
    final FileServer server;

    private TestServer(Path data, FileServer server) {
        this.data = data;
        this.server = server;
    }

    static TestServer start(Path data, Consumer<ServerConfig> tweak) throws Exception {
        return start(data, CHEAP, tweak);
    }

    /** As {@link #start(Path, Consumer)}, with the accounts' passwords hashed at {@code cost}. */
    static TestServer start(Path data, PasswordHasher cost, Consumer<ServerConfig> tweak) throws Exception {
        AccountStore s = AccountStore.open(data);
        s.put(new Account("alice", false, cost.hash("secret-a".toCharArray())));
        s.put(new Account("bob", false, cost.hash("secret-b".toCharArray())));
        s.put(new Account("root", true, cost.hash("secret-r".toCharArray())));
        ServerConfig cfg = new ServerConfig(data).bind(new java.net.InetSocketAddress("127.0.0.1", 0))
                .hasher(cost);
        tweak.accept(cfg);
        return new TestServer(data, FileServer.start(cfg));
    }

    static TestServer start(Path data) throws Exception {
        return start(data, c -> { });
    }

    int port() {
        return server.address().getPort();
    }

    /**
     * A bare client end on {@code group}, for tests that speak the protocol themselves: a datagram
     * channel with the DTLS client codec, trusting any server certificate. Close it after its connection.
     */
    static Channel rawDatagram(EventLoopGroup group) throws InterruptedException {
        return new Bootstrap().group(group).channel(NativeTransport.datagramChannelClass())
                .handler(new RudpClientCodecBuilder().dtls(DtlsConfig.clientCertificateVerifier((chain, peer) -> { })
                        .build()).build()).bind(0).sync().channel();
    }

    /** A connection to this server over {@code datagram} ({@link #rawDatagram}) with {@code handler}; no login. */
    RudpChannel rawConnect(Channel datagram, ChannelHandler handler) throws Exception {
        return RudpChannel.newBootstrap(datagram).remoteAddress(new InetSocketAddress("127.0.0.1", port()))
                .handler(handler).connect().get(10, TimeUnit.SECONDS);
    }

    /** As {@link #rawConnect}, with the file protocol's codec before {@code handler}: it reads replies and data. */
    RudpChannel rawProtocolConnect(Channel datagram, ChannelHandler handler) throws Exception {
        return rawConnect(datagram, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addLast(new FrameCodec(RudpMessage::unordered), handler);
            }
        });
    }

    /** The server-side home folder of {@code user}. */
    Path home(String user) throws IOException {
        Path h = data.resolve("home").resolve(user);
        Files.createDirectories(h);
        return h;
    }

    /** The server's DTLS fingerprint, which the test helpers pin. */
    String fingerprint() {
        return server.identity().fingerprint();
    }

    /** Trusts exactly this server. */
    ServerTrust trust() {
        return ServerTrust.fingerprint(fingerprint());
    }

    /** Connects, pinning this server's fingerprint; {@code first} (may be null) goes first in the datagram pipeline. */
    FileConnection connect(long timeoutMillis, io.netty.channel.ChannelHandler first) throws Exception {
        return FileConnection.connect("127.0.0.1", port(), timeoutMillis, first, trust());
    }

    FileConnection login(String user, String password) throws Exception {
        FileConnection c = connect(5_000, null);
        c.login(user, password.toCharArray());
        return c;
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
