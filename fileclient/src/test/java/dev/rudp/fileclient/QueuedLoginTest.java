package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.auth.PasswordHasher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst of password logins queued behind a server with one hashing thread, at the real scrypt cost,
 * slows down and never fails (issue 16): each real client (batch mode, {@code --timeout 4}, so that
 * the queue soon outlasts its reply timeout) gets interim QUEUED replies, shows
 * {@code server busy, waiting (N ahead)} once, and logs in.
 */
@Timeout(180)
class QueuedLoginTest {
    private static final int CLIENTS = 8;
    private static final String BUSY = "fileclient: server busy, waiting (";

    @TempDir
    Path tmp;

    @Test
    void loginsQueuedBehindOneHashingThreadAllSucceedAndSayTheyWait() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try (TestServer s = TestServer.start(tmp.resolve("data"), PasswordHasher.DEFAULT, c -> c.loginThreads(1))) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<BatchModeTest.Run>> runs = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                runs.add(pool.submit(() -> {
                    go.await();
                    return BatchModeTest.client(s, "secret-a", "", "--connect-timeout", "60", "--timeout", "4",
                            "-c", "pwd");
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            int waited = 0;
            StringBuilder report = new StringBuilder();
            for (Future<BatchModeTest.Run> f : runs) {
                BatchModeTest.Run r = f.get(150, TimeUnit.SECONDS);
                report.append("exit ").append(r.code()).append(": ").append(r.err().strip()).append('\n');
                assertEquals(0, r.code(), "a queued login failed:\n" + r.err());
                assertTrue(r.out().contains("~"), r.out());
                int lines = r.err().split(java.util.regex.Pattern.quote(BUSY), -1).length - 1;
                assertTrue(lines <= 1, "the busy line is shown once per login, not per interim reply:\n" + r.err());
                waited += lines;
            }
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("%d logins in %d ms, %d told they wait%n%s", CLIENTS, tookMillis, waited, report);
            // With one hashing thread, every login that arrives while another is checked waits.
            assertTrue(waited >= 1, "no login was queued, so this proves nothing:\n" + report);
        } finally {
            pool.shutdownNow();
        }
    }
}
