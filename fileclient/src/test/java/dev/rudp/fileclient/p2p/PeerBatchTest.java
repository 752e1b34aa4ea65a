package dev.rudp.fileclient.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.ClientMain;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.fileserver.storage.local.StoredDigest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code receive} and {@code send} in batch mode, through {@link ClientMain}, with their exit codes. */
@Timeout(120)
class PeerBatchTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run client(PeerFixture s, String user, String commands) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("--port", String.valueOf(s.port()), "--user", user,
                "--fingerprint", s.fingerprint(), "--connect-timeout", "5", "-q", "-c", commands, "127.0.0.1"));
        int code = ClientMain.run(argv.toArray(String[]::new), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("FILECLIENT_PASSWORD", "secret-" + user), null);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void receiveReturnsZeroOnceTheFileArrivedIntact() throws Exception {
        Path file = PeerFixture.randomFile(tmp.resolve("doc.bin"), 3L << 20, 21);
        String sha = Transfers.hashFile(file);
        Path inbox = tmp.resolve("inbox");
        try (PeerFixture s = PeerFixture.start(tmp.resolve("data"));
                FileConnection watcher = s.login("carol", null)) {
            CompletableFuture<Run> bob = CompletableFuture.supplyAsync(() -> client(s, "bob",
                    "receive --count 1 --timeout 30 " + inbox));
            PeerFixture.awaitPeer(watcher, "bob");
            Run alice = client(s, "alice", "peers; send bob " + file);
            assertEquals(0, alice.code(), alice.err());
            assertTrue(alice.out().contains("fileclient> peers\nbob\n"), alice.out());
            assertTrue(alice.out().contains("sent doc.bin to bob: " + (3L << 20) + " bytes, sha256 " + sha), alice.out());
            Run r = bob.get(60, TimeUnit.SECONDS);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("received doc.bin from alice"), r.out());
            assertEquals(sha, Transfers.hashFile(inbox.resolve("doc.bin")));
            assertNull(StoredDigest.lookup(inbox.resolve("doc.bin"), null, -1),
                    "a digest is kept only in the server's storage, not in a user's own folder");
        }
    }

    @Test
    void receiveTimesOutWithCode30AndSendToAnOfflineUserFailsWithCode5() throws Exception {
        try (PeerFixture s = PeerFixture.start(tmp.resolve("data"))) {
            Run r = client(s, "bob", "receive --count 1 --timeout 1 " + tmp.resolve("inbox"));
            assertEquals(30, r.code(), r.err());
            assertTrue(r.err().contains("receive: timeout: 0 of 1 files arrived within 1 s"), r.err());
            Path f = java.nio.file.Files.writeString(tmp.resolve("a.txt"), "a");
            Run a = client(s, "alice", "send carol " + f);
            assertEquals(5, a.code(), a.err());
            assertTrue(a.err().contains("send: peer offline: carol"), a.err());
            Run u = client(s, "alice", "receive --count x");
            assertEquals(1, u.code(), u.err());
        }
    }
}
