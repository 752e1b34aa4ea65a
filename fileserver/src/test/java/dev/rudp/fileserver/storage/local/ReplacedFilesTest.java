package dev.rudp.fileserver.storage.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.storage.PathRules;
import dev.rudp.fileserver.storage.Sha256;
import dev.rudp.fileserver.storage.UploadSink;
import dev.rudp.fileserver.storage.UserPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large file replaced by an upload, or removed by {@code rm}, is let go of after the operation:
 * its name is gone at once and this process holds no descriptor of it once the closes ran.
 */
class ReplacedFilesTest {
    @TempDir
    Path tmp;
    Path root;
    LocalStore store;

    @BeforeEach
    void setUp() throws Exception {
        store = (LocalStore) new LocalBackend(tmp.resolve("data")).open("alice", -1);
        root = store.root();
    }

    private static UserPath p(String path) throws ProtocolException {
        return PathRules.resolve(UserPath.ROOT, path);
    }

    private Path large(String name) throws IOException {
        Path f = root.resolve(name);
        Files.write(f, new byte[(int) ReplacedFiles.WORTH + 4096]);
        return f;
    }

    /** This process's open descriptors whose file is deleted and was under {@link #root}. */
    private List<String> deletedButOpen() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String to = Files.readSymbolicLink(fd).toString();
                    if (to.startsWith(root.toString()) && to.endsWith(" (deleted)")) {
                        found.add(to);
                    }
                } catch (IOException gone) {
                    // the descriptor of the listing itself, or one closed meanwhile
                }
            }
        }
        return found;
    }

    @Test
    void anUploadOverALargeFileReplacesItAndLetsGoOfTheOldOne() throws Exception {
        large("f.bin");
        byte[] content = "new".getBytes(StandardCharsets.UTF_8);
        UploadSink s = store.openUpload(p("f.bin"), "f.bin", content.length, false);
        s.write(0, ByteBuffer.wrap(content));
        s.finish(HexFormat.of().formatHex(Sha256.newDigest().digest(content)));
        assertArrayEquals(content, Files.readAllBytes(root.resolve("f.bin")));
        ReplacedFiles.awaitReleased();
        assertEquals(List.of(), deletedButOpen());
    }

    @Test
    void rmOfALargeFileRemovesItAndLetsGoOfIt() throws Exception {
        large("g.bin");
        Files.createDirectories(root.resolve("d"));
        Path inside = large("d/h.bin");
        assertEquals(1, store.delete(p("g.bin"), "g.bin", false));
        assertEquals(2, store.delete(p("d"), "d", true));
        assertFalse(Files.exists(root.resolve("g.bin")));
        assertFalse(Files.exists(inside));
        ReplacedFiles.awaitReleased();
        assertEquals(List.of(), deletedButOpen());
    }

    @Test
    void onlyLargeRegularFilesAreHeld() throws Exception {
        Path big = large("big.bin");
        Files.write(root.resolve("small.bin"), new byte[100]);
        Files.createDirectories(root.resolve("folder"));
        Files.createSymbolicLink(root.resolve("link.bin"), big);
        Path fifo = root.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mk.waitFor());
        try (FileChannel held = ReplacedFiles.hold(big)) {
            assertNotNull(held);
        }
        for (String name : List.of("small.bin", "folder", "link.bin", "fifo", "missing.bin")) {
            // a FIFO opened for reading would block this thread until a writer came
            assertNull(ReplacedFiles.hold(root.resolve(name)), name);
        }
    }
}
