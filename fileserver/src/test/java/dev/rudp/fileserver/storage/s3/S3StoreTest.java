package dev.rudp.fileserver.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.Crc32c;
import dev.rudp.fileserver.storage.PathRules;
import dev.rudp.fileserver.storage.ReadHandle;
import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.SystemRecords;
import dev.rudp.fileserver.storage.UploadSink;
import dev.rudp.fileserver.storage.UserPath;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * What only the S3 backend has, against the real engine: a folder listed over many pages, an upload
 * resumed by a second backend (a second server) resending no stored part, an interrupted folder
 * move finished by a rerun, keys too long for S3, stale uploads expired, multipart copies, the layout of keys, and the shared records.
 */
@Timeout(900)
class S3StoreTest {
    private static final int PART = S3Settings.MIN_PART;

    @TempDir
    static Path scratch;

    private static TestBucket bucket;
    private static int users;

    @BeforeAll
    static void open() throws Exception {
        bucket = new TestBucket(scratch);
    }

    @AfterAll
    static void close() throws Exception {
        if (bucket != null) {
            bucket.close();
        }
    }

    static S3Settings small() {
        S3Settings s = new S3Settings();
        s.partSize = PART;
        return s;
    }

    static synchronized String newUser() {
        return "u" + (++users);
    }

