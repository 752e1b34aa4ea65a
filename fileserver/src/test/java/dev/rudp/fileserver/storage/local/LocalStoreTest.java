package dev.rudp.fileserver.storage.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.KnownDigests;
import dev.rudp.fileserver.storage.PathRules;
import dev.rudp.fileserver.storage.Sha256;
import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.UploadSink;
import dev.rudp.fileserver.storage.UserPath;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the data folder has: symbolic links (from the old JailTest), partial files, records as
 * files. Everything else both backends share is the conformance suite's.
 */
class LocalStoreTest {
    @TempDir
    Path tmp;
    Path root;
    LocalBackend backend;
    LocalStore store;

    @BeforeEach
    void setUp() throws Exception {
        backend = new LocalBackend(tmp.resolve("data"));
        store = (LocalStore) backend.open("alice", -1);
        root = store.root();
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(tmp.resolve("secret.txt"), "outside");
    }

    private static UserPath p(String path) throws ProtocolException {
        return PathRules.resolve(UserPath.ROOT, path);
    }

    private static void refused(String why, Executable op) {
        ProtocolException e = assertThrows(ProtocolException.class, op);
        assertEquals(Status.PATH_REFUSED, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void symlinksLeadingOutAreRefusedAndInsideOnesWork() throws Exception {
        Files.createSymbolicLink(root.resolve("out"), tmp);
        Files.createSymbolicLink(root.resolve("pw"), tmp.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("dangling"), tmp.resolve("nothing-yet"));
        Files.createSymbolicLink(root.resolve("in"), root.resolve("sub"));
        refused("symbolic link leads outside", () -> store.stat(p("out/secret.txt"), "out/secret.txt"));
        refused("symbolic link leads outside", () -> store.list(p("out"), "out"));
        refused("symbolic link leads outside", () -> store.mkdir(p("out/new-folder"), "out/new-folder", false));
        refused("symbolic link leads outside", () -> store.openUpload(p("out/new-file"), "out/new-file", 1, false));
        refused("symbolic link leads outside", () -> store.openRead(p("pw"), "pw", 0));
        refused("symbolic link leads outside", () -> store.openStream(p("pw"), "pw"));
        refused("symbolic link leads outside", () -> store.sha256(p("pw"), "pw"));
        refused("symbolic link leads outside", () -> store.copy(p("pw"), "pw", p("copy"), "copy", false));
        refused("symbolic link leads outside", () -> store.move(p("sub"), "sub", p("out"), "out"));
        refused("symbolic link leads outside", () -> store.isDirectory(p("out")));
        refused("dangling symbolic link", () -> store.stat(p("dangling"), "dangling"));
        assertFalse(Files.exists(tmp.resolve("new-folder")));
        assertFalse(Files.exists(tmp.resolve("sub")));
        assertFalse(Files.exists(tmp.resolve("copy")));

        store.mkdir(p("in/f"), "in/f", false);
        assertTrue(Files.isDirectory(root.resolve("sub/f")), "a link inside the home works");
        assertTrue(store.isDirectory(p("in")));
        assertEquals(root.resolve("in/f"), store.path(p("in/f"), "in/f"));
    }

    @Test
    void recursiveOperationsDoNotFollowLinks() throws Exception {
        Files.createSymbolicLink(root.resolve("sub/loop"), root);
        Files.writeString(root.resolve("sub/a.txt"), "abc");
        assertEquals(3, store.sizeOf(p("sub"), "sub"));
        List<Store.Walked> all = store.walk(UserPath.ROOT, "~", 100);
        assertEquals(List.of(UserPath.ROOT, p("sub"), p("sub/a.txt"), p("sub/loop")),
                all.stream().map(Store.Walked::path).toList());
        assertEquals('l', all.get(3).entry().type());
        assertEquals(3, store.delete(p("sub"), "sub", true));
        assertTrue(Files.exists(tmp.resolve("secret.txt")));
        assertTrue(Files.isDirectory(root));
    }

    @Test
    void anAbortKeepsTheCompletePrefixAndAResumeContinuesIt() throws Exception {
        byte[] content = new byte[300_000];
        new java.util.Random(7).nextBytes(content);
        String sha = HexFormat.of().formatHex(Sha256.newDigest().digest(content));
        Files.writeString(root.resolve("f.bin"), "old version");
        UploadSink first = store.openUpload(p("f.bin"), "f.bin", content.length, true);
        assertEquals(0, first.start());
        first.write(0, ByteBuffer.wrap(content, 0, 100_000));
        first.write(200_000, ByteBuffer.wrap(content, 200_000, 100_000)); // after a gap: not kept
        first.abort();
        first.abort(); // idempotent
        Path partial = backend.partials("alice").resolve(Sha256.hex("f.bin") + ".part");
        assertEquals(100_000, Files.size(partial));
        assertEquals(100_000 + "old version".length(), store.usage(), "partial uploads count");

        UploadSink second = store.openUpload(p("f.bin"), "f.bin", content.length, true);
        assertEquals(100_000, second.start());
        second.write(200_000, ByteBuffer.wrap(content, 200_000, 100_000));
        ByteBuffer middle = ByteBuffer.wrap(content, 100_000, 100_000);
        second.write(100_000, middle);
        assertFalse(middle.hasRemaining(), "write consumes its buffer");
        assertEquals("old version", Files.readString(root.resolve("f.bin")), "untouched until finish");
        assertEquals(sha, second.finish(sha));
        assertArrayEquals(content, Files.readAllBytes(root.resolve("f.bin")));
        assertFalse(Files.exists(partial));
        String stored = StoredDigest.lookup(root.resolve("f.bin"), null, -1);
        assertTrue(stored == null || stored.equals(sha), "kept with the file where the file system can");
        try (var h = store.openRead(p("f.bin"), "f.bin", content.length)) {
            assertEquals(stored, h.knownSha256());
            assertEquals(content.length, h.size());
        }
    }

    /**
     * A file placed beside the server has no digest; the first complete read (a download, or
     * {@code checksum}) keeps the one it computed, so the next download does not hash. Where the file
     * system keeps no user attributes there is nothing to keep and the lookups stay empty.
     */
    @Test
    void aFilePlacedBesideTheServerKeepsTheDigestItsFirstReadComputed() throws Exception {
        byte[] content = new byte[70_000];
        new java.util.Random(7).nextBytes(content);
        Files.write(root.resolve("placed.bin"), content);
        String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
        boolean supported;
        try (var h = store.openRead(p("placed.bin"), "placed.bin", 0)) {
            assertNull(h.knownSha256(), "nothing recorded yet");
            h.hashed(sha, null);
            supported = sha.equals(StoredDigest.lookup(root.resolve("placed.bin"), null, -1));
        }
        try (var h = store.openRead(p("placed.bin"), "placed.bin", 0)) {
            assertEquals(supported ? sha : null, h.knownSha256());
        }

        Files.write(root.resolve("other.bin"), content);
        assertEquals(sha, store.sha256(p("other.bin"), "other.bin"));
        assertEquals(supported ? sha : null, StoredDigest.lookup(root.resolve("other.bin"), null, -1),
                "checksum keeps what it computed");

        // changed while it was being read: what was read is no digest of the file now
        Files.write(root.resolve("busy.bin"), content);
        try (var h = store.openRead(p("busy.bin"), "busy.bin", 0)) {
            Files.write(root.resolve("busy.bin"), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
            h.hashed(sha, null);
        }
        assertNull(StoredDigest.lookup(root.resolve("busy.bin"), null, -1));
    }

    @Test
    void aMismatchDiscardsThePartialAndKeepsTheOldFile() throws Exception {
        Files.writeString(root.resolve("f.txt"), "old");
        UploadSink s = store.openUpload(p("f.txt"), "f.txt", 3, false);
        s.write(0, ByteBuffer.wrap("new".getBytes(StandardCharsets.UTF_8)));
        ProtocolException e = assertThrows(ProtocolException.class, () -> s.finish("00".repeat(32)));
        assertEquals(Status.CHECKSUM_MISMATCH, e.status());
        assertEquals("old", Files.readString(root.resolve("f.txt")));
        assertEquals(0, store.usage() - 3, "no partial left");
    }

    private static String crc32c(byte[] content) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(content);
        return String.format("%08x", crc.getValue());
    }

    @Test
    void anUploadCanBeCheckedByItsCrc32cAndStillReturnsItsSha256() throws Exception {
        byte[] content = "new content".getBytes(StandardCharsets.UTF_8);
        String crc32c = crc32c(content);
        Files.writeString(root.resolve("c.txt"), "old");
        UploadSink bad = store.openUpload(p("c.txt"), "c.txt", content.length, false);
        assertTrue(bad.checksCrc32c());
        bad.write(0, ByteBuffer.wrap(content));
        ProtocolException e = assertThrows(ProtocolException.class, () -> bad.finishByCrc32c("00000000"));
        assertEquals(Status.CHECKSUM_MISMATCH, e.status());
        assertEquals("old", Files.readString(root.resolve("c.txt")), "a mismatch replaces nothing");

        UploadSink good = store.openUpload(p("c.txt"), "c.txt", content.length, false);
        good.write(0, ByteBuffer.wrap(content));
        String sha = HexFormat.of().formatHex(Sha256.newDigest().digest(content));
        assertEquals(sha, good.finishByCrc32c(crc32c.toUpperCase(java.util.Locale.ROOT)));
        assertArrayEquals(content, Files.readAllBytes(root.resolve("c.txt")));
        KnownDigests known = StoredDigest.lookupAll(root.resolve("c.txt"), null, -1);
        if (known != null) {
            assertEquals(new KnownDigests(sha, crc32c), known);
        }
    }

    @Test
    void anUploadWhoseClientNeedsNoSha256RecordsItsCrc32cAndChecksumAddsTheSha256() throws Exception {
        byte[] content = "checked by its CRC32C".getBytes(StandardCharsets.UTF_8);
        String crc32c = crc32c(content);
        String sha = HexFormat.of().formatHex(Sha256.newDigest().digest(content));
        Files.writeString(root.resolve("d.txt"), "old");
        UploadSink bad = store.openUpload(p("d.txt"), "d.txt", content.length, false);
        assertTrue(bad.skipSha256());
        bad.write(0, ByteBuffer.wrap(content));
        assertEquals(Status.CHECKSUM_MISMATCH,
                assertThrows(ProtocolException.class, () -> bad.finishByCrc32c("00000000")).status());
        assertEquals("old", Files.readString(root.resolve("d.txt")), "a mismatch replaces nothing");

        UploadSink good = store.openUpload(p("d.txt"), "d.txt", content.length, false);
        assertTrue(good.skipSha256());
        // out of order: the CRC32C, too, is computed over the complete prefix as it grows
        good.write(5, ByteBuffer.wrap(content, 5, content.length - 5));
        good.write(0, ByteBuffer.wrap(content, 0, 5));
        assertNull(good.finishByCrc32c(crc32c), "no SHA-256 computed");
        assertArrayEquals(content, Files.readAllBytes(root.resolve("d.txt")));
        KnownDigests known = StoredDigest.lookupAll(root.resolve("d.txt"), null, -1);
        if (known != null) {
            assertEquals(new KnownDigests(null, crc32c), known, "the CRC32C alone is recorded");
        }
        assertEquals(sha, store.sha256(p("d.txt"), "d.txt"), "checksum computes the SHA-256");
        if (known != null) {
            assertEquals(new KnownDigests(sha, crc32c), StoredDigest.lookupAll(root.resolve("d.txt"), null, -1),
                    "and records it beside the CRC32C");
        }
    }

    @Test
    void expireUploadsDeletesOnlyPartialsUntouchedForTheAge() throws Exception {
        UploadSink s = store.openUpload(p("a"), "a", 10, false);
        s.write(0, ByteBuffer.wrap(new byte[4]));
        s.abort();
        backend.open("bob", -1);
        Path old = Files.write(backend.partials("bob").resolve(Sha256.hex("b") + ".part"), new byte[4]);
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        assertEquals(1, backend.expireUploads(Duration.ofDays(1)));
        assertFalse(Files.exists(old));
        assertEquals(4, store.usage(), "alice's recent partial stays");
        assertEquals(1, backend.expireUploads(Duration.ZERO.minusSeconds(1)));
        assertEquals(0, new LocalBackend(tmp.resolve("empty")).expireUploads(Duration.ZERO));
    }

    @Test
    void recordsAreOwnerOnlyFilesReplacedWhole() throws Exception {
        var records = backend.records();
        assertNull(records.read("accounts"));
        assertNull(records.version("accounts"));
        records.write("accounts", "one".getBytes(StandardCharsets.UTF_8));
        Path file = tmp.resolve("data/accounts");
        assertEquals("one", Files.readString(file));
        String v1 = records.version("accounts");
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        records.write("accounts", "two!".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("two!".getBytes(StandardCharsets.UTF_8), records.read("accounts"));
        assertNotEquals(v1, records.version("accounts"));
        try (var left = Files.list(tmp.resolve("data"))) {
            assertEquals(List.of("accounts", "home", "partial"),
                    left.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary file left");
        }
        assertThrows(IllegalArgumentException.class, () -> records.read("../x"));
        assertThrows(IllegalArgumentException.class, () -> records.write(".hidden", new byte[0]));
    }
}
