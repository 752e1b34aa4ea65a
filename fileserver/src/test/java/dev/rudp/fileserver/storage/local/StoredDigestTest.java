package dev.rudp.fileserver.storage.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rudp.fileserver.storage.KnownDigests;
import dev.rudp.fileserver.storage.UserPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored digest is believed exactly while the file it was stored for is unchanged. Where the test's
 * file system keeps no user attributes, {@code store} says so and every lookup must come back empty
 * (the callers then hash), which is what those cases check instead.
 */
class StoredDigestTest {
    @TempDir
    Path dir;
    private Path file;
    private String sha;
    private boolean supported;

    @BeforeEach
    void writeFile() throws Exception {
        file = Files.write(dir.resolve("f.bin"), "some content".getBytes(StandardCharsets.UTF_8));
        sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        supported = StoredDigest.store(file, sha);
    }

    private String expectedWhileValid() {
        return supported ? sha : null;
    }

    @Test
    void aStoredDigestIsReadBackAndSurvivesARename() throws Exception {
        assertEquals(expectedWhileValid(), StoredDigest.lookup(file, null, -1));
        Path moved = Files.move(file, Files.createDirectory(dir.resolve("sub")).resolve("g.bin"),
                StandardCopyOption.ATOMIC_MOVE);
        Object identity = StoredDigest.identity(moved);
        assertEquals(expectedWhileValid(), StoredDigest.lookup(moved, identity, Files.size(moved)));
    }

    @Test
    void anyWriteOrNewTimeMakesItStale() throws Exception {
        Files.write(file, "!".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        assertNull(StoredDigest.lookup(file, null, -1), "appended");

        StoredDigest.store(file, sha); // wrong on purpose: recorded for the current size and time
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 1000));
        assertNull(StoredDigest.lookup(file, null, -1), "touched");
    }

    @Test
    void aDigestComputedByReadingIsKeptOnlyIfTheFileDidNotChangeMeanwhile() throws Exception {
        Path placed = Files.write(dir.resolve("placed.bin"), "placed".getBytes(StandardCharsets.UTF_8));
        String placedSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(placed)));
        StoredDigest.Stamp before = StoredDigest.stamp(placed);
        assertEquals(supported, StoredDigest.storeIfUnchanged(placed, placedSha, before));
        assertEquals(supported ? placedSha : null, StoredDigest.lookup(placed, null, -1));

        Path changed = Files.write(dir.resolve("changed.bin"), "one".getBytes(StandardCharsets.UTF_8));
        StoredDigest.Stamp seen = StoredDigest.stamp(changed);
        Files.write(changed, "two!".getBytes(StandardCharsets.UTF_8));
        assertFalse(StoredDigest.storeIfUnchanged(changed, sha, seen));
        assertNull(StoredDigest.lookup(changed, null, -1));
        assertFalse(StoredDigest.storeIfUnchanged(changed, sha, null), "no stamp, no digest");
    }

    @Test
    void aCopyIsAnotherFileEvenWithTheAttributesCopied() throws Exception {
        Path copy = Files.copy(file, dir.resolve("copy.bin"), StandardCopyOption.COPY_ATTRIBUTES);
        assertNull(StoredDigest.lookup(copy, null, -1));
    }

    @Test
    void theCallersViewOfTheFileMustMatch() throws Exception {
        Object identity = StoredDigest.identity(file);
        long size = Files.size(file);
        assertEquals(expectedWhileValid(), StoredDigest.lookup(file, identity, size));
        assertNull(StoredDigest.lookup(file, identity, size + 1), "the opened file has another size");
        Object other = StoredDigest.identity(Files.write(dir.resolve("other"), new byte[1]));
        assertNull(StoredDigest.lookup(file, other, size), "the path now names another file");
    }

    @Test
    void theCrc32cIsKeptBesideTheSha256AndARecordWithoutOneStillReads() throws Exception {
        assertEquals(supported ? new KnownDigests(sha, null) : null, StoredDigest.lookupAll(file, null, -1),
                "a record of the SHA-256 alone (as older servers wrote) has no CRC32C");
        assertEquals(supported, StoredDigest.store(file, sha, "0A1B2C3D"));
        assertEquals(supported ? new KnownDigests(sha, "0a1b2c3d") : null,
                StoredDigest.lookupAll(file, null, -1));
        assertEquals(expectedWhileValid(), StoredDigest.lookup(file, null, -1));
        assertThrows(IllegalArgumentException.class, () -> StoredDigest.store(file, sha, "not-hex!"));
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 1000));
        assertNull(StoredDigest.lookupAll(file, null, -1), "stale, both digests");
    }

    @Test
    void theCrc32cAloneIsARecordTooAndGoesStaleTheSameWay() throws Exception {
        assertEquals(supported, StoredDigest.store(file, null, "0A1B2C3D"));
        assertEquals(supported ? new KnownDigests(null, "0a1b2c3d") : null, StoredDigest.lookupAll(file, null, -1));
        assertNull(StoredDigest.lookup(file, null, -1), "no SHA-256 recorded: the caller computes it");
        assertThrows(IllegalArgumentException.class, () -> StoredDigest.store(file, null, null));
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 1000));
        assertNull(StoredDigest.lookupAll(file, null, -1), "stale");
    }

    @Test
    void foreignOrDamagedAttributesAreIgnored() throws Exception {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        for (String value : new String[] {"", "v1 12", "v2 12 0 (dev=1,ino=2) " + sha, "v3 12 0 (dev=1,ino=2) " + sha, "v3 12 0 k", "x".repeat(1000)}) {
            try {
                view.write(StoredDigest.NAME, StandardCharsets.US_ASCII.encode(value));
            } catch (java.io.IOException unsupported) {
                assertFalse(supported);
            }
            assertNull(StoredDigest.lookup(file, null, -1), value);
        }
        assertThrows(IllegalArgumentException.class, () -> StoredDigest.store(file, "not hex"));
    }

    @Test
    void storageChecksumUsesTheStoredDigest() throws Exception {
        String other = "ab".repeat(32);
        StoredDigest.store(file, other); // a digest the content does not have: shows which one is answered
        LocalStore storage = new LocalStore(dir, dir.resolve("partial"), -1);
        assertEquals(supported ? other : sha, storage.sha256(UserPath.parse("f.bin"), "f.bin"));
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 1000));
        assertEquals(sha, storage.sha256(UserPath.parse("f.bin"), "f.bin"), "stale: hashed again");
    }
}
