package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rudp.NativeTransport;
import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server on two event loops (two SO_REUSEPORT sockets on one address, {@code serve --loops 2}):
 * twenty clients, each on its own source port so the kernel spreads them over both sockets, upload
 * and download at once, every file intact by SHA-256 on both ends.
 */
@Timeout(240)
class ReusePortEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void twoLoopServerMovesTwentyConcurrentTransfersIntact() throws Exception {
        assumeTrue(NativeTransport.isEpoll(), "SO_REUSEPORT sockets need the epoll transport");
        int clients = 20;
        try (TestServer s = TestServer.start(tmp.resolve("data"), c -> c.loops(2))) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    int n = i;
                    results.add(pool.submit(() -> {
                        Path local = TransferEndToEndTest.randomFile(tmp.resolve("in-" + n), (1L << 20) + n * 4099L,
                                300 + n);
                        String sha = Transfers.hashFile(local);
                        String user = n % 2 == 0 ? "alice" : "bob";
                        // a generous connect timeout: twenty DTLS handshakes at once on a cold, shared machine
                        try (FileConnection c = s.connect(60_000, null); Transfers t = new Transfers(c)) {
                            c.login(user, (user.equals("alice") ? "secret-a" : "secret-b").toCharArray());
                            assertEquals(sha, t.upload(local, "f-" + n, false, TransferListener.NONE,
                                    new CancelToken()).sha256());
                            Path back = tmp.resolve("out-" + n);
                            assertEquals(sha, t.download("f-" + n, back, false, TransferListener.NONE,
                                    new CancelToken()).sha256());
                            assertEquals(sha, Transfers.hashFile(back));
                            assertEquals(sha, Transfers.hashFile(s.home(user).resolve("f-" + n)));
                        }
                        return sha;
                    }));
                }
                for (Future<String> f : results) {
                    f.get(200, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
