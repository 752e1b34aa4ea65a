package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.ServerTrust;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.server.FileServer;
import dev.rudp.fileserver.server.ServerConfig;
import dev.rudp.fileserver.server.ServerIdentity;
import dev.rudp.fileserver.storage.s3.ObjectStoreFixture;
import dev.rudp.fileserver.storage.s3.S3Backend;
import dev.rudp.fileserver.storage.s3.S3ClientFactory;
import dev.rudp.sim.Direction;
import dev.rudp.sim.ImpairmentHandler;
import dev.rudp.sim.ImpairmentProfile;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * The file service on its S3 backend, end to end, against the real engine ({@link ObjectStoreFixture}):
 * a 200 MB put and get through the simulator at 5% loss, checked on both sides and in the bucket
 * (read back with the SDK); two servers on one bucket, one doing what the other began; and a server
 * killed (kill -9) mid-upload, whose upload a second server completes without resending the parts
 * the bucket already holds.
 */
@Timeout(400)
class S3EndToEndTest {
    @TempDir
    static Path scratch;

    private static ObjectStoreFixture engine;
    private static S3ClientFactory factory;
    private static S3AsyncClient raw;
    private static String bucket;

    @BeforeAll
    static void open() throws Exception {
        engine = ObjectStoreFixture.open(scratch);
        factory = engine.factory();
        raw = factory.newClient();
        bucket = "rudp-e2e-" + UUID.randomUUID().toString().substring(0, 12);
        raw.createBucket(b -> b.bucket(bucket)).get(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void close() throws Exception {
        if (raw != null) {
            raw.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    /** A backend on the test bucket under {@code prefix}, with accounts alice and bob in its records. */
    private static S3Backend backend(String prefix) throws Exception {
        return backend(prefix, factory);
    }

    private static S3Backend backend(String prefix, S3ClientFactory through) throws Exception {
        S3Backend b = S3Backend.open(through, bucket, prefix);
        AccountStore accounts = AccountStore.open(b.records());
        if (accounts.find("alice").isEmpty()) {
            accounts.put(new Account("alice", false, TestServer.CHEAP.hash("secret-a".toCharArray())));
            accounts.put(new Account("bob", false, TestServer.CHEAP.hash("secret-b".toCharArray())));
        }
        return b;
    }

    private static FileServer server(S3Backend backend) throws Exception {
        return FileServer.start(new ServerConfig(null).backend(backend).bind(new InetSocketAddress("127.0.0.1", 0))
                .hasher(TestServer.CHEAP));
    }

    private static FileConnection login(FileServer s, io.netty.channel.ChannelHandler first) throws Exception {
        FileConnection c = FileConnection.connect("127.0.0.1", s.address().getPort(), 10_000, first,
                ServerTrust.fingerprint(s.identity().fingerprint()));
        c.login("alice", "secret-a".toCharArray());
        return c;
    }

    /** A relay in front of the engine, which a test cuts, stalls or makes fail. */
    private static TcpRelay relayToEngine() throws IOException {
        return new TcpRelay(new InetSocketAddress(engine.endpoint().getHost(), engine.endpoint().getPort()));
    }

    /** Client settings for the engine reached through {@code relay}. */
    private static S3ClientFactory.Builder through(TcpRelay relay) {
        return S3ClientFactory.builder().endpoint(java.net.URI.create("http://127.0.0.1:" + relay.port()))
                .staticCredentials(engine.accessKey(), engine.secretKey());
    }

    private static String objectSha256(String key) throws Exception {
        try (InputStream in = raw.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBlockingInputStream())
                .get(120, TimeUnit.SECONDS)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        }
    }

    @Test
    void putAndGetOf200MbThroughLossOnS3() throws Exception {
        ImpairmentProfile profile = ImpairmentProfile.builder().loss(0.05).reorder(0.05, 5).duplicate(0.01)
                .seed(43).build();
        Path local = TransferEndToEndTest.randomFile(scratch.resolve("lossy.bin"), 200L << 20, 78);
        String sha = Transfers.hashFile(local);
        ImpairmentHandler impairment = new ImpairmentHandler(profile, Direction.BOTH);
        try (S3Backend backend = backend("lossy")) {
            FileServer s = server(backend);
            try (FileConnection c = login(s, impairment); Transfers t = new Transfers(c)) {
                Transfers.Result up = t.upload(local, "f.bin", false, TransferListener.NONE, new CancelToken());
                assertEquals(sha, up.sha256(), "upload under " + profile);
                assertTrue(up.byCrc32c(), "the server checked the upload by its CRC32C (computed part by part)");
                assertEquals(sha, objectSha256("lossy/alice/f.bin"), "what the bucket holds, read with the SDK");
                Path back = scratch.resolve("lossy-back.bin");
                Transfers.Result down = t.download("f.bin", back, false, TransferListener.NONE, new CancelToken());
                assertEquals(sha, down.sha256(), "download under " + profile);
                assertTrue(down.byCrc32c(), "checked by the CRC32C the upload recorded");
                assertEquals(sha, Transfers.hashFile(back));
                assertTrue(impairment.stats().dropped() > 0, "the path was lossy: " + impairment.stats());
            } finally {
                s.shutdown();
            }
        }
    }

    @Test
    void twoServersOnOneBucketServeTheSameFiles() throws Exception {
        Path local = TransferEndToEndTest.randomFile(scratch.resolve("two.bin"), 3L << 20, 79);
        String sha = Transfers.hashFile(local);
        try (S3Backend one = backend("two"); S3Backend other = backend("two")) {
            FileServer a = server(one);
            FileServer b = server(other);
            try {
                assertEquals(a.identity().fingerprint(), b.identity().fingerprint(),
                        "one identity in the bucket: a client's pin holds on either server");
                try (FileConnection c = login(a, null); Transfers t = new Transfers(c)) {
                    c.call(Op.MKDIR, List.of("docs"), 0);
                    t.upload(local, "docs/report.bin", false, TransferListener.NONE, new CancelToken());
                }
                try (FileConnection c = login(b, null); Transfers t = new Transfers(c)) {
                    List<FileEntry> ls = c.call(Op.LS, List.of("docs")).entries();
                    assertEquals(List.of("report.bin"), ls.stream().map(FileEntry::name).toList());
                    assertEquals(3L << 20, ls.get(0).size());
                    c.call(Op.RENAME, List.of("docs", "papers"));
                    Path back = scratch.resolve("two-back.bin");
                    assertEquals(sha, t.download("papers/report.bin", back, false, TransferListener.NONE,
                            new CancelToken()).sha256());
                    assertEquals(sha, Transfers.hashFile(back));
                    c.call(Op.RM, List.of("papers"), 1);
                }
                try (FileConnection c = login(a, null)) {
                    assertEquals(List.of(), c.call(Op.LS, List.of("")).entries(), "removed through the other server");
                    ClientException gone = assertThrows(ClientException.class, () -> c.call(Op.STAT, List.of("docs")));
                    assertTrue(gone.getMessage().contains("no such file"), gone.getMessage());
                }
            } finally {
                a.shutdown();
                b.shutdown();
            }
        }
    }

    @Test
    void aServerKilledMidUploadLeavesPartsAnotherServerResumesFrom() throws Exception {
        long size = 48L << 20;
        Path local = TransferEndToEndTest.randomFile(scratch.resolve("killed.bin"), size, 80);
        String sha = Transfers.hashFile(local);
        String fingerprint;
        try (S3Backend b = backend("killed")) {
            fingerprint = ServerIdentity.loadOrCreate(b.records()).fingerprint();
        }
        Process proc = startServerProcess("killed");
        try {
            int port = awaitPort(proc);
            CancelToken cancel = new CancelToken();
            FileConnection c = FileConnection.connect("127.0.0.1", port, 10_000, null, ServerTrust.fingerprint(fingerprint));
            c.login("alice", "secret-a".toCharArray());
            Transfers t = new Transfers(c);
            Hold hold = new Hold(size / 2);
            CompletableFuture<Object> upload = inBackground(t, local, "big.bin", hold, cancel);
            // kill -9 once the bucket holds two parts of the upload (bounded wait)
            awaitStored(() -> storedParts("killed/alice/big.bin") >= 2, upload, "kill");
            proc.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            cancel.cancel();
            hold.open();
            Object outcome = upload.get(120, TimeUnit.SECONDS);
            assertTrue(outcome instanceof Exception, "the interrupted upload failed: " + outcome);
            t.close();
            c.close();
            assertEquals(404, status("killed/alice/big.bin"), "nothing under the final name");

            try (S3Backend other = backend("killed")) {
                FileServer s = server(other);
                try (FileConnection c2 = login(s, null); Transfers t2 = new Transfers(c2)) {
                    assertEquals(fingerprint, s.identity().fingerprint());
                    Transfers.Result r = t2.upload(local, "big.bin", true, TransferListener.NONE, new CancelToken());
                    assertEquals(sha, r.sha256());
                    assertTrue(r.transferred() <= size - (16L << 20), "the two stored parts were not sent again: "
                            + r.transferred() + " of " + size);
                    assertEquals(sha, objectSha256("killed/alice/big.bin"));
                } finally {
                    s.shutdown();
                }
            }
        } finally {
            proc.destroyForcibly();
        }
    }

    @Test
    void theStoreUnreachableMidUploadFailsItClearlyAndReputCompletesLater() throws Exception {
        Path v1 = TransferEndToEndTest.randomFile(scratch.resolve("v1.bin"), 1L << 20, 81);
        Path v2 = TransferEndToEndTest.randomFile(scratch.resolve("v2.bin"), 40L << 20, 82);
        String sha1 = Transfers.hashFile(v1);
        String sha2 = Transfers.hashFile(v2);
        try (TcpRelay relay = relayToEngine()) {
            S3ClientFactory viaRelay = through(relay).build();
            try (S3Backend backend = backend("outage", viaRelay)) {
                FileServer s = server(backend);
                try (FileConnection c = login(s, null); Transfers t = new Transfers(c)) {
                    t.upload(v1, "f.bin", false, TransferListener.NONE, new CancelToken());
                    Hold hold = new Hold(v2.toFile().length() / 2);
                    CompletableFuture<Object> upload = inBackground(t, v2, "f.bin", hold, new CancelToken());
                    awaitStored(() -> resumable("outage", "outage/alice/f.bin"), upload, "cut");
                    relay.cut();
                    hold.open();
                    Object outcome = upload.get(180, TimeUnit.SECONDS);
                    assertTrue(outcome instanceof ClientException, "the upload failed: " + outcome);
                    String message = ((ClientException) outcome).getMessage();
                    assertTrue(!message.isBlank() && !message.contains("\n"), "one clear line: " + message);
                    assertEquals(sha1, objectSha256("outage/alice/f.bin"), "the old version is intact");

                    // the server is still up: a new session logs in (the accounts read last serve while the
                    // store is away) and gets a clear error, not a hang, for what needs the store
                    try (FileConnection other = login(s, null)) {
                        ClientException down = assertThrows(ClientException.class,
                                () -> other.call(Op.LS, List.of("")));
                        assertTrue(!down.getMessage().isBlank(), down.getMessage());
                    }

                    relay.start();
                    Transfers.Result r = t.upload(v2, "f.bin", true, TransferListener.NONE, new CancelToken());
                    assertEquals(sha2, r.sha256());
                    assertTrue(r.transferred() < v2.toFile().length(), "reput resent only what no stored part holds: "
                            + r.transferred());
                    assertEquals(sha2, objectSha256("outage/alice/f.bin"));
                } finally {
                    s.shutdown();
                }
            }
        }
    }

    /**
     * The store takes an upload's completion but its answer never comes back (the link goes down
     * just then): the upload fails with one line that says the store did not confirm the new
     * version; the object is one whole version, old or new, never a part; a reput settles it.
     */
    @Test
    void theCompletionsAnswerLostFailsTheUploadSayingSoAndReputSettlesIt() throws Exception {
        Path v1 = TransferEndToEndTest.randomFile(scratch.resolve("lost-v1.bin"), 1L << 20, 85);
        Path v2 = TransferEndToEndTest.randomFile(scratch.resolve("lost-v2.bin"), 20L << 20, 86);
        String sha1 = Transfers.hashFile(v1);
        String sha2 = Transfers.hashFile(v2);
        String key = "lost/alice/f.bin";
        try (TcpRelay relay = relayToEngine()) {
            S3ClientFactory viaRelay = through(relay).build();
            try (S3Backend backend = backend("lost", viaRelay)) {
                FileServer s = server(backend);
                try (FileConnection c = login(s, null); Transfers t = new Transfers(c)) {
                    t.upload(v1, "f.bin", false, TransferListener.NONE, new CancelToken());
                    relay.loseCompletionAnswer();
                    ClientException failed = assertThrows(ClientException.class,
                            () -> t.upload(v2, "f.bin", false, TransferListener.NONE, new CancelToken()));
                    String message = failed.getMessage();
                    assertTrue(message.contains("did not confirm the new version") && !message.contains("\n"), message);
                    String now = objectSha256(key);
                    assertTrue(now.equals(sha1) || now.equals(sha2), "one whole version: " + now);

                    relay.resume();
                    relay.start();
                    Transfers.Result r = t.upload(v2, "f.bin", true, TransferListener.NONE, new CancelToken());
                    assertEquals(sha2, r.sha256());
                    assertEquals(sha2, objectSha256(key));
                    System.out.printf("completion's answer lost: the store %s it; the upload failed with: %s%n",
                            now.equals(sha2) ? "had taken" : "had not taken", message);
                } finally {
                    s.shutdown();
                }
            }
        }
    }

    /**
     * The store stalls mid-upload (a relay that takes requests and passes nothing on): with a 3 s
     * stall timeout the upload fails with one clear line within a bound set by it, the old version stays, the server keeps answering other users, and reput completes
     * once the store is back.
     */
    @Test
    void theStoreStallingMidUploadFailsItWithinTheStallTimeoutAndReputCompletesLater() throws Exception {
        faultMidUpload("stall", TcpRelay::stall, relay -> { });
    }

    /**
     * The store answers 503 (SlowDown) mid-upload: the SDK retries with backoff (the relay answers
     * more than one request), then the upload fails with one clear line; the rest as for a stall.
     */
    @Test
    void theStoreAnswering503MidUploadIsRetriedThenFailsClearlyAndReputCompletesLater() throws Exception {
        faultMidUpload("busy", TcpRelay::fail503, relay -> assertTrue(relay.answered503() >= 2,
                "the 503 answers were retried: " + relay.answered503()));
    }

    private interface BucketCheck {
        boolean holds() throws Exception;
    }

    /**
     * Polls the bucket every 20 ms until {@code stored} holds, at most 120 s; the upload must still be
     * running meanwhile, or the fault comes after it (there is no event to wait on in a bucket).
     */
    /** {@code t.upload(file, remote, ...)} on another thread; completes with its result or the exception it ended with. */
    private static CompletableFuture<Object> inBackground(Transfers t, Path file, String remote, TransferListener l,
            CancelToken cancel) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return t.upload(file, remote, false, l, cancel);
            } catch (Exception e) {
                return e;
            }
        });
    }

    private static void awaitStored(BucketCheck stored, CompletableFuture<Object> upload, String fault)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!stored.holds()) {
            assertTrue(System.nanoTime() < deadline, "no part stored within 120 s");
            assertTrue(!upload.isDone(), "the upload ended before the " + fault + ": " + upload.getNow(null));
            Thread.sleep(20);
        }
    }

    /**
     * Holds the uploading thread once {@code at} bytes are sent until {@link #open}, so that a fault
     * the test makes always lands mid-upload (a fast machine once sent the last part before the cut).
     * The connection stays up meanwhile: its event loop is another thread.
     */
    private static final class Hold implements TransferListener {
        private final long at;
        private final CountDownLatch opened = new CountDownLatch(1);

        Hold(long at) {
            this.at = at;
        }

        @Override
        public void progress(long done, long total) {
            if (done < at) {
                return;
            }
            try {
                if (!opened.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the upload was held for 120 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void open() {
            opened.countDown();
        }
    }

    /** The stall timeout of the fault tests: short beside the default 30 s, long enough for a loaded machine. */
    private static final int STALL_SECONDS = 3;

    private interface RelayStep {
        void apply(TcpRelay relay) throws Exception;
    }

    private void faultMidUpload(String prefix, RelayStep fault, RelayStep check) throws Exception {
        Path v1 = TransferEndToEndTest.randomFile(scratch.resolve(prefix + "-v1.bin"), 1L << 20, 83);
        Path v2 = TransferEndToEndTest.randomFile(scratch.resolve(prefix + "-v2.bin"), 40L << 20, 84);
        String sha1 = Transfers.hashFile(v1);
        String sha2 = Transfers.hashFile(v2);
        String key = prefix + "/alice/f.bin";
        try (TcpRelay relay = relayToEngine()) {
            S3ClientFactory viaRelay = through(relay).stallTimeout(java.time.Duration.ofSeconds(STALL_SECONDS)).build();
            try (S3Backend backend = backend(prefix, viaRelay)) {
                FileServer s = server(backend);
                try (FileConnection c = login(s, null); Transfers t = new Transfers(c)) {
                    t.upload(v1, "f.bin", false, TransferListener.NONE, new CancelToken());
                    Hold hold = new Hold(v2.toFile().length() / 2);
                    CompletableFuture<Object> upload = inBackground(t, v2, "f.bin", hold, new CancelToken());
                    awaitStored(() -> resumable(prefix, key), upload, "fault");
                    fault.apply(relay);
                    hold.open();
                    long t0 = System.nanoTime();
                    Object outcome = upload.get(180, TimeUnit.SECONDS);
                    double took = (System.nanoTime() - t0) / 1e9;
                    assertTrue(outcome instanceof ClientException, "the upload failed: " + outcome);
                    String message = ((ClientException) outcome).getMessage();
                    assertTrue(!message.isBlank() && !message.contains("\n"), "one clear line: " + message);
                    // 3 s stalls and the SDK's retries: well under the HTTP client's former 120 s read timeout alone
                    assertTrue(took < 90, "failed after " + took + " s: " + message);
                    assertEquals(sha1, objectSha256(key), "the old version is intact");
                    check.apply(relay);

                    // the server still serves: another user logs in and gets a clear, bounded answer
                    try (FileConnection other = FileConnection.connect("127.0.0.1", s.address().getPort(), 10_000,
                            null, ServerTrust.fingerprint(s.identity().fingerprint()))) {
                        other.login("bob", "secret-b".toCharArray());
                        long t1 = System.nanoTime();
                        ClientException down = assertThrows(ClientException.class,
                                () -> other.call(Op.LS, List.of("")));
                        assertTrue(!down.getMessage().isBlank() && !down.getMessage().contains("\n"), down.getMessage());
                        assertTrue((System.nanoTime() - t1) / 1e9 < 90, "ls answered within the bound");
                    }

                    relay.resume();
                    Transfers.Result r = t.upload(v2, "f.bin", true, TransferListener.NONE, new CancelToken());
                    assertEquals(sha2, r.sha256());
                    assertTrue(r.transferred() < v2.toFile().length(), "reput resent only what no stored part holds: "
                            + r.transferred());
                    assertEquals(sha2, objectSha256(key));
                    System.out.printf("%s mid-upload: failed after %.1f s with: %s%n", prefix, took, message);
                } finally {
                    s.shutdown();
                }
            }
        }
    }

    /**
     * Whether the upload to {@code key} has what a reput continues from: part 1 stored and the
     * digest state after it ({@code PREFIX/.rudp/uploads/.../d000001}), which is written beside the
     * part, not before it.
     */
    private static boolean resumable(String prefix, String key) throws Exception {
        return storedParts(key) >= 1 && raw.listObjectsV2(b -> b.bucket(bucket).prefix(prefix + "/.rudp/uploads/"))
                .get(30, TimeUnit.SECONDS).contents().stream().anyMatch(o -> o.key().endsWith("/d000001"));
    }

    private static int storedParts(String key) throws Exception {
        int most = 0;
        for (MultipartUpload u : raw.listMultipartUploads(b -> b.bucket(bucket).prefix(key)).get(30, TimeUnit.SECONDS)
                .uploads()) {
            most = Math.max(most, raw.listParts(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId()))
                    .get(30, TimeUnit.SECONDS).parts().size());
        }
        return most;
    }

    private static int status(String key) throws Exception {
        try {
            raw.headObject(b -> b.bucket(bucket).key(key)).get(30, TimeUnit.SECONDS);
            return 200;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause() instanceof software.amazon.awssdk.services.s3.model.S3Exception s3 ? s3.statusCode() : -1;
        }
    }

    /** {@code fileserver serve --store s3://BUCKET/PREFIX} as a process of its own (so it can be killed -9). */
    private static Process startServerProcess(String prefix) throws IOException {
        Path jar = Path.of("..", "fileserver", "target", "fileserver.jar").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(jar), "the server's jar is built before the client's tests: " + jar);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", jar.toString(), "serve", "--store", "s3://" + bucket + "/" + prefix, "--s3-endpoint",
                engine.endpoint().toString(), "--bind", "127.0.0.1", "--port", "0"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(scratch.resolve("server-" + prefix + ".log").toFile());
        pb.environment().put("AWS_ACCESS_KEY_ID", engine.accessKey());
        pb.environment().put("AWS_SECRET_ACCESS_KEY", engine.secretKey());
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        return pb.start();
    }

    /** The port from the server's "listening on /127.0.0.1:PORT" line (bounded wait). */
    private static int awaitPort(Process p) throws Exception {
        Pattern listening = Pattern.compile("listening on /127\\.0\\.0\\.1:(\\d+)");
        Path log = scratch.resolve("server-killed.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            Matcher m = listening.matcher(text);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertTrue(p.isAlive(), "the server process ended: " + text);
            Thread.sleep(50); // polling its log for the line, not standing in for synchronization
        }
        throw new AssertionError("the server process did not start listening within 120 s");
    }
}
