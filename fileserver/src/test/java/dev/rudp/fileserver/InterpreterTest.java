package dev.rudp.fileserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.cmd.Interpreter;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.UserPath;
import dev.rudp.fileserver.storage.local.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterpreterTest {
    @TempDir
    Path tmp;
    LocalStore storage;

    @BeforeEach
    void setUp() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("home/alice"));
        Files.writeString(tmp.resolve("secret.txt"), "outside");
        Files.writeString(root.resolve("a.txt"), "one\ntwo\nthree\n");
        storage = new LocalStore(root, tmp.resolve("partial/alice"), -1);
    }

    private List<String> run(String line) throws ProtocolException {
        return new Interpreter(storage, UserPath.ROOT).run(line);
    }

    private ProtocolException fails(String line) {
        return assertThrows(ProtocolException.class, () -> run(line), line);
    }

    @Test
    void fileCommandsWorkInsideTheRoot() throws Exception {
        run("mkdir -p x/y/z");
        run("cp a.txt x/y/b.txt");
        run("mv x/y/b.txt x/c.txt");
        assertEquals(List.of("one", "two"), run("head -n 2 x/c.txt"));
        assertEquals(List.of("one", "two", "three"), run("cat a.txt"));
        assertEquals(List.of("a.txt", "x/"), run("ls"));
        assertEquals(List.of("./x/c.txt"), run("find . -name c*.txt"));
        assertEquals(List.of("14\tx"), run("du -s x"));
        assertTrue(run("sha256sum a.txt").get(0).startsWith(
                "b6285c57e8797db5d4c51c80d6f11938afda9b11c6a003549709189e9b4b92a2"));
        assertTrue(run("stat a.txt").get(1).contains("Size: 14"));
        assertTrue(run("df").get(0).startsWith("used 28 bytes"));
        run("rm -r x");
        assertEquals(List.of("a.txt"), run("ls"));
        assertEquals(List.of("a.txt"), run("ls \"a.txt\""));
    }

    @Test
    void cannotStartAProcess() {
        for (String line : List.of("sh -c id", "bash", "/bin/sh", "id", "exec id", "python3 -c 1", "env")) {
            ProtocolException e = fails(line);
            assertTrue(e.getMessage().contains("unknown command"), e.getMessage());
        }
        for (String line : List.of("ls; id", "ls && id", "ls | sh", "ls `id`", "ls $(id)", "cat a.txt > b",
                "ls & id")) {
            ProtocolException e = fails(line);
            assertEquals(Status.BAD_REQUEST, e.status());
            assertTrue(e.getMessage().contains("not a shell"), e.getMessage());
        }
        assertFalse(Files.exists(storage.root().resolve("b")));
    }

    @Test
    void cannotReadOutsideTheRoot() throws Exception {
        assertEquals(Status.PATH_REFUSED, fails("cat ../../secret.txt").status());
        assertEquals(Status.PATH_REFUSED, fails("cat /etc/passwd").status());
        assertEquals(Status.PATH_REFUSED, fails("find ..").status());
        assertEquals(Status.PATH_REFUSED, fails("cp ../../secret.txt in.txt").status());
        Files.createSymbolicLink(storage.root().resolve("link"), tmp.resolve("secret.txt"));
        assertEquals(Status.PATH_REFUSED, fails("cat link").status());
        assertEquals(Status.PATH_REFUSED, fails("head link").status());
        ProtocolException e = fails("cat nothere.txt");
        assertEquals("cat: no such file: nothere.txt", e.getMessage());
    }
}
