package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's bandwidth limits ({@code --user-rate}, {@code --total-rate}) hold for uploads and
 * downloads, per account over all its sessions and for the whole server, and one account at its
 * limit does not hold back another. Behaviour, not speed: each transfer's rate is measured over a
 * bounded window (the whole call, or the time several transfers ran together) and must lie within
 * a band around the limit. The limits are far below what loopback carries, so only the shaping can
 * explain a rate in the band. The shaper holds the limit from its start, so the top of the band is
 * tight (a pause's credit of 0.2 s and one message); the bottom is wide because the transport's
 * start and a shared machine may slow a transfer below the limit.
 */
@Timeout(120)
class RateLimitTest {
    /** 1 MiB/s: well under what two shared cores move over loopback, above the shaper's granularity. */
    private static final long RATE = 1L << 20;
    private static final long SIZE = 3L << 20;
    /** Two shared cores under other builds (load average 27 seen) slow a transport well below 1 MiB/s. */
    private static final double LOW = 0.35;
    private static final double HIGH = 1.2;

    @TempDir
    Path tmp;

    private ExecutorService pool;

    @BeforeEach
    void pool() {
        pool = Executors.newFixedThreadPool(4);
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** Progress samples of one transfer (time, bytes done), and when its call returned. */
    private static final class Meter implements TransferListener {
        private final List<long[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        private volatile long total = -1;
        /** When the transfer's call began. */
        private final long markNanos = System.nanoTime();
        private volatile long endNanos = -1;

        @Override
        public void started(String name, long start, long total) {
            this.total = total;
        }

        @Override
        public void progress(long done, long total) {
            long now = System.nanoTime();
            samples.add(new long[] {now, done});
        }

        void ended() {
            endNanos = System.nanoTime();
            samples.add(new long[] {endNanos, total});
        }

        /** Bytes done at {@code nanos} (the last sample at or before it). */
        long doneAt(long nanos) {
            long done = 0;
            synchronized (samples) {
                for (long[] s : samples) {
                    if (s[0] <= nanos) {
                        done = s[1];
                    }
                }
            }
            return done;
        }

        /** Bytes per second over the whole transfer. */
        double rate() {
            return rateOf(List.of(this));
        }
    }

    /**
     * Bytes per second of {@code meters} together while all of them ran: from the latest start to the
     * earliest end.
     */
    private static double rateOf(List<Meter> meters) {
        long from = meters.stream().mapToLong(m -> m.markNanos).max().orElseThrow();
        long to = meters.stream().mapToLong(m -> m.endNanos).min().orElseThrow();
        assertTrue(to > from, "the transfers overlapped");
        long bytes = meters.stream().mapToLong(m -> m.doneAt(to) - m.doneAt(from)).sum();
        return bytes / ((to - from) / 1e9);
    }

    private Meter download(FileConnection c, String remote, String local) throws Exception {
        try (Transfers t = new Transfers(c)) {
            Meter m = new Meter();
            t.download(remote, tmp.resolve(local), false, m, new CancelToken());
            m.ended();
            return m;
        }
    }

    private Meter upload(FileConnection c, Path local, String remote) throws Exception {
        try (Transfers t = new Transfers(c)) {
            Meter m = new Meter();
            t.upload(local, remote, false, m, new CancelToken());
            m.ended();
            return m;
        }
    }

    private static void assertNear(double limit, double rate, String what) {
        System.out.printf("%s: %.0f KiB/s, limit %.0f KiB/s%n", what, rate / 1024, limit / 1024);
        assertTrue(rate >= LOW * limit && rate <= HIGH * limit, String.format(
                "%s: %.0f KiB/s, limit %.0f KiB/s (band %.2f..%.2f)", what, rate / 1024, limit / 1024, LOW, HIGH));
    }

    @Test
    void aUserRateHoldsForDownloadsAndUploadsAndShowsInTheLoginReply() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.userRate(RATE))) {
            TransferEndToEndTest.randomFile(s.home("alice").resolve("f.bin"), SIZE, 1);
            Path local = TransferEndToEndTest.randomFile(tmp.resolve("up.bin"), SIZE, 2);
            try (FileConnection c = s.login("alice", "secret-a")) {
                assertArrayEquals(new long[] {RATE, 0}, c.rateLimits());
                assertNear(RATE, download(c, "f.bin", "f.bin").rate(), "download");
                assertNear(RATE, upload(c, local, "up.bin").rate(), "upload");
            }
            assertEquals(Transfers.hashFile(local), Transfers.hashFile(s.home("alice").resolve("up.bin")));
        }
    }

    @Test
    void statsShowsTheServersLimits() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.userRate(20L << 20))) {
            BatchModeTest.Run r = BatchModeTest.client(s, "secret-a", "", "--connect-timeout", "30", "-q", "-c", "stats");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("server rate limits (each way): per account 20.0MiB/s, whole server none\n"),
                    r.out());
        }
    }

    @Test
    void anAccountsSessionsShareItsRateAndDoNotSlowAnotherAccount() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.userRate(RATE))) {
            TransferEndToEndTest.randomFile(s.home("alice").resolve("f.bin"), SIZE, 1);
            TransferEndToEndTest.randomFile(s.home("bob").resolve("f.bin"), 2 * SIZE, 3);
            try (FileConnection a1 = s.login("alice", "secret-a"); FileConnection a2 = s.login("alice", "secret-a");
                    FileConnection b = s.login("bob", "secret-b")) {
                Future<Meter> f1 = pool.submit(() -> download(a1, "f.bin", "a1.bin"));
                Future<Meter> f2 = pool.submit(() -> download(a2, "f.bin", "a2.bin"));
                Future<Meter> fb = pool.submit(() -> download(b, "f.bin", "b.bin"));
                List<Meter> alice = List.of(f1.get(60, TimeUnit.SECONDS), f2.get(60, TimeUnit.SECONDS));
                Meter bob = fb.get(60, TimeUnit.SECONDS);
                // while all three ran: alice's two sessions together move about her account's rate (not
                // twice it), and bob beside her moves his own full rate (not a third of the total)
                assertNear(RATE, rateOf(alice), "alice's two sessions together");
                List<Meter> all = new ArrayList<>(alice);
                all.add(bob);
                assertNear(2 * RATE, rateOf(all), "alice and bob together");
            }
        }
    }

    @Test
    void theTotalRateHoldsForAllAccountsTogether() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.totalRate(RATE))) {
            Path up = TransferEndToEndTest.randomFile(tmp.resolve("up.bin"), SIZE, 4);
            TransferEndToEndTest.randomFile(s.home("bob").resolve("f.bin"), SIZE, 5);
            try (FileConnection a = s.login("alice", "secret-a"); FileConnection b = s.login("bob", "secret-b")) {
                assertArrayEquals(new long[] {0, RATE}, a.rateLimits());
                // one upload and one download: each direction has its own budget
                Future<Meter> ra = pool.submit(() -> upload(a, up, "up.bin"));
                Future<Meter> rb = pool.submit(() -> download(b, "f.bin", "f.bin"));
                assertNear(RATE, ra.get(60, TimeUnit.SECONDS).rate(), "upload alone in its direction");
                assertNear(RATE, rb.get(60, TimeUnit.SECONDS).rate(), "download alone in its direction");
                // two downloads at once share the server's budget
                TransferEndToEndTest.randomFile(s.home("alice").resolve("g.bin"), SIZE, 6);
                Future<Meter> da = pool.submit(() -> download(a, "g.bin", "g.bin"));
                Future<Meter> db = pool.submit(() -> download(b, "f.bin", "f2.bin"));
                assertNear(RATE, rateOf(List.of(da.get(60, TimeUnit.SECONDS), db.get(60, TimeUnit.SECONDS))),
                        "two downloads together");
            }
        }
    }
}
