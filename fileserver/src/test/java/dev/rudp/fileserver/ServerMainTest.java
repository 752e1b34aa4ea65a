package dev.rudp.fileserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.PasswordHasher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The account commands of {@code fileserver}, with the password on stdin (no terminal in tests). */
class ServerMainTest {
    @TempDir
    Path tmp;

    private int run(String stdin, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return ServerMain.run(args, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(new ByteArrayOutputStream()));
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void adduserPasswdDeluser() throws Exception {
        String root = tmp.toString();
        assertEquals(0, run("first-pw\n", "adduser", "--root", root, "--admin", "alice"));
        assertEquals(1, run("again\n", "adduser", "--root", root, "alice"), "exists");
        assertTrue(PasswordHasher.verify("first-pw".toCharArray(),
                AccountStore.open(tmp).find("alice").orElseThrow().hash()));
        assertEquals(0, run("second-pw\n", "passwd", "--root", root, "alice"));
        var a = AccountStore.open(tmp).find("alice").orElseThrow();
        assertTrue(a.admin(), "passwd keeps the role");
        assertTrue(PasswordHasher.verify("second-pw".toCharArray(), a.hash()));
        assertEquals(1, run("", "passwd", "--root", root, "nobody"));
        assertEquals(1, run("\n", "adduser", "--root", root, "bob"), "empty password refused");
        assertEquals(0, run("", "deluser", "--root", root, "alice"));
        assertFalse(AccountStore.open(tmp).find("alice").isPresent());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run("", "adduser", "alice"));
        assertEquals(2, run("", "serve", "--root", tmp.toString(), "--port", "99999"));
        assertEquals(2, run("", "serve", "--root", tmp.toString(), "--user-rate", "20mb"));
        assertEquals(2, run("", "serve", "--root", tmp.toString(), "--total-rate", "fast"));
        assertEquals(2, run("", "frobnicate", "--root", tmp.toString()));
        assertEquals(2, run("", "adduser", "--root", tmp.toString(), "../evil"));
        assertEquals(2, run(""));
    }

    @Test
    void aBadSharedStoreIsAUsageErrorAndAnUnreachableOneStopsTheStart() {
        String root = tmp.toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, ServerMain.run(new String[] {"serve", "--root", root, "--shared", "http://:pw@h:1"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("expected redis://[:PASSWORD@]HOST:PORT"), said);
        assertFalse(said.contains("pw@"), "the password is not repeated: " + said);
        assertEquals(2, run("", "serve", "--root", root, "--shared-prefix", "x"), "a prefix needs --shared");
        assertEquals(2, run("", "serve", "--root", root, "--shared", "redis://h:1", "--shared-prefix", "a b"));
        err.reset();
        assertEquals(1, ServerMain.run(new String[] {"serve", "--root", root, "--bind", "127.0.0.1", "--port", "0",
            "--plaintext", "--shared", "redis://127.0.0.1:1"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err)));
        said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("cannot use the shared store redis://127.0.0.1:1"), said);
    }
}
