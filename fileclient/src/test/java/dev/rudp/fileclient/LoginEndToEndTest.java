package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.connection.ClientException;
import dev.rudp.fileclient.connection.ExitCode;
import dev.rudp.fileclient.connection.FileConnection;
import dev.rudp.fileserver.protocol.Op;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Login over the connection: lockout with a controlled clock, same message for unknown users, admin-only shutdown. */
@Timeout(60)
class LoginEndToEndTest {
    @TempDir
    Path tmp;

    private static ClientException loginFails(FileConnection c, String user, String pw) {
        return assertThrows(ClientException.class, () -> c.login(user, pw.toCharArray()));
    }

    @Test
    void lockoutStartsAfterFiveFailuresAndExpires() throws Exception {
        AtomicLong clock = new AtomicLong(0);
        try (TestServer s = TestServer.start(tmp.resolve("data"), cfg -> cfg.clock(clock::get).lockMillis(10_000));
                FileConnection c = s.connect(5_000, null)) {
            for (int i = 1; i <= 4; i++) {
                ClientException e = loginFails(c, "alice", "wrong-" + i);
                assertEquals(ExitCode.AUTH, e.code());
                assertEquals("login failed: bad user name or password", e.getMessage());
            }
            ClientException fifth = loginFails(c, "alice", "wrong-5");
            assertEquals(ExitCode.LOCKED, fifth.code());
            assertTrue(fifth.getMessage().contains("locked for 10 s"), fifth.getMessage());
            ClientException locked = loginFails(c, "alice", "secret-a");
            assertEquals(ExitCode.LOCKED, locked.code(), "even the right password is refused while locked");
            assertTrue(locked.getMessage().contains("try again in 10 s"), locked.getMessage());
            clock.addAndGet(TimeUnit.SECONDS.toNanos(7));
            assertTrue(loginFails(c, "alice", "secret-a").getMessage().contains("try again in 3 s"));
            clock.addAndGet(TimeUnit.SECONDS.toNanos(3));
            assertEquals("~", c.login("alice", "secret-a".toCharArray()).get(0));
        }
    }

    @Test
    void unknownUserAndWrongPasswordGetTheSameMessageAndSuccessResets() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"));
                FileConnection c = s.connect(5_000, null)) {
            assertEquals(loginFails(c, "alice", "nope").getMessage(), loginFails(c, "nobody", "nope").getMessage());
            assertEquals(ExitCode.AUTH, loginFails(c, "nobody", "x").code());
            for (int i = 0; i < 3; i++) {
                loginFails(c, "bob", "bad");
            }
            try (FileConnection ok = s.login("bob", "secret-b")) {
                assertTrue(ok.isOpen());
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(ExitCode.AUTH, loginFails(c, "bob", "bad").code(), "count restarted after success");
            }
        }
    }

    @Test
    void commandsBeforeLoginAreRefused() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"));
                FileConnection c = s.connect(5_000, null)) {
            ClientException e = assertThrows(ClientException.class, () -> c.call(Op.LS, List.of("")));
            assertEquals("not logged in: log in first", e.getMessage());
        }
    }

    @Test
    void onlyAnAdminMayShutDown() throws Exception {
        try (TestServer s = TestServer.start(tmp.resolve("data"))) {
            try (FileConnection c = s.login("alice", "secret-a")) {
                ClientException e = assertThrows(ClientException.class, () -> c.call(Op.SHUTDOWN, List.of()));
                assertEquals(ExitCode.REMOTE_ERROR, e.code());
                assertTrue(e.getMessage().contains("only an admin"));
            }
            try (FileConnection c = s.login("alice", "secret-a")) {
                assertEquals(List.of("~"), c.call(Op.PWD, List.of()).lines(), "still serving");
            }
            try (FileConnection c = s.login("root", "secret-r")) {
                c.call(Op.SHUTDOWN, List.of());
            }
            s.server.terminated().get(20, TimeUnit.SECONDS);
        }
    }
}
