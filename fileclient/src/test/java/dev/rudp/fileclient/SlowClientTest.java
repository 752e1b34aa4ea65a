package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.NativeTransport;
import dev.rudp.RudpChannel;
import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.fileserver.protocol.Data;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A client that stops reading mid-download, or sends garbage, stalls no one else. */
@Timeout(60)
class SlowClientTest {
    @TempDir
    Path tmp;

    /** Logs in, starts a download, and stops reading after the first data chunk. */
    private static final class Stuck extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Reply> login = new CompletableFuture<>();
        final CountDownLatch firstData = new CountDownLatch(1);

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Reply r && r.id() == 1) {
                    login.complete(r);
                } else if (msg instanceof Data) {
                    ctx.channel().config().setAutoRead(false);
                    firstData.countDown();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    @Test
    void aClientThatStopsReadingStallsNoOneElse() throws Exception {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            TransferEndToEndTest.randomFile(s.home("alice").resolve("huge.bin"), 64L << 20, 1);
            Channel datagram = TestServer.rawDatagram(group);
            Stuck stuck = new Stuck();
            RudpChannel ch = s.rawProtocolConnect(datagram, stuck);
            ch.writeAndFlush(Request.of(1, Op.LOGIN, List.of("alice", "secret-a")));
            assertTrue(stuck.login.get(10, TimeUnit.SECONDS).ok());
            ch.writeAndFlush(Request.of(2, Op.GET, List.of("huge.bin"), 0L));
            assertTrue(stuck.firstData.await(10, TimeUnit.SECONDS));

            Path local = TransferEndToEndTest.randomFile(tmp.resolve("small.bin"), 4L << 20, 2);
            String crc = TransferEndToEndTest.crc32c(local);
            try (FileConnection c = s.login("bob", "secret-b"); Transfers t = new Transfers(c)) {
                long t0 = System.nanoTime();
                assertEquals(crc, t.upload(local, "small.bin", false, TransferListener.NONE, new CancelToken())
                        .crc32c());
                assertEquals(crc, t.download("small.bin", tmp.resolve("back.bin"), false, TransferListener.NONE,
                        new CancelToken()).crc32c());
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "others are served promptly");
            }
            ch.close().sync();
            datagram.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aConnectionThatNeverLogsInIsClosed() throws Exception {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        // The timer starts when the server's end of the handshake completes; the client's ends a little
        // later (and a DTLS flight lost under a loaded CI machine retransmits after 1 s): 2 s keeps the
        // notice from racing the client's own handshake (300 ms lost it once on two busy cores).
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.loginTimeoutMillis(2_000))) {
            Channel datagram = TestServer.rawDatagram(group);
            CompletableFuture<Reply> notice = new CompletableFuture<>();
            RudpChannel ch = s.rawProtocolConnect(datagram, new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof Reply r) {
                        notice.complete(r);
                    }
                    ReferenceCountUtil.release(msg);
                }
            });
            Reply r = notice.get(10, TimeUnit.SECONDS);
            assertEquals(0, r.id());
            assertEquals("no login within 2000 ms", r.message());
            ch.closeFuture().await(10, TimeUnit.SECONDS);
            assertTrue(!ch.isActive());
            datagram.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void garbageClosesOnlyThatSession() throws Exception {
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            Channel datagram = TestServer.rawDatagram(group);
            CompletableFuture<Void> closed = new CompletableFuture<>();
            RudpChannel ch = s.rawConnect(datagram, new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ReferenceCountUtil.release(msg);
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    closed.complete(null);
                }
            });
            ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 9, 0, 0, 0, 0, 0, 0, 0, 1, 42}));
            closed.get(10, TimeUnit.SECONDS);
            try (FileConnection c = s.login("alice", "secret-a")) {
                assertEquals(List.of("~"), c.call(Op.PWD, List.of()).lines());
            }
            datagram.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
