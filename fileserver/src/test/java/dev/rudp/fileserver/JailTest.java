package dev.rudp.fileserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.Jail;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JailTest {
    @TempDir
    Path tmp;
    Path root;
    Jail jail;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("home/alice"));
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(tmp.resolve("secret.txt"), "outside");
        jail = new Jail(root);
    }

    private void refused(String path, String why) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> jail.resolve(jail.root(), path), path);
        assertEquals(Status.PATH_REFUSED, e.status());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void dotDotThatClimbsOutIsRefused() {
        refused("../../etc/passwd", "outside your home folder");
        refused("sub/../../secret.txt", "outside your home folder");
        refused("..", "outside your home folder");
    }

    @Test
    void dotDotInsideTheRootIsFine() throws Exception {
        Path sub = jail.resolve(jail.root(), "sub");
        assertEquals(jail.root(), jail.resolve(sub, ".."));
        assertEquals(jail.root().resolve("a"), jail.resolve(sub, "../a"));
        assertEquals("~/sub", jail.display(sub));
        assertEquals(jail.root().resolve("x"), jail.resolve(sub, "~/x"));
    }

    @Test
    void absolutePathsNulBytesAndLongNamesAreRefused() {
        refused("/etc/passwd", "absolute paths are not allowed");
        refused("a\0b", "NUL byte");
        refused("x".repeat(256), "name longer than 255 bytes");
        refused("a/".repeat(2100), "path longer than 4096 bytes");
    }

    @Test
    void symlinksLeadingOutAreRefusedAndInsideOnesWork() throws Exception {
        Files.createSymbolicLink(root.resolve("out"), tmp);
        Files.createSymbolicLink(root.resolve("pw"), tmp.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("dangling"), tmp.resolve("nothing-yet"));
        Files.createSymbolicLink(root.resolve("in"), root.resolve("sub"));
        refused("out/secret.txt", "symbolic link leads outside");
        refused("out", "symbolic link leads outside");
        refused("out/new-file", "symbolic link leads outside");
        refused("pw", "symbolic link leads outside");
        refused("dangling", "dangling symbolic link");
        assertEquals(root.toRealPath().resolve("in/f"), jail.resolve(jail.root(), "in/f"));
    }
}