    static UserPath p(String path) throws ProtocolException {
        return PathRules.resolve(UserPath.ROOT, path);
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String crc32c(byte[] b) {
        return HexFormat.of().formatHex(new Crc32c().digest(b));
    }

    static void write(UploadSink sink, byte[] a, long from, long to) throws Exception {
        for (long off = from; off < to; off += 65536) {
            int n = (int) Math.min(65536, to - off);
            sink.write(off, ByteBuffer.wrap(a, (int) off, n));
        }
    }

    static String put(Store s, String path, byte[] a) throws Exception {
        UploadSink sink = s.openUpload(p(path), path, a.length, false);
        write(sink, a, 0, a.length);
        return sink.finish(sha256(a));
    }

    private static byte[] read(Store s, String path) throws Exception {
        try (InputStream in = s.openStream(p(path), path)) {
            return in.readAllBytes();
        }
    }

    private static byte[] rawGet(String key) {
        return bucket.get(key);
    }

    /**
     * A folder listed across ten or more pages of ListObjectsV2 and removed in ten or more
     * DeleteObjects batches. The files are created 64 PUTs at a time. The number of files is
     * {@code -Drudp.s3.listingFiles}: by default 500, in pages and batches of 50; with 10,000 the
     * pages are S3's own 1000 keys and the batches the backend's 100 keys (a batch of 1000 kept
     * this Swift busy past the 30 s stall timeout before it answered). Why not 10,000 in every build: this
     * single-node Swift spends about 11 ms of CPU per small PUT (proxy 5, object server 4-5,
     * container server 1.6; measured 2026-12-05 with {@code bin/objectstore --no-fsync}), so on 2
     * cores it creates at most ~150-180 objects a second when it has them to itself, and 45-50 a
     * second on the shared test machine: 10,000 take 1-4 minutes before the listing begins.
     */
    @Test
    void aFolderOfManyFilesListsCompletely() throws Exception {
        int files = Integer.getInteger("rudp.s3.listingFiles", 500);
        S3Settings settings = small();
        settings.listPageSize = Math.max(1, Math.min(1000, files / 10));
        settings.deleteBatch = Math.max(1, Math.min(100, files / 10));
        try (S3Backend b = bucket.backend("many", settings)) {
            String user = newUser();
            Store s = b.open(user, -1);
            s.mkdir(p("big"), "big", false);
            long t0 = System.nanoTime();
            Semaphore slots = new Semaphore(64);
            List<CompletableFuture<?>> puts = new ArrayList<>();
            for (int i = 0; i < files; i++) {
                String key = "many/" + user + "/big/" + String.format("f%05d", i);
                slots.acquireUninterruptibly();
                puts.add(bucket.raw.putObject(r -> r.bucket(bucket.name).key(key),
                        AsyncRequestBody.fromBytes(new byte[] {1})).whenComplete((r, e) -> slots.release()));
            }
            CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
            long t1 = System.nanoTime();
            List<FileEntry> l = s.list(p("big"), "big");
            long t2 = System.nanoTime();
            assertEquals(files, l.size());
            for (int i = 0; i < files; i++) {
                assertEquals(String.format("f%05d", i), l.get(i).name());
            }
            assertEquals(files, s.sizeOf(p("big"), "big"));
            assertEquals(files + 1, s.walk(p("big"), "big", 100_000).size());
            long t3 = System.nanoTime();
            assertEquals(files + 1, s.delete(p("big"), "big", true));
            long t4 = System.nanoTime();
            assertTrue(bucket.keys("many/" + user + "/").isEmpty());
            System.out.printf("%d files in pages of %d: created with 64 concurrent PUTs in %.1f s, listed in %.1f s,"
                    + " deleted in %.1f s%n", files, settings.listPageSize, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                    (t4 - t3) / 1e9);
        }
    }

    @Test
    void aSecondServerResumesAnUploadResendingNoStoredPart() throws Exception {
        byte[] a = bytes(4 * PART + 12_345, 1);
        String user = newUser();
        long written = 2L * PART + 100_000;
        try (S3Backend first = bucket.backend("resume", small())) {
            UploadSink sink = first.open(user, -1).openUpload(p("f"), "f", a.length, false);
            write(sink, a, 0, written);
            sink.abort();
        }
        String key = "resume/" + user + "/f";
        var ups = bucket.uploads(key);
        assertEquals(1, ups.size());
        List<Part> stored = bucket.raw.listParts(r -> r.bucket(bucket.name).key(key)
                .uploadId(ups.get(0).uploadId())).join().parts();
        assertEquals(List.of(1, 2), stored.stream().map(Part::partNumber).collect(Collectors.toList()));
        try (S3Backend second = bucket.backend("resume", small())) {
            Store s = second.open(user, -1);
            assertEquals(2L * PART, s.usage(), "unfinished parts count towards usage");
            UploadSink sink = s.openUpload(p("f"), "f", a.length, true);
            assertEquals(2L * PART, sink.start(), "every stored part is kept");
            assertTrue(sink.checksCrc32c(), "the CRC32C so far was stored with the SHA-256's state");
            write(sink, a, sink.start(), a.length);
            assertEquals(sha256(a), sink.finishByCrc32c(crc32c(a)));
            assertArrayEquals(a, rawGet(key));
            List<String> state = bucket.keys("resume/.rudp/uploads/");
            assertTrue(state.isEmpty(), state.toString());
            assertTrue(bucket.uploads(key).isEmpty());
            assertEquals(a.length, s.usage());
            try (ReadHandle h = s.openRead(p("f"), "f", 0)) {
                assertEquals(sha256(a), h.knownSha256());
                assertEquals(crc32c(a), h.knownCrc32c());
            }
        }
    }

    @Test
    void anInterruptedFolderMoveLosesNothingAndARerunFinishesIt() throws Exception {
        S3Settings settings = small();
        settings.bulkConcurrency = 4;
        try (S3Backend b = bucket.backend("moves", settings)) {
            Store s = b.open(newUser(), -1);
            s.mkdir(p("src/sub"), "src/sub", true);
            List<byte[]> content = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                byte[] c = bytes(1000 + i, 100 + i);
                content.add(c);
                put(s, (i % 2 == 0 ? "src/" : "src/sub/") + "f" + i, c);
            }
            settings.interruptMoveAfterCopies = 7;
            ProtocolException e = assertThrows(ProtocolException.class, () -> s.move(p("src"), "src", p("dst"), "dst"));
            assertEquals(Status.IO_ERROR, e.status());
            // the source is whole, the target partial
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(content.get(i), read(s, (i % 2 == 0 ? "src/" : "src/sub/") + "f" + i));
            }
            assertTrue(s.isDirectory(p("dst")));
            long copied = s.walk(p("dst"), "dst", 1000).stream().filter(w -> !w.entry().isDirectory()).count();
            assertTrue(copied > 0 && copied < 20, "copied " + copied);

            settings.interruptMoveAfterCopies = -1;
            // the same command again: dst now exists, but the move continues into it, not into dst/src
            assertEquals(p("dst"), s.move(p("src"), "src", p("dst"), "dst"));
            assertFalse(s.isDirectory(p("src")));
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(content.get(i), read(s, (i % 2 == 0 ? "dst/" : "dst/sub/") + "f" + i));
            }
            assertEquals(List.of("dst"), s.list(UserPath.ROOT, ".").stream().map(FileEntry::name).toList());
            assertTrue(bucket.keys("moves/.rudp/moves/").isEmpty());
        }
    }

    @Test
    void aDownloadFailsWhenTheObjectIsReplacedMidway() throws Exception {
        S3Settings settings = small();
        settings.readBlock = 64 * 1024;
        settings.readAhead = 0;
        try (S3Backend b = bucket.backend("ifmatch", settings)) {
            String user = newUser();
            Store s = b.open(user, -1);
            byte[] a = bytes(300_000, 4);
            put(s, "f", a);
            try (ReadHandle h = s.openRead(p("f"), "f", 0)) {
                h.read(0, 1000, io.netty.buffer.ByteBufAllocator.DEFAULT, null).release();
                bucket.raw.putObject(r -> r.bucket(bucket.name).key("ifmatch/" + user + "/f"),
                        AsyncRequestBody.fromBytes(bytes(300_000, 5))).join();
                java.io.IOException e = assertThrows(java.io.IOException.class,
                        () -> h.read(200_000, 1000, io.netty.buffer.ByteBufAllocator.DEFAULT, null).release());
                assertTrue(e.getMessage().contains("changed"), e.getMessage());
            }
        }
    }

    /**
     * Reads of every shape against blocks streamed into direct buffers: chunks inside a block come
     * out as slices, chunks across block edges as copies, hashed reads and prefix hashing agree with
     * the bytes, and a handle closed with GETs still in flight leaves nothing unreleased (the leak
     * detector runs at paranoid level).
     */
    @Test
    void readsWithinAndAcrossBlocksMatchTheObjectAndCloseCleanly() throws Exception {
        S3Settings settings = small();
        settings.readBlock = 64 * 1024;
        settings.readAhead = 3;
        try (S3Backend b = bucket.backend("blocks", settings)) {
            Store s = b.open(newUser(), -1);
            byte[] a = bytes(1_000_003, 6);
            put(s, "f", a);
            io.netty.buffer.ByteBufAllocator alloc = io.netty.buffer.ByteBufAllocator.DEFAULT;
            for (int chunk : new int[] {16 * 1024, 50_000, 64 * 1024, 200_000}) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                ByteBuffer got = ByteBuffer.allocate(a.length);
                try (ReadHandle h = s.openRead(p("f"), "f", 0)) {
                    for (long pos = 0; pos < a.length; pos += chunk) {
                        io.netty.buffer.ByteBuf buf = h.read(pos, (int) Math.min(chunk, a.length - pos), alloc, md);
                        try {
                            got.put(buf.nioBuffer());
                        } finally {
                            buf.release();
                        }
                    }
                }
                assertArrayEquals(a, got.array(), "chunk " + chunk);
                assertEquals(sha256(a), HexFormat.of().formatHex(md.digest()), "chunk " + chunk);
            }
            MessageDigest prefix = MessageDigest.getInstance("SHA-256");
            try (ReadHandle h = s.openRead(p("f"), "f", 0)) {
                h.hashRange(prefix, 0, 300_001);
            }
            assertEquals(sha256(java.util.Arrays.copyOf(a, 300_001)), HexFormat.of().formatHex(prefix.digest()));
            // closed after one read, with the next three GETs requested and maybe still arriving
            for (int round = 0; round < 5; round++) {
                ReadHandle h = s.openRead(p("f"), "f", 0);
                h.read(0, 1000, alloc, null).release();
                h.close();
                assertThrows(java.io.IOException.class, () -> h.read(70_000, 1000, alloc, null));
            }
        }
    }

    @Test
    void keysTooLongForS3AreRefused() throws Exception {
        try (S3Backend b = bucket.backend("long", small())) {
            Store s = b.open(newUser(), -1);
            String seg = "x".repeat(250);
            String deep = String.join("/", seg, seg, seg, seg, seg);   // 1254 bytes: a valid path, too long a key
            for (Executable e : List.<Executable>of(
                    () -> s.mkdir(p(deep), deep, true),
                    () -> s.openUpload(p(deep), deep, 1, false),
                    () -> s.stat(p(deep), deep),
                    () -> s.list(p(deep), deep))) {
                ProtocolException x = assertThrows(ProtocolException.class, e::run);
                assertEquals(Status.PATH_REFUSED, x.status());
                assertTrue(x.getMessage().contains("1024"), x.getMessage());
            }
            // a folder whose names would become too long where it is moved to
            String four = String.join("/", seg, seg, seg);
            s.mkdir(p(four), four, true);
            put(s, four + "/" + "y".repeat(200), new byte[] {1});
            String box = "z".repeat(250);
            s.mkdir(p(box), box, false);
            ProtocolException x = assertThrows(ProtocolException.class, () -> s.move(p(seg), seg, p(box), box));
            assertEquals(Status.PATH_REFUSED, x.status(), x.getMessage());
            assertTrue(s.isDirectory(p(four)));
        }
    }

    /** A call that may throw. */
    @FunctionalInterface
    interface Executable {
        void run() throws Exception;
    }

    @Test
    void percentEncodedNamesArePlainNamesInsideTheUsersPrefix() throws Exception {
        try (S3Backend b = bucket.backend("enc", small())) {
            String user = newUser();
            Store s = b.open(user, -1);
            s.mkdir(p("%2e%2e"), "%2e%2e", false);
            put(s, "%2e%2e/%2fetc%2fpasswd", new byte[] {7});
            put(s, "a b+c?d#e&f", new byte[] {8});
            List<String> keys = bucket.keys("enc/");
            assertTrue(keys.contains("enc/" + user + "/%2e%2e/%2fetc%2fpasswd"), keys.toString());
            assertTrue(keys.contains("enc/" + user + "/a b+c?d#e&f"), keys.toString());
            for (String k : keys) {
                assertTrue(k.startsWith("enc/" + user + "/") || k.startsWith("enc/.rudp/"), k);
            }
            assertArrayEquals(new byte[] {7}, read(s, "%2e%2e/%2fetc%2fpasswd"));
            assertEquals(List.of("%2e%2e", "a b+c?d#e&f"),
                    s.list(UserPath.ROOT, ".").stream().map(FileEntry::name).toList());
        }
    }

    @Test
    void bigObjectsAreCopiedInParts() throws Exception {
        S3Settings settings = small();
        settings.multipartCopyThreshold = PART;
        settings.copyPartSize = PART;
        try (S3Backend b = bucket.backend("mpcopy", settings)) {
            String user = newUser();
            Store s = b.open(user, -1);
            byte[] a = bytes(2 * PART + 4321, 6);
            put(s, "big", a);
            s.copy(p("big"), "big", p("copy"), "copy", false);
            s.move(p("big"), "big", p("moved"), "moved");
            assertArrayEquals(a, rawGet("mpcopy/" + user + "/copy"));
            assertArrayEquals(a, rawGet("mpcopy/" + user + "/moved"));
            // a multipart copy's ETag has a part count: proof the multipart path ran
            String etag = bucket.raw.headObject(r -> r.bucket(bucket.name).key("mpcopy/" + user + "/copy")).join().eTag();
            assertTrue(etag.contains("-"), etag);
            assertEquals(sha256(a), s.sha256(p("copy"), "copy"));
            assertTrue(bucket.uploads("mpcopy/").isEmpty());
        }
    }

    @Test
    void staleUploadsExpire() throws Exception {
        try (S3Backend b = bucket.backend("expire", small())) {
            String user = newUser();
            Store s = b.open(user, -1);
            byte[] a = bytes(2 * PART + 10, 7);
            UploadSink sink = s.openUpload(p("f"), "f", a.length, false);
            write(sink, a, 0, PART);
            sink.abort();
            assertFalse(bucket.keys("expire/.rudp/uploads/").isEmpty());
            assertEquals(0, b.expireUploads(Duration.ofHours(1)));
            assertEquals(1, bucket.uploads("expire/").size());
            assertEquals(1, b.expireUploads(Duration.ZERO));
            assertTrue(bucket.uploads("expire/").isEmpty());
            assertTrue(bucket.keys("expire/.rudp/uploads/").isEmpty());
            assertEquals(0, s.usage());
            // nothing to resume any more
            UploadSink again = s.openUpload(p("f"), "f", a.length, true);
            assertEquals(0, again.start());
            again.abort();
        }
    }

    @Test
    void partBuffersAreBounded() throws Exception {
        S3Settings settings = small();
        settings.maxPartBuffers = 3;
        try (S3Backend b = bucket.backend("bounded", settings)) {
            Store s = b.open(newUser(), -1);
            byte[] a = bytes(6 * PART, 8);
            // in order, the writer waits for parts in flight: six parts through three buffers
            put(s, "ordered", a);
            assertArrayEquals(a, read(s, "ordered"));
            // chunks spread over more parts than buffers, none complete: refused, not buffered
            UploadSink sink = s.openUpload(p("spread"), "spread", a.length, false);
            for (int part = 0; part < 3; part++) {
                sink.write((long) part * PART, ByteBuffer.wrap(a, part * PART, 1000));
            }
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> sink.write(3L * PART, ByteBuffer.wrap(a, 3 * PART, 1000)));
            assertEquals(Status.IO_ERROR, e.status());
            assertTrue(e.getMessage().contains("apart"), e.getMessage());
            sink.abort();
        }
    }

    @Test
    void chunksOutsideTheFileAreRefused() throws Exception {
        // the server's Upload checks this before the sink; the sink refuses too rather than corrupt a part
        try (S3Backend b = bucket.backend("outside", small())) {
            Store s = b.open(newUser(), -1);
            UploadSink sink = s.openUpload(p("h"), "h", 10, false);
            ProtocolException e = assertThrows(ProtocolException.class, () -> sink.write(5, ByteBuffer.wrap(new byte[6])));
            assertEquals(Status.BAD_REQUEST, e.status());
            sink.write(0, ByteBuffer.wrap(new byte[6]));
            sink.write(6, ByteBuffer.wrap(new byte[4]));
            e = assertThrows(ProtocolException.class, () -> sink.write(0, ByteBuffer.wrap(new byte[1])));
            assertEquals(Status.BAD_REQUEST, e.status(), "bytes of a complete part again");
            sink.abort();
        }
    }

    @Test
    void recordsAreSharedObjectsWithAnEtagVersion() throws Exception {
        try (S3Backend one = bucket.backend("records", small()); S3Backend two = bucket.backend("records", small())) {
            SystemRecords r1 = one.records();
            SystemRecords r2 = two.records();
            assertNull(r1.read("accounts"));
            assertNull(r1.version("accounts"));
            r1.write("accounts", "alice:user:x\n".getBytes(StandardCharsets.UTF_8));
            String v1 = r2.version("accounts");
            assertEquals("alice:user:x\n", new String(r2.read("accounts"), StandardCharsets.UTF_8));
            r2.write("accounts", "alice:user:x\nbob:user:y\n".getBytes(StandardCharsets.UTF_8));
            assertFalse(v1.equals(r1.version("accounts")));
            assertTrue(bucket.keys("records/").contains("records/.rudp/records/accounts"));
            assertThrows(IllegalArgumentException.class, () -> r1.read("../x"));
            assertEquals("s3://" + bucket.name + "/records", one.describe());
        }
    }

    @Test
    void openingChecksTheBucketInOneLine() {
        S3StoreException missing = assertThrows(S3StoreException.class,
                () -> S3Backend.open(bucket.factory, bucket.name + "-none", ""));
        assertEquals(S3StoreException.Reason.NO_BUCKET, missing.reason());
        S3ClientFactory wrong = S3ClientFactory.builder().endpoint(bucket.engine.endpoint())
                .staticCredentials(bucket.engine.accessKey(), bucket.engine.secretKey() + "x").build();
        S3StoreException bad = assertThrows(S3StoreException.class, () -> S3Backend.open(wrong, bucket.name, ""));
        assertEquals(S3StoreException.Reason.BAD_CREDENTIALS, bad.reason());
        assertFalse(bad.getMessage().contains("\n"));
        assertThrows(IllegalArgumentException.class, () -> S3Backend.open(bucket.factory, bucket.name, "a/../b"));
        assertThrows(IllegalArgumentException.class, () -> S3Backend.open(bucket.factory, bucket.name, ".rudp"));
    }

    @Test
    void accountNamesCannotReachTheServersObjects() throws Exception {
        try (S3Backend b = bucket.backend("names", small())) {
            for (String bad : List.of(".rudp", "a/b", "", "x\ny")) {
                assertEquals(Status.BAD_REQUEST, assertThrows(ProtocolException.class, () -> b.open(bad, -1)).status());
            }
        }
    }

    @Test
    void usageIsCachedButOwnChangesShowAtOnce() throws Exception {
        S3Settings settings = small();
        settings.usageTtl = Duration.ofHours(1);
        try (S3Backend b = bucket.backend("usage", settings)) {
            String user = newUser();
            Store s = b.open(user, -1);
            Store other = b.open(user, -1);
            put(s, "a", new byte[100]);
            assertEquals(100, other.usage(), "sessions of one account on one server share the figure");
            bucket.raw.putObject(r -> r.bucket(bucket.name).key("usage/" + user + "/beside"),
                    AsyncRequestBody.fromBytes(new byte[50])).join();
            assertEquals(100, s.usage(), "a change made elsewhere shows only when the cached figure expires");
            put(s, "b", new byte[10]);
            assertEquals(160, s.usage(), "this server's own change refreshes it");
            assertEquals(IntStream.of(100, 50, 10).sum(), s.sizeOf(UserPath.ROOT, "~"));
            S3Settings fresh = small();
            fresh.usageTtl = Duration.ZERO;
            try (S3Backend second = bucket.backend("usage", fresh)) {
                Store there = second.open(user, -1);
                assertEquals(160, there.usage());
                bucket.raw.deleteObject(r -> r.bucket(bucket.name).key("usage/" + user + "/beside")).join();
                assertEquals(110, there.usage(), "with no time to live every call lists again");
            }
        }
    }
}
