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
import dev.rudp.fileserver.storage.KnownDigests;
import dev.rudp.fileserver.storage.local.StoredDigest;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that does not send {@link Op#FLAG_NO_SHA256} (an older one) still gets the file's SHA-256
 * in every reply, also for a file whose upload left it out: the server computes it then, and
 * records it beside the CRC32C for the next download.
 */
@Timeout(60)
class OlderClientDigestTest {
    @TempDir
    Path tmp;

    /** Replies in arrival order; data chunks counted and released. */
    private static final class Replies extends ChannelInboundHandlerAdapter {
        final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
        final AtomicLong dataBytes = new AtomicLong();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Reply r) {
                    replies.add(r);
                } else if (msg instanceof Data d) {
                    dataBytes.addAndGet(d.content().readableBytes());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        Reply next(long id) throws InterruptedException {
            Reply r = replies.poll(20, TimeUnit.SECONDS);
            assertTrue(r != null, "no reply to " + id);
            assertEquals(id, r.id(), "reply to " + id + ": " + r.message());
            return r;
        }
    }

    @Test
    void aClientWithoutTheFlagGetsTheSha256OfAFileUploadedWithout() throws Exception {
        Path local = TransferEndToEndTest.randomFile(tmp.resolve("f.bin"), 3L << 20, 40);
        String sha = Transfers.hashFile(local);
        String crc = TransferEndToEndTest.crc32c(local);
        EventLoopGroup group = NativeTransport.newEventLoopGroup(1);
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            try (FileConnection c = s.login("alice", "secret-a"); Transfers t = new Transfers(c)) {
                assertEquals("", t.upload(local, "f.bin", false, TransferListener.NONE, new CancelToken()).sha256());
            }
            Path onServer = s.home("alice").resolve("f.bin");
            Assumptions.assumeTrue(StoredDigest.lookupAll(onServer, null, -1) != null,
                    "no user attributes here: nothing is recorded, so every download hashes anyway");
            assertEquals(new KnownDigests(null, crc), StoredDigest.lookupAll(onServer, null, -1));

            Channel datagram = TestServer.rawDatagram(group);
            Replies in = new Replies();
            RudpChannel ch = s.rawProtocolConnect(datagram, in);
            ch.writeAndFlush(Request.of(1, Op.LOGIN, List.of("alice", "secret-a")));
            assertTrue(in.next(1).ok());

            // a whole-file GET asking for the CRC32C only as older clients do: both digests come
            ch.writeAndFlush(Request.of(2, Op.GET, List.of("f.bin"), 0L, Op.FLAG_CRC32C));
            Reply started = in.next(2);
            assertEquals(List.of(Op.CRC32C), started.lines());
            Reply end = in.next(2);
            assertTrue(end.ok(), end.message());
            assertEquals(List.of(sha, crc), end.lines());
            assertEquals(Files.size(local), in.dataBytes.get());
            assertEquals(new KnownDigests(sha, crc), StoredDigest.lookupAll(onServer, null, -1),
                    "computed once, recorded for the next download");

            // an upload without the flag is answered with its SHA-256
            byte[] content = Files.readAllBytes(local);
            ch.writeAndFlush(Request.of(3, Op.PUT, List.of("g.bin"), content.length, 0, Op.FLAG_CRC32C));
            Reply put = in.next(3);
            assertEquals(List.of(Op.CRC32C), put.lines());
            for (int off = 0; off < content.length; off += Data.CHUNK) {
                int n = Math.min(Data.CHUNK, content.length - off);
                ch.writeAndFlush(new Data(3, off, Unpooled.wrappedBuffer(content, off, n))).sync();
            }
            ch.writeAndFlush(Request.of(4, Op.PUT_DONE, List.of(crc), 3));
            Reply done = in.next(4);
            assertTrue(done.ok(), done.message());
            assertEquals(List.of(sha), done.lines());
            assertEquals(new KnownDigests(sha, crc), StoredDigest.lookupAll(s.home("alice").resolve("g.bin"), null, -1));
            ch.close().sync();
            datagram.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
