package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.fileserver.protocol.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --session-idle-minutes} (netty-handler's IdleStateHandler, issue 16): a logged-in session
 * that asks nothing is closed after a notice, and the shell's next command reconnects; a transfer
 * slower than the idle time, and the time a session spends in it, is never idle.
 */
@Timeout(90)
class SessionIdleTest {
    private static final long IDLE_MILLIS = 1_500;
    /** Strong reference: JUL keeps loggers weakly, and the handler must stay attached. */

    @TempDir
    Path tmp;

    private ServerLogLines idleCloses;

    @BeforeEach
    void watchLog() {
        idleCloses = ServerLogLines.starting("idle-close ");
    }

    @AfterEach
    void stopWatching() {
        idleCloses.close();
    }

    @Test
    void anIdleSessionIsToldAndClosedAndTheShellsNextCommandReconnects() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"), c -> c.sessionIdleMillis(IDLE_MILLIS))) {
            Files.writeString(s.home("alice").resolve("hello.txt"), "hi");
            // the library: a notice first (the client then knows to reconnect), then the close
            FileConnection c = s.login("alice", "secret-a");
            long t0 = System.nanoTime();
            c.call(Op.LS, List.of(""));
            ServerLogLines.Line line = idleCloses.poll(30, TimeUnit.SECONDS);
            String logged = line == null ? null : line.text();
            assertTrue(logged != null && logged.startsWith("idle-close alice@"), "logged: " + logged);
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waited >= IDLE_MILLIS - 100, "closed after " + waited + " ms, before its idle time");
            c.closed().get(10, TimeUnit.SECONDS); // the close follows the notice through the transport
            assertTrue(c.moving(), "the notice came before the close");
            c.close();

            // the shell: an ls, an idle close, another ls: both answered, one line saying it reconnected
            try (PipedShell shell = new PipedShell(s.port(), s.fingerprint(), "alice", "secret-a")) {
                shell.send("ls");
                ServerLogLines.Line shellClosed = idleCloses.poll(30, TimeUnit.SECONDS);
                assertTrue(shellClosed != null, "the shell's session was not closed for idleness");
                assertTrue(shell.out().contains("hello.txt"), shell.out());
                shell.send("ls");
                assertEquals(0, shell.exit(60), shell.err());
                String text = shell.out();
                assertEquals(2, text.split("hello.txt", -1).length - 1, text);
                assertReconnectedOnce(shell.err(), s.port());
            }
        }
    }

    /** One line: before the command when the client had read the close already, else as the command's rerun. */
    private static void assertReconnectedOnce(String errors, int port) {
        assertTrue(errors.matches("reconnected to 127\\.0\\.0\\.1:" + port
                + " \\(attempt 1 of \\d+\\)(; running ls again)?\\R"), "one line, no error: " + errors);
    }

    @Test
    void aDownloadSlowerThanTheIdleTimeIsNotIdle() throws Exception {
        long rate = 1L << 20;
        long size = 4L << 20; // about 4 s at the limit, more than twice the idle time
        try (TestServer s = TestServer.start(tmp.resolve("data"), c -> c.sessionIdleMillis(IDLE_MILLIS).userRate(rate))) {
            Path remote = TransferEndToEndTest.randomFile(s.home("alice").resolve("slow.bin"), size, 31);
            String sha = Transfers.hashFile(remote);
            try (FileConnection c = s.login("alice", "secret-a"); Transfers t = new Transfers(c)) {
                long t0 = System.nanoTime();
                Transfers.Result r = t.download("slow.bin", tmp.resolve("slow.bin"), false, TransferListener.NONE,
                        new CancelToken());
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertEquals(sha, r.sha256());
                assertTrue(took > 2 * IDLE_MILLIS, "the download took " + took + " ms: too fast to show anything");
                assertFalse(c.moving(), "no idle notice during the download");
                assertTrue(idleCloses.allPolled(), "closed during the download: " + idleCloses.all());
                // and once it has ended, the session is idle like any other
                assertTrue(idleCloses.poll(30, TimeUnit.SECONDS) != null, "not closed once idle");
            }
        }
    }
}
