package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.batch.BatchRunner;
import dev.rudp.fileclient.commands.ClientContext;
import dev.rudp.fileclient.commands.CommandTable;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Batch runs that end in interrupt (20), partial transfer (23) and lost connection (10). */
@Timeout(60)
class FailureCodesTest {
    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private ClientContext context(FileConnection c, Supplier<TransferListener> progress) {
        return new ClientContext(c, "alice", new PrintWriter(out, true), new PrintWriter(err, true), progress, tmp);
    }

    private static Supplier<TransferListener> onFirstProgress(Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> new TransferListener() {
            @Override
            public void progress(long bytes, long total) {
                if (bytes > 0 && bytes < total && done.compareAndSet(false, true)) {
                    action.run();
                }
            }
        };
    }

    @Test
    void aServerThatNeverAnswersIsATimeoutThirty() throws Exception {
        // a rudp endpoint that accepts connections and swallows every message
        io.netty.channel.ChannelInboundHandlerAdapter blackHole = new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }

            @Override
            public boolean isSharable() {
                return true;
            }
        };
        try (dev.rudp.testing.Loopback lo = dev.rudp.testing.Loopback.start(blackHole)) {
            java.io.ByteArrayOutputStream errBytes = new java.io.ByteArrayOutputStream();
            int code = ClientMain.run(new String[] {"--port", String.valueOf(lo.serverAddress().getPort()),
                "--plaintext", "--timeout", "1", "-c", "ls", "127.0.0.1"}, new java.io.ByteArrayInputStream(new byte[0]),
                    new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                    new java.io.PrintStream(errBytes, true, java.nio.charset.StandardCharsets.UTF_8),
                    java.util.Map.of("FILECLIENT_PASSWORD", "x"), null);
            assertEquals(30, code);
            assertEquals("fileclient: WARNING: --plaintext: encryption is OFF; everything travels in the clear\n"
                    + "fileclient: no reply from the server within 1 s\n",
                    errBytes.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void interruptStopsTheBatchWithTwenty() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data")); FileConnection c = s.login("alice", "secret-a")) {
            TransferEndToEndTest.randomFile(s.home("alice").resolve("big.bin"), 30L << 20, 1);
            BatchRunner[] runner = new BatchRunner[1];
            ClientContext ctx = context(c, onFirstProgress(() -> runner[0].interrupt()));
            runner[0] = new BatchRunner(new CommandTable(), ctx);
            assertEquals(ExitCode.INTERRUPTED, runner[0].run(List.of("get big.bin", "mkdir not-reached").iterator()));
            assertTrue(err.toString().startsWith("get: interrupted: big.bin"), err.toString());
            assertFalse(Files.exists(s.home("alice").resolve("not-reached")));
            ctx.close();
        }
    }

    @Test
    void serverStoppingMidDownloadIsAPartialTransferThenConnectionLost() throws Exception {
        // no drain (--drain-seconds 0): the stop cuts the download (with a drain it would finish; FailoverTest)
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.drainSeconds(0));
                FileConnection c = s.login("alice", "secret-a")) {
            TransferEndToEndTest.randomFile(s.home("alice").resolve("big.bin"), 30L << 20, 2);
            ClientContext ctx = context(c, onFirstProgress(s.server::shutdownAsync));
            BatchRunner runner = new BatchRunner(new CommandTable(), ctx);
            assertEquals(ExitCode.PARTIAL, runner.run(List.of("get big.bin").iterator()), err.toString());
            assertTrue(err.toString().contains("continue with reget"), err.toString());
            assertTrue(Files.exists(tmp.resolve("big.bin.part")));
            assertFalse(Files.exists(tmp.resolve("big.bin")));
            s.server.terminated().join();
            assertEquals(ExitCode.CONNECTION_LOST, new BatchRunner(new CommandTable(), ctx)
                    .run(List.of("ls").iterator()));
            ctx.close();
        }
    }
}
