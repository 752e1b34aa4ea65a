package dev.rudp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rudp.channel.RudpCodec;
import dev.rudp.dtls.DtlsConfig;
import dev.rudp.dtls.DtlsConfig.KeyAndCertificate;
import dev.rudp.testing.BulkSender;
import dev.rudp.testing.DigestReceiver;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * One address served by two event loops on SO_REUSEPORT sockets. Every client has its own socket (its
 * own source port), so the kernel spreads them over both server sockets. While the transfers are
 * held mid-way by the server's flow control, a third socket joins the address: the kernel then sends
 * part of the clients' datagrams to it, which owns none of their connections and must hand every one
 * to its owner. All transfers still arrive intact.
 */
class ReusePortTest {
    private static final KeyAndCertificate SERVER_KEY = DtlsConfig.selfSigned("rudp reuseport test");
    /** Enough clients that a socket joining the set moves some of them (each stays with chance about 2/3). */
    private static final int CLIENTS = 32;
    private static final long WINDOW = 256 << 10;
    /** Three windows: no transfer can finish while the server does not read. */
    private static final long BYTES = 3 * WINDOW;

    @Test
    void plaintextConnectionsSurviveASocketJoiningTheAddress() throws Exception {
        run(CLIENTS, b -> { }, b -> { });
    }

    @Test
    void dtlsConnectionsSurviveASocketJoiningTheAddress() throws Exception {
        run(CLIENTS / 2, b -> b.dtls(DtlsConfig.serverCertificate(SERVER_KEY.privateKey(), SERVER_KEY.certificate())
                .build()), b -> b.dtls(DtlsConfig.clientCertificateVerifier((chain, peer) -> { }).build()));
    }

    private static void run(int clients, Consumer<RudpServerCodecBuilder> serverConfig,
            Consumer<RudpClientCodecBuilder> clientConfig) throws Exception {
        assumeTrue(NativeTransport.isEpoll(), "SO_REUSEPORT sockets need the epoll transport");
        Queue<DigestReceiver> receivers = new ConcurrentLinkedQueue<>();
        RudpServerCodecBuilder sb = new RudpServerCodecBuilder()
                .option(RudpChannelOption.INITIAL_WINDOW, WINDOW)
                .option(RudpChannelOption.MAX_MESSAGE_SIZE, (int) WINDOW)
                .childOption(io.netty.channel.ChannelOption.AUTO_READ, false) // hold every transfer mid-way
                .handler(new ChannelInitializer<RudpChannel>() {
                    @Override
                    protected void initChannel(RudpChannel ch) {
                        DigestReceiver r = new DigestReceiver(BYTES, true);
                        receivers.add(r);
                        ch.pipeline().addLast(r);
                    }
                }).loops(2);
        serverConfig.accept(sb);
        RudpClientCodecBuilder cb = new RudpClientCodecBuilder();
        clientConfig.accept(cb);
        EventLoopGroup serverGroup = NativeTransport.newEventLoopGroup(3);
        EventLoopGroup clientGroup = NativeTransport.newEventLoopGroup(2);
        List<Channel> clientSockets = new ArrayList<>();
        RudpServerSockets server = sb.bind(serverGroup, new InetSocketAddress("127.0.0.1", 0));
        try {
            assertEquals(2, server.channels().size());
            List<BulkSender> senders = new ArrayList<>();
            List<Future<RudpChannel>> connects = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Channel socket = new Bootstrap().group(clientGroup).channel(NativeTransport.datagramChannelClass())
                        .handler(cb.build()).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
                clientSockets.add(socket);
                BulkSender s = new BulkSender(BYTES, 16 * 1024, 7000 + i, Delivery.ORDERED, false);
                senders.add(s);
                connects.add(RudpChannel.newBootstrap(socket).handler(s).remoteAddress(server.localAddress())
                        .connectTimeoutMillis(60_000).connect());
            }
            for (Future<RudpChannel> f : connects) {
                f.get(90, TimeUnit.SECONDS);
            }
            int first = connections(server.channels().get(0));
            int second = connections(server.channels().get(1));
            assertEquals(clients, first + second, () -> "connections over both sockets; clients: " + describe(connects));
            assertTrue(first > 0 && second > 0, "the kernel spread the clients: " + first + " + " + second);

            EventLoop third = distinctThirdLoop(serverGroup, server);
            Channel joined = server.addSocket(third);
            long reroutedBefore = server.rerouted();
            assertEquals(clients, receivers.size(), "server connections");
            for (DigestReceiver r : receivers) {
                RudpChannel ch = r.channel();
                ch.eventLoop().execute(() -> ch.config().setAutoRead(true));
            }
            for (int i = 0; i < clients; i++) {
                try {
                    byte[] sent = senders.get(i).sent.get(60, TimeUnit.SECONDS);
                    byte[] echoed = senders.get(i).reply.get(60, TimeUnit.SECONDS);
                    assertArrayEquals(sent, echoed, "client " + i + " digest");
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("client " + i + " stalled: " + connects.get(i).getNow().stats() + "; "
                            + describe(connects), e);
                }
            }
            long rerouted = server.rerouted() - reroutedBefore;
            assertTrue(rerouted > 0, "datagrams the joined socket handed to their owners");
            System.out.printf("%d clients, %d datagrams rerouted%n", clients, rerouted);
            assertEquals(0, connections(joined), "the joined socket took no connection of its own");
            assertEquals(clients, receivers.size());
        } finally {
            for (Channel c : clientSockets) {
                c.close().sync();
            }
            server.close().sync();
            clientGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
            serverGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }

    /** The clients' connections that are not open, with why: a failure's context. */
    private static String describe(List<Future<RudpChannel>> connects) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < connects.size(); i++) {
            RudpChannel ch = connects.get(i).getNow();
            if (ch != null && !ch.isActive()) {
                b.append(i).append(": closed ").append(ch.closeCode()).append("; ");
            }
        }
        return b.length() == 0 ? "all open" : b.toString();
    }

    private static int connections(Channel socket) throws Exception {
        RudpCodec codec = socket.pipeline().get(RudpCodec.class);
        return socket.eventLoop().submit(codec::connectionCount).get(10, TimeUnit.SECONDS);
    }

    private static EventLoop distinctThirdLoop(EventLoopGroup group, RudpServerSockets server) {
        List<EventLoop> used = new ArrayList<>();
        for (Channel c : server.channels()) {
            used.add(c.eventLoop());
        }
        for (io.netty.util.concurrent.EventExecutor e : group) {
            if (!used.contains(e)) {
                return (EventLoop) e;
            }
        }
        throw new AssertionError("no third event loop");
    }
}
