package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full server answers "busy" at once through the real client, and a client that falls silent in
 * the middle of a download costs the server no more than the window and ends at the idle timeout.
 */
@Timeout(90)
class BusyAndIdleTest {
    @TempDir
    Path tmp;

    /** Strong reference: JUL keeps loggers weakly, and the handler must stay attached. */

    @Test
    void aFullServerSaysBusyAtOnceWithExitFive() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"), c -> c.maxSessions(1));
                FileConnection holder = s.login("bob", "secret-b")) {
            for (int i = 0; i < 3; i++) { // a refused connection holds no slot and no state
                BatchModeTest.Run r = BatchModeTest.client(s, "secret-a", "", "--connect-timeout", "30", "-c", "ls");
                assertEquals(5, r.code(), r.err());
                assertTrue(r.err().contains("too many sessions: the server allows 1; try again later"), r.err());
            }
            // the session holding the slot is unaffected (an error reply would throw)
            holder.call(dev.rudp.fileserver.protocol.Op.PWD, java.util.List.of());
        }
    }

    /** Drops every datagram the client would send once switched on: no ACKs, no keepalives, nothing. */
    private static final class Silence extends ChannelOutboundHandlerAdapter {
        volatile boolean on;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (on) {
                ReferenceCountUtil.release(msg);
                promise.setSuccess();
            } else {
                ctx.write(msg, promise);
            }
        }
    }

    @Test
    void aClientThatStopsAckingMidDownloadCostsAWindowAndEndsAtTheIdleTimeout() throws Exception {
        long idleMillis = 2_000;
        long fileSize = 96L << 20;
        ServerLogLines disconnects = ServerLogLines.starting("disconnect alice@");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        ByteBufAllocatorMetric memory = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        try (TestServer s = TestServer.start(tmp.resolve("data"), c -> c.idleTimeoutMillis(idleMillis))) {
            TransferEndToEndTest.randomFile(s.home("alice").resolve("big.bin"), fileSize, 7);
            Silence silence = new Silence();
            FileConnection c = s.connect(10_000, silence);
            c.login("alice", "secret-a".toCharArray());
            long before = memory.usedDirectMemory() + memory.usedHeapMemory();
            CompletableFuture<Long> silentAt = new CompletableFuture<>();
            pool.submit(() -> {
                try (Transfers t = new Transfers(c)) {
                    t.download("big.bin", tmp.resolve("big.bin"), false, new TransferListener() {
                        @Override
                        public void progress(long done, long total) {
                            if (done >= 2L << 20 && !silence.on) {
                                silence.on = true;
                                silentAt.complete(System.nanoTime());
                            }
                        }
                    }, new CancelToken());
                }
                return null; // fails once the connection is gone: expected
            });
            long t0 = silentAt.get(30, TimeUnit.SECONDS);
            long window = c.stats().receiveWindow();
            long peak = 0;
            // sample what the process holds in Netty buffers until the server ends the session
            ServerLogLines.Line ended;
            while ((ended = disconnects.poll(50, TimeUnit.MILLISECONDS)) == null) {
                peak = Math.max(peak, memory.usedDirectMemory() + memory.usedHeapMemory() - before);
                assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(idleMillis + 20_000),
                        "the session outlived its idle timeout by 20 s");
            }
            long waited = (ended.atNanos() - t0) / 1_000_000;
            // the server's unacknowledged data (at most the window the client granted), the session's
            // unsent queue (4 MiB high water mark) and one pump batch (64 x 128 KiB); the client's own
            // receive buffers (another window) live in this process too
            long bound = 2 * window + (4L << 20) + (8L << 20) + (4L << 20);
            System.out.printf("silent client: window %d KiB, peak %d KiB held, bound %d KiB, file %d KiB;"
                    + " session ended %d ms after the silence (idle timeout %d ms)%n", window >> 10, peak >> 10,
                    bound >> 10, fileSize >> 10, waited, idleMillis);
            assertTrue(peak <= bound, "held " + peak + " bytes, bound " + bound);
            assertTrue(peak < fileSize / 2, "the file was not buffered");
            assertTrue(waited >= idleMillis - 50, "ended before the idle timeout: " + waited + " ms");
            c.close();
        } finally {
            pool.shutdownNow();
            disconnects.close();
        }
    }
}
