package dev.rudp.fileserver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running hash equals the hash of the finished file however its chunks arrived. */
class PrefixDigestTest {
    private static final int CHUNK = 1000;
    @TempDir
    Path dir;

    private static byte[] content(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Writes {@code content} from {@code start} in chunks in the given order, as Upload does. */
    private String receive(byte[] content, int start, List<Integer> order) throws IOException {
        Path p = dir.resolve("part" + order.hashCode() + "-" + start);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            ch.write(ByteBuffer.wrap(content, 0, start), 0); // an earlier, interrupted transfer
            Ranges ranges = new Ranges();
            PrefixDigest digest = new PrefixDigest(ch);
            for (int i : order) {
                int off = start + i * CHUNK;
                int len = Math.min(CHUNK, content.length - off);
                ch.write(ByteBuffer.wrap(content, off, len), off);
                ranges.add(off, off + len);
                digest.written(ByteBuffer.wrap(content, off, len), off, ranges.prefix(start));
            }
            return digest.finish(content.length);
        }
    }

    private static List<Integer> chunks(int bytes) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i * CHUNK < bytes; i++) {
            l.add(i);
        }
        return l;
    }

    @Test
    void severalDigestsInOnePassAndAfterChunksWrittenBeforeTheDigestWasMade() throws Exception {
        byte[] c = content(30_700);
        Path p = dir.resolve("both");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            Ranges ranges = new Ranges();
            List<Integer> order = chunks(c.length);
            Collections.shuffle(order, new Random(11));
            PrefixDigest digest = null;
            for (int n = 0; n < order.size(); n++) {
                if (n == 5) {
                    // the client makes its digest once GET's first reply said which: chunks came before
                    digest = new PrefixDigest(ch, MessageDigest.getInstance("SHA-256"), new Crc32c());
                }
                int off = order.get(n) * CHUNK;
                int len = Math.min(CHUNK, c.length - off);
                ch.write(ByteBuffer.wrap(c, off, len), off);
                ranges.add(off, off + len);
                if (digest != null) {
                    digest.written(ByteBuffer.wrap(c, off, len), off, ranges.prefix(0));
                }
            }
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(c);
            assertEquals(List.of(sha(c), String.format("%08x", crc.getValue())), digest.finishAll(c.length));
        }
    }

    @Test
    void inOrderChunksAreHashedFromMemory() throws Exception {
        byte[] c = content(10_500);
        assertEquals(sha(c), receive(c, 0, chunks(c.length)));
    }

    @Test
    void chunksAheadOfAGapAreHashedOnceItFills() throws Exception {
        byte[] c = content(20_300);
        List<Integer> order = chunks(c.length);
        Collections.shuffle(order, new Random(7));
        assertEquals(sha(c), receive(c, 0, order));
        Collections.reverse(order);
        assertEquals(sha(c), receive(c, 0, order));
    }

    @Test
    void aResumedTransferHashesTheEarlierPartFromTheFile() throws Exception {
        byte[] c = content(9_999);
        assertEquals(sha(c), receive(c, 4_321, chunks(c.length - 4_321)));
    }

    @Test
    void aMissingChunkCannotMatch() throws Exception {
        byte[] c = content(5_000);
        List<Integer> order = chunks(c.length);
        order.remove(Integer.valueOf(2));
        assertNotEquals(sha(c), receive(c, 0, order));
    }
}
