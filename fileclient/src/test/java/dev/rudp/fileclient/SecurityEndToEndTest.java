package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.CancelToken;
import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileclient.connection.TransferListener;
import dev.rudp.fileclient.connection.Transfers;
import dev.rudp.fileserver.protocol.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Path escapes and cmd over the wire: refused with a clear error, nothing outside the root touched. */
@Timeout(60)
class SecurityEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void pathEscapesAreRefused() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"));
                FileConnection c = s.login("alice", "secret-a");
                Transfers t = new Transfers(c)) {
            Path outside = Files.writeString(tmp.resolve("secret.txt"), "top secret");
            Files.createSymbolicLink(s.home("alice").resolve("escape"), tmp);
            Path local = Files.writeString(tmp.resolve("x.txt"), "x");
            for (String remote : List.of("../../secret.txt", "/etc/passwd", "escape/secret.txt",
                    "../bob/anything", "a\0b")) {
                ClientException e = assertThrows(ClientException.class, () -> t.download(remote,
                        tmp.resolve("got.txt"), false, TransferListener.NONE, new CancelToken()), remote);
                assertEquals(ExitCode.REMOTE_ERROR, e.code(), remote);
                assertTrue(e.getMessage().startsWith("path refused: "), e.getMessage());
            }
            for (String remote : List.of("../x.txt", "../../x.txt", "/tmp/x.txt", "escape/x.txt")) {
                ClientException e = assertThrows(ClientException.class, () -> t.upload(local, remote, false,
                        TransferListener.NONE, new CancelToken()), remote);
                assertTrue(e.getMessage().startsWith("path refused: "), e.getMessage());
            }
            assertThrows(ClientException.class, () -> c.call(Op.RENAME, List.of("x", "../../moved")));
            assertThrows(ClientException.class, () -> c.call(Op.RM, List.of("escape/secret.txt"), 0));
            assertThrows(ClientException.class, () -> c.call(Op.CD, List.of("..")));
            assertEquals("top secret", Files.readString(outside));
            assertFalse(Files.exists(tmp.resolve("x.txt.part")));
            assertFalse(Files.exists(tmp.resolve("got.txt")));
        }
    }

    @Test
    void cmdCannotStartAProcessNorReadOutside() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"));
                FileConnection c = s.login("alice", "secret-a")) {
            Files.writeString(tmp.resolve("secret.txt"), "top secret");
            Path marker = tmp.resolve("pwned");
            for (String line : List.of("touch " + marker, "sh -c 'touch " + marker + "'", "ls; touch " + marker,
                    "ls && touch " + marker, "ls `touch " + marker + "`", "ls $(touch " + marker + ")",
                    "cat ../../secret.txt", "cat /etc/passwd")) {
                ClientException e = assertThrows(ClientException.class, () -> c.call(Op.CMD, List.of(line)), line);
                assertFalse(e.getMessage().contains("top secret"));
            }
            assertFalse(Files.exists(marker));
            assertEquals(List.of("~"), c.call(Op.CMD, List.of("pwd")).lines());
        }
    }
}
