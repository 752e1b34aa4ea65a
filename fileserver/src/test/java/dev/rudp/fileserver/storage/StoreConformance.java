package dev.rudp.fileserver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Store} does, with the replies and statuses of the local store (today's
 * {@code Storage} and its callers in the server and {@code cmd}): subclasses give a fresh, empty
 * tree per call of {@link #newStore}. Covers every Store method and the {@link UploadSink}
 * contract: chunks in any order, a mismatch discarding the upload, abort and resume continuing
 * where a kept part ends, the old version intact until finish, quota.
 */
@Timeout(120)
public abstract class StoreConformance {
    private static final int CHUNK = 64 * 1024;

    /** A new, empty account tree with {@code quota} bytes (-1: none). */
    protected abstract Store newStore(long quota) throws Exception;

    /**
     * The granularity of what an aborted upload keeps: 1 for a byte-exact partial file, the part
     * size for an object store's multipart upload. Uploads in the resume tests span a few of these.
     */
    protected int resumeGranule() {
        return 1;
    }

    /** A size that makes uploads span a few resume granules (at least 64 KiB). */
    private int unit() {
        return Math.max(resumeGranule(), 64 * 1024);
    }

    // ---- helpers

    protected static UserPath p(String path) throws ProtocolException {
        return PathRules.resolve(UserPath.ROOT, path);
    }

    protected static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Uploads {@code content} to {@code path} in order and finishes it. */
    protected static String put(Store s, String path, byte[] content) throws Exception {
        UploadSink sink = s.openUpload(p(path), path, content.length, false);
        write(sink, content, sink.start(), content.length, false);
        return sink.finish(sha256(content));
    }

    /** Writes {@code content[from, to)} in chunks, in order or shuffled. */
    protected static void write(UploadSink sink, byte[] content, long from, long to, boolean shuffle) throws Exception {
        List<long[]> chunks = new ArrayList<>();
        for (long off = from; off < to; off += CHUNK) {
            chunks.add(new long[] {off, Math.min(CHUNK, to - off)});
        }
        if (shuffle) {
            // within a window of 32 chunks, like the transport's unordered delivery
            Random r = new Random(7);
            for (int i = 0; i < chunks.size(); i += 32) {
                Collections.shuffle(chunks.subList(i, Math.min(chunks.size(), i + 32)), r);
            }
        }
        for (long[] c : chunks) {
            ByteBuffer b = ByteBuffer.wrap(content, (int) c[0], (int) c[1]);
            sink.write(c[0], b);
            assertFalse(b.hasRemaining(), "write consumes its buffer");
        }
    }

    protected static byte[] read(Store s, String path) throws Exception {
        try (InputStream in = s.openStream(p(path), path)) {
            return in.readAllBytes();
        }
    }

    protected static ProtocolException fails(Status status, String message, Executable e) {
        ProtocolException x = assertThrows(ProtocolException.class, e::run);
        assertEquals(status, x.status(), x.getMessage());
        if (message != null) {
            assertEquals(message, x.getMessage());
        }
        assertFalse(x.getMessage().contains("\n"), "one line: " + x.getMessage());
        return x;
    }

    /** A call that may throw anything. */
    @FunctionalInterface
    protected interface Executable {
        void run() throws Exception;
    }

    private static List<String> names(List<FileEntry> entries) {
        return entries.stream().map(e -> e.name() + (e.isDirectory() ? "/" : "")).collect(Collectors.toList());
    }

    /**
     * Paths through a file and other edges where a folder and an object store answer from different
     * facts (ENOTDIR on disk, keys in a bucket): looked up, a path through a file is not found;
     * made with a file as its parent (mkdir, mv, cp), it is not a folder; mkdir -p through a file
     * anywhere, not a folder; a folder moved onto a file, not a folder.
     */
    @Test
    void pathsThroughAFileHaveTheSameStatusesEverywhere() throws Exception {
        Store s = newStore(-1);
        put(s, "file", new byte[] {1, 2, 3});
        s.mkdir(p("d"), "d", false);
        put(s, "d/in", new byte[] {4});
        s.mkdir(p("e"), "e", false);
        fails(Status.NOT_DIRECTORY, "not a folder: file/x", () -> s.mkdir(p("file/x"), "file/x", false));
        fails(Status.NOT_FOUND, "no such file: file/x/y", () -> s.mkdir(p("file/x/y"), "file/x/y", false));
        fails(Status.NOT_DIRECTORY, "not a folder: file/x/y", () -> s.mkdir(p("file/x/y"), "file/x/y", true));
        fails(Status.NOT_DIRECTORY, "not a folder: d/in/y", () -> s.mkdir(p("d/in/y"), "d/in/y", true));
        fails(Status.NOT_FOUND, "no such file: file/x", () -> s.list(p("file/x"), "file/x"));
        fails(Status.NOT_FOUND, "no such file: file/x", () -> s.stat(p("file/x"), "file/x"));
        assertFalse(s.isDirectory(p("file/x")));
        fails(Status.NOT_FOUND, "no such file: file/x", () -> s.delete(p("file/x"), "file/x", false));
        fails(Status.NOT_FOUND, "no such file: file/x", () -> s.delete(p("file/x"), "file/x", true));
        fails(Status.NOT_FOUND, "no such file: file/x", () -> s.sha256(p("file/x"), "file/x"));
        fails(Status.NOT_FOUND, "no such file: file/x", () -> s.sizeOf(p("file/x"), "file/x"));
        fails(Status.NOT_FOUND, "no such file: nope", () -> s.sizeOf(p("nope"), "nope"));
        fails(Status.NOT_FOUND, "no such file: file/x", () -> s.walk(p("file/x"), "file/x", 10));
        fails(Status.NOT_FOUND, "no such file: file/x", () -> s.openRead(p("file/x"), "file/x", 0).close());
        fails(Status.NOT_FOUND, "no such folder: file/x", () -> s.openUpload(p("file/x"), "file/x", 1, false).abort());
        fails(Status.NOT_FOUND, "no such file: file/x", () -> s.move(p("file/x"), "file/x", p("z"), "z"));
        fails(Status.NOT_DIRECTORY, "not a folder: file/x", () -> s.move(p("d"), "d", p("file/x"), "file/x"));
        fails(Status.NOT_DIRECTORY, "not a folder: file/x", () -> s.move(p("d/in"), "d/in", p("file/x"), "file/x"));
        fails(Status.NOT_FOUND, "no such file: d", () -> s.move(p("d"), "d", p("file/x/y"), "file/x/y"));
        fails(Status.NOT_DIRECTORY, "not a folder: file", () -> s.move(p("e"), "e", p("file"), "file"));
        fails(Status.NOT_DIRECTORY, "not a folder: file/x", () -> s.copy(p("file"), "file", p("file/x"), "file/x", false));
        fails(Status.NOT_DIRECTORY, "not a folder: file/x", () -> s.copy(p("d"), "d", p("file/x"), "file/x", true));
        fails(Status.NOT_FOUND, "no such file: file", () -> s.copy(p("file"), "file", p("file/x/y"), "file/x/y", false));
        // nothing moved or copied by the refused calls
        assertEquals(List.of("d/", "e/", "file"), names(s.list(UserPath.ROOT, "~")));
        assertEquals(List.of("in"), names(s.list(p("d"), "d")));
        assertEquals(List.of(), names(s.list(p("e"), "e")));
    }

    // ---- list, stat, isDirectory

    @Test
    void aNewHomeIsAnEmptyFolder() throws Exception {
        Store s = newStore(-1);
        assertEquals(List.of(), s.list(UserPath.ROOT, "."));
        assertTrue(s.isDirectory(UserPath.ROOT));
        assertTrue(s.stat(UserPath.ROOT, "~").isDirectory());
        assertEquals(0, s.usage());
    }

    @Test
    void listsAreSortedByNameWithTypesAndSizes() throws Exception {
        Store s = newStore(-1);
        put(s, "b.txt", bytes(10, 1));
        put(s, "A.txt", bytes(3, 2));
        s.mkdir(p("a"), "a", false);
        put(s, "a-b", bytes(0, 3));
        put(s, "a/inner", bytes(5, 4));
        List<FileEntry> l = s.list(UserPath.ROOT, ".");
        assertEquals(List.of("A.txt", "a/", "a-b", "b.txt"), names(l));
        assertEquals(10, l.get(3).size());
        assertEquals('f', l.get(3).type());
        assertTrue(l.get(3).mtimeMillis() > 0);
        assertEquals(List.of("inner"), names(s.list(p("a"), "a")));
        // a file lists as itself
        List<FileEntry> one = s.list(p("a/inner"), "a/inner");
        assertEquals(1, one.size());
        assertEquals("inner", one.get(0).name());
        assertEquals(5, one.get(0).size());
        fails(Status.NOT_FOUND, "no such file: nope", () -> s.list(p("nope"), "nope"));
    }

    @Test
    void statAndIsDirectory() throws Exception {
        Store s = newStore(-1);
        put(s, "f", bytes(42, 5));
        s.mkdir(p("d"), "d", false);
        FileEntry f = s.stat(p("f"), "./f");
        assertEquals("./f", f.name());
        assertEquals('f', f.type());
        assertEquals(42, f.size());
        assertEquals('d', s.stat(p("d"), "d").type());
        assertTrue(s.isDirectory(p("d")));
        assertFalse(s.isDirectory(p("f")));
        assertFalse(s.isDirectory(p("missing")));
        fails(Status.NOT_FOUND, "no such file: missing", () -> s.stat(p("missing"), "missing"));
    }

    // ---- mkdir

    @Test
    void mkdirWithAndWithoutParents() throws Exception {
        Store s = newStore(-1);
        s.mkdir(p("x"), "x", false);
        assertTrue(s.isDirectory(p("x")));
        assertEquals(List.of(), s.list(p("x"), "x"));
        fails(Status.EXISTS, "file exists: x", () -> s.mkdir(p("x"), "x", false));
        fails(Status.NOT_FOUND, "no such file: y/z", () -> s.mkdir(p("y/z"), "y/z", false));
        s.mkdir(p("y/z/w"), "y/z/w", true);
        s.mkdir(p("y/z/w"), "y/z/w", true); // -p: no error when it exists
        assertTrue(s.isDirectory(p("y")));
        assertTrue(s.isDirectory(p("y/z")));
        assertTrue(s.isDirectory(p("y/z/w")));
        put(s, "file", bytes(1, 6));
        fails(Status.EXISTS, "file exists: file", () -> s.mkdir(p("file"), "file", true));
        fails(Status.EXISTS, "file exists: file", () -> s.mkdir(p("file"), "file", false));
    }

    // ---- delete

    @Test
    void deleteFilesFoldersAndTrees() throws Exception {
        Store s = newStore(-1);
        s.mkdir(p("d/sub"), "d/sub", true);
        put(s, "d/f1", bytes(10, 7));
        put(s, "d/sub/f2", bytes(10, 8));
        fails(Status.NOT_EMPTY, "folder not empty (use rm -r): d", () -> s.delete(p("d"), "d", false));
        fails(Status.NOT_FOUND, "no such file: nothing", () -> s.delete(p("nothing"), "nothing", false));
        fails(Status.PERMISSION_DENIED, "refusing to remove or move your home folder: ~",
                () -> s.delete(UserPath.ROOT, "~", true));
        assertEquals(1, s.delete(p("d/f1"), "d/f1", false));
        assertTrue(s.isDirectory(p("d")), "a folder stays when its last file goes");
        put(s, "d/f1", bytes(10, 7));
        // two files and two folders (d and d/sub)
        assertEquals(4, s.delete(p("d"), "d", true));
        assertFalse(s.isDirectory(p("d")));
        assertEquals(List.of(), s.list(UserPath.ROOT, "."));
        s.mkdir(p("empty"), "empty", false);
        assertEquals(1, s.delete(p("empty"), "empty", false));
        assertEquals(0, s.usage());
    }

    // ---- move

    @Test
    void moveFilesAndFolders() throws Exception {
        Store s = newStore(-1);
        byte[] a = bytes(1000, 9);
        put(s, "a", a);
        assertEquals(p("b"), s.move(p("a"), "a", p("b"), "b"));
        assertArrayEquals(a, read(s, "b"));
        fails(Status.NOT_FOUND, "no such file: a", () -> s.stat(p("a"), "a"));
        s.mkdir(p("dir"), "dir", false);
        assertEquals(p("dir/b"), s.move(p("b"), "b", p("dir"), "dir"));
        assertArrayEquals(a, read(s, "dir/b"));
        // over an existing file: replaced
        byte[] c = bytes(10, 10);
        put(s, "c", c);
        s.move(p("c"), "c", p("dir/b"), "dir/b");
        assertArrayEquals(c, read(s, "dir/b"));
        // a folder with its tree
        s.mkdir(p("dir/deep/er"), "dir/deep/er", true);
        put(s, "dir/deep/er/x", a);
        assertEquals(p("moved"), s.move(p("dir"), "dir", p("moved"), "moved"));
        assertFalse(s.isDirectory(p("dir")));
        assertArrayEquals(c, read(s, "moved/b"));
        assertArrayEquals(a, read(s, "moved/deep/er/x"));
        assertEquals(List.of("b", "deep/"), names(s.list(p("moved"), "moved")));
        // into an existing folder
        s.mkdir(p("box"), "box", false);
        assertEquals(p("box/moved"), s.move(p("moved"), "moved", p("box"), "box"));
        assertArrayEquals(a, read(s, "box/moved/deep/er/x"));
        fails(Status.BAD_REQUEST, "cannot move a folder into itself: box",
                () -> s.move(p("box"), "box", p("box/moved/deep"), "box/moved/deep"));
        fails(Status.PERMISSION_DENIED, null, () -> s.move(UserPath.ROOT, "~", p("x"), "x"));
        fails(Status.NOT_FOUND, "no such file: ghost", () -> s.move(p("ghost"), "ghost", p("x"), "x"));
        fails(Status.NOT_FOUND, null, () -> s.move(p("box"), "box", p("no/where"), "no/where"));
        // onto itself: a folder would go into itself, a file stays where it is
        fails(Status.BAD_REQUEST, null, () -> s.move(p("box"), "box", p("box"), "box"));
        assertEquals(p("box/moved/b"), s.move(p("box/moved/b"), "box/moved/b", p("box/moved/b"), "box/moved/b"));
        assertArrayEquals(c, read(s, "box/moved/b"));
        assertArrayEquals(a, read(s, "box/moved/deep/er/x"));
    }

    // ---- copy

    @Test
    void copyFilesAndTrees() throws Exception {
        Store s = newStore(-1);
        byte[] a = bytes(5000, 11);
        put(s, "a", a);
        assertEquals(p("a2"), s.copy(p("a"), "a", p("a2"), "a2", false));
        assertArrayEquals(a, read(s, "a"));
        assertArrayEquals(a, read(s, "a2"));
        assertEquals(sha256(a), s.sha256(p("a2"), "a2"));
        s.mkdir(p("t/u"), "t/u", true);
        put(s, "t/u/f", a);
        put(s, "t/g", bytes(7, 12));
        fails(Status.IS_DIRECTORY, "is a folder (use cp -r): t", () -> s.copy(p("t"), "t", p("t2"), "t2", false));
        assertEquals(p("t2"), s.copy(p("t"), "t", p("t2"), "t2", true));
        assertArrayEquals(a, read(s, "t2/u/f"));
        assertArrayEquals(a, read(s, "t/u/f"));
        assertEquals(List.of("g", "u/"), names(s.list(p("t2"), "t2")));
        // into an existing folder
        assertEquals(p("t2/a"), s.copy(p("a"), "a", p("t2"), "t2", false));
        assertArrayEquals(a, read(s, "t2/a"));
        fails(Status.BAD_REQUEST, "cannot copy a folder into itself: t", () -> s.copy(p("t"), "t", p("t/u"), "t/u", true));
        fails(Status.NOT_FOUND, "no such file: ghost", () -> s.copy(p("ghost"), "ghost", p("x"), "x", true));
        assertEquals(5 * 5000L + 2 * 7L, s.usage());
    }

    @Test
    void copyChecksTheQuota() throws Exception {
        Store s = newStore(10_000);
        put(s, "a", bytes(6000, 13));
        ProtocolException e = fails(Status.QUOTA_EXCEEDED, null, () -> s.copy(p("a"), "a", p("b"), "b", false));
        assertTrue(e.getMessage().startsWith("quota exceeded: 6000 of 10000 bytes used, 6000 more requested"),
                e.getMessage());
        fails(Status.NOT_FOUND, null, () -> s.stat(p("b"), "b"));
    }

    // ---- sha256, usage, quota, sizes, walk

    @Test
    void sha256OfFilesOnly() throws Exception {
        Store s = newStore(-1);
        byte[] a = bytes(300_000, 14);
        assertEquals(sha256(a), put(s, "a", a));
        assertEquals(sha256(a), s.sha256(p("a"), "a"));
        s.mkdir(p("d"), "d", false);
        fails(Status.IS_DIRECTORY, "is a folder: d", () -> s.sha256(p("d"), "d"));
        fails(Status.NOT_FOUND, "no such file: e", () -> s.sha256(p("e"), "e"));
        put(s, "empty", new byte[0]);
        assertEquals(sha256(new byte[0]), s.sha256(p("empty"), "empty"));
    }

    @Test
    void usageQuotaAndSizes() throws Exception {
        Store s = newStore(1000);
        assertEquals(1000, s.quota());
        s.mkdir(p("d"), "d", false);
        put(s, "d/a", bytes(100, 15));
        put(s, "b", bytes(200, 16));
        assertEquals(300, s.usage());
        assertEquals(100, s.sizeOf(p("d"), "d"));
        assertEquals(200, s.sizeOf(p("b"), "b"));
        assertEquals(300, s.sizeOf(UserPath.ROOT, "~"));
        long free = s.freeSpace();
        assertTrue(free == -1 || free > 0, "free " + free);
        s.checkQuota(700);
        ProtocolException e = fails(Status.QUOTA_EXCEEDED, "quota exceeded: 300 of 1000 bytes used, 701 more requested",
                () -> s.checkQuota(701));
        assertTrue(e.getMessage().contains("701"));
        fails(Status.QUOTA_EXCEEDED, null, () -> s.openUpload(p("big"), "big", 701, false));
        // replacing a file counts only what it adds
        UploadSink sink = s.openUpload(p("b"), "b", 900, false);
        sink.abort();
        assertEquals(-1, newStore(-1).quota());
    }

    @Test
    void walkIsDepthFirstByName() throws Exception {
        Store s = newStore(-1);
        s.mkdir(p("w/a"), "w/a", true);
        s.mkdir(p("w/c"), "w/c", true);
        put(s, "w/a/x", bytes(3, 17));
        put(s, "w/b", bytes(4, 18));
        List<Store.Walked> all = s.walk(p("w"), "w", 100);
        assertEquals(List.of("w", "w/a", "w/a/x", "w/b", "w/c"),
                all.stream().map(x -> x.path().relative()).collect(Collectors.toList()));
        assertEquals('d', all.get(0).entry().type());
        assertEquals('f', all.get(2).entry().type());
        assertEquals(3, all.get(2).entry().size());
        assertEquals("x", all.get(2).entry().name());
        assertEquals(2, s.walk(p("w"), "w", 2).size());
        assertEquals(1, s.walk(p("w/b"), "w/b", 100).size());
        fails(Status.NOT_FOUND, null, () -> s.walk(p("none"), "none", 10));
    }

    // ---- reads

    @Test
    void readsAtAnyPositionWithTheKnownDigest() throws Exception {
        Store s = newStore(-1);
        byte[] a = bytes(1_000_000, 19);
        put(s, "a", a);
        try (ReadHandle h = s.openRead(p("a"), "a", 0)) {
            assertEquals(a.length, h.size());
            String known = h.knownSha256();
            assertTrue(known == null || known.equals(sha256(a)), known);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (long pos = 0; pos < a.length; ) {
                int n = (int) Math.min(100_000, a.length - pos);
                ByteBuf b = h.read(pos, n, ByteBufAllocator.DEFAULT, md);
                try {
                    byte[] got = new byte[n];
                    b.readBytes(got);
                    assertArrayEquals(Arrays.copyOfRange(a, (int) pos, (int) pos + n), got);
                } finally {
                    b.release();
                }
                pos += n;
            }
            assertEquals(sha256(a), HexFormat.of().formatHex(md.digest()));
        }
        try (ReadHandle h = s.openRead(p("a"), "a", 500_000)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            h.hashRange(md, 0, 500_000);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(a, 500_000)), md.digest());
        }
        assertArrayEquals(a, read(s, "a"));
        fails(Status.BAD_REQUEST, null, () -> s.openRead(p("a"), "a", a.length + 1L).close());
        s.mkdir(p("d"), "d", false);
        fails(Status.IS_DIRECTORY, null, () -> s.openRead(p("d"), "d", 0).close());
        fails(Status.NOT_FOUND, null, () -> s.openRead(p("nope"), "nope", 0).close());
        put(s, "empty", new byte[0]);
        assertArrayEquals(new byte[0], read(s, "empty"));
    }

    // ---- uploads

    @Test
    void chunksInAnyOrder() throws Exception {
        Store s = newStore(-1);
        byte[] a = bytes(3 * unit() + 12_345, 20);
        UploadSink sink = s.openUpload(p("a"), "a", a.length, false);
        assertEquals(0, sink.start());
        assertEquals(a.length, sink.size());
        write(sink, a, 0, a.length, true);
        assertEquals(sha256(a), sink.finish(sha256(a).toUpperCase()));
        assertArrayEquals(a, read(s, "a"));
        assertEquals(sha256(a), s.sha256(p("a"), "a"));
        assertEquals(a.length, s.usage());
    }

    @Test
    void nothingIsVisibleBeforeFinish() throws Exception {
        Store s = newStore(-1);
        byte[] a = bytes(2 * unit() + 5, 21);
        UploadSink sink = s.openUpload(p("new"), "new", a.length, false);
        write(sink, a, 0, a.length, false);
        fails(Status.NOT_FOUND, null, () -> s.stat(p("new"), "new"));
        assertEquals(List.of(), s.list(UserPath.ROOT, "."));
        sink.finish(sha256(a));
        assertEquals(a.length, s.stat(p("new"), "new").size());
    }

    @Test
    void theOldVersionStaysUntilFinish() throws Exception {
        Store s = newStore(-1);
        byte[] old = bytes(1000, 22);
        put(s, "f", old);
        byte[] next = bytes(2 * unit() + 99, 23);
        UploadSink sink = s.openUpload(p("f"), "f", next.length, false);
        write(sink, next, 0, next.length, true);
        assertArrayEquals(old, read(s, "f"));
        assertEquals(sha256(old), s.sha256(p("f"), "f"));
        sink.finish(sha256(next));
        assertArrayEquals(next, read(s, "f"));
        assertEquals(sha256(next), s.sha256(p("f"), "f"));
    }

    @Test
    void aMismatchDiscardsTheUploadAndKeepsTheOldFile() throws Exception {
        Store s = newStore(-1);
        byte[] old = bytes(500, 24);
        put(s, "f", old);
        byte[] next = bytes(2 * unit() + 1, 25);
        UploadSink sink = s.openUpload(p("f"), "f", next.length, false);
        write(sink, next, 0, next.length, false);
        ProtocolException e = fails(Status.CHECKSUM_MISMATCH, null, () -> sink.finish(sha256(old)));
        assertTrue(e.getMessage().startsWith("checksum mismatch: f"), e.getMessage());
        assertArrayEquals(old, read(s, "f"));
        // nothing kept for a resume
        UploadSink again = s.openUpload(p("f"), "f", next.length, true);
        assertEquals(0, again.start());
        again.abort();
        assertEquals(old.length, s.usage());
        // a new file that fails its check does not appear
        UploadSink fresh = s.openUpload(p("g"), "g", 10, false);
        write(fresh, bytes(10, 26), 0, 10, false);
        fails(Status.CHECKSUM_MISMATCH, null, () -> fresh.finish(sha256(new byte[10])));
        fails(Status.NOT_FOUND, null, () -> s.stat(p("g"), "g"));
    }

    @Test
    void abortKeepsWhatAResumeContinues() throws Exception {
        Store s = newStore(-1);
        int g = resumeGranule();
        int u = unit();
        byte[] a = bytes(3 * u + 777, 27);
        long written = 2L * u + 1000;
        UploadSink first = s.openUpload(p("r"), "r", a.length, false);
        write(first, a, 0, written, false);
        first.abort();
        first.abort(); // idempotent
        fails(Status.NOT_FOUND, null, () -> s.stat(p("r"), "r"));

        UploadSink resumed = s.openUpload(p("r"), "r", a.length, true);
        long start = resumed.start();
        assertTrue(start > 0 && start <= written, "start " + start);
        assertEquals(written / g * g, start, "a resume starts where the last complete part kept ends");
        write(resumed, a, start, a.length, true);
        assertEquals(sha256(a), resumed.finish(sha256(a)));
        assertArrayEquals(a, read(s, "r"));
        assertEquals(a.length, s.usage());
    }

    @Test
    void withoutResumeAnEarlierUploadIsDropped() throws Exception {
        Store s = newStore(-1);
        int u = unit();
        byte[] a = bytes(2 * u + 10, 28);
        UploadSink first = s.openUpload(p("r"), "r", a.length, false);
        write(first, a, 0, u + 5, false);
        first.abort();
        UploadSink again = s.openUpload(p("r"), "r", a.length, false);
        assertEquals(0, again.start());
        write(again, a, 0, a.length, false);
        again.finish(sha256(a));
        assertArrayEquals(a, read(s, "r"));
        assertEquals(a.length, s.usage());
    }

    @Test
    void uploadsCheckTheirTargetAndQuota() throws Exception {
        Store s = newStore(5000);
        s.mkdir(p("d"), "d", false);
        fails(Status.IS_DIRECTORY, null, () -> s.openUpload(p("d"), "d", 1, false));
        fails(Status.NOT_FOUND, null, () -> s.openUpload(p("none/f"), "none/f", 1, false));
        put(s, "f", bytes(3000, 29));
        fails(Status.QUOTA_EXCEEDED, null, () -> s.openUpload(p("g"), "g", 2001, false));
        // replacing f with a larger version counts only the difference
        byte[] bigger = bytes(5000, 30);
        assertEquals(sha256(bigger), put(s, "f", bigger));
    }

    @Test
    void anEmptyFile() throws Exception {
        Store s = newStore(-1);
        UploadSink sink = s.openUpload(p("zero"), "zero", 0, false);
        assertEquals(0, sink.start());
        assertEquals(sha256(new byte[0]), sink.finish(sha256(new byte[0])));
        assertEquals(0, s.stat(p("zero"), "zero").size());
        assertEquals('f', s.stat(p("zero"), "zero").type());
    }
}
