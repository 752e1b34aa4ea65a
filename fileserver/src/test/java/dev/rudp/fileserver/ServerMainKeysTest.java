package dev.rudp.fileserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.AuthorizedKeys;
import dev.rudp.fileserver.auth.Ed25519Key;
import dev.rudp.fileserver.auth.PasswordHasher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fileserver addkey|keys|delkey}, and deluser taking the account's keys with it. */
class ServerMainKeysTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ServerMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Ed25519Key newKey(String comment) {
        return Ed25519Key.of(new Ed25519PrivateKeyParameters(new SecureRandom()).generatePublicKey().getEncoded(),
                comment);
    }

    @BeforeEach
    void accounts() throws Exception {
        PasswordHasher cheap = new PasswordHasher(1 << 10, 8, 1);
        AccountStore s = AccountStore.open(tmp);
        s.put(new Account("alice", false, cheap.hash("pw".toCharArray())));
        s.put(new Account("bob", false, cheap.hash("pw".toCharArray())));
    }

    @Test
    void addkeyKeysDelkey() throws Exception {
        String root = tmp.toString();
        Ed25519Key k1 = newKey("alice@laptop");
        Ed25519Key k2 = newKey("");
        Path f1 = Files.writeString(tmp.resolve("k1.pub"), "# my key\n" + k1.line() + "\n");
        Path f2 = Files.writeString(tmp.resolve("k2.pub"), k2.line());

        Run add = run("addkey", "--root", root, "alice", f1.toString());
        assertEquals(0, add.code(), add.err());
        assertEquals("added key " + k1.fingerprint() + " (alice@laptop) for alice\n", add.out());
        assertEquals(0, run("addkey", "--root", root, "alice", f2.toString()).code());
        Run again = run("addkey", "--root", root, "alice", f1.toString());
        assertEquals(0, again.code());
        assertTrue(again.out().startsWith("key already registered: "), again.out());
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve(AuthorizedKeys.FILE))));

        Run keys = run("keys", "--root", root, "alice");
        assertEquals(k1.fingerprint() + " alice@laptop\n" + k2.fingerprint() + "\n", keys.out());
        assertEquals("", run("keys", "--root", root, "bob").out());

        Run del = run("delkey", "--root", root, "alice", k1.fingerprint());
        assertEquals(0, del.code(), del.err());
        assertEquals(1, run("delkey", "--root", root, "alice", k1.fingerprint()).code(), "gone already");
        assertEquals(0, run("delkey", "--root", root, "alice", f2.toString()).code(), "by key file too");
        assertEquals(List.of(), AuthorizedKeys.open(tmp).list("alice"));
    }

    @Test
    void deluserRemovesTheAccountsKeys() throws Exception {
        Path f = Files.writeString(tmp.resolve("k.pub"), newKey("").line());
        Path g = Files.writeString(tmp.resolve("g.pub"), newKey("").line());
        assertEquals(0, run("addkey", "--root", tmp.toString(), "alice", f.toString()).code());
        assertEquals(0, run("addkey", "--root", tmp.toString(), "bob", g.toString()).code());
        Run r = run("deluser", "--root", tmp.toString(), "alice");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("and its 1 key(s)"), r.out());
        assertEquals(List.of(), AuthorizedKeys.open(tmp).list("alice"));
        assertEquals(1, AuthorizedKeys.open(tmp).list("bob").size(), "other accounts keep theirs");
    }

    @Test
    void refusesUnknownAccountsMalformedKeysAndBadUsage() throws Exception {
        String root = tmp.toString();
        Path good = Files.writeString(tmp.resolve("k.pub"), newKey("").line());
        Path bad = Files.writeString(tmp.resolve("bad.pub"), "ssh-rsa AAAAB3Nza... me@host\n");
        Path empty = Files.writeString(tmp.resolve("empty.pub"), "\n# nothing\n");
        Run unknown = run("addkey", "--root", root, "carol", good.toString());
        assertEquals(1, unknown.code());
        assertEquals("fileserver: no such account: carol\n", unknown.err());
        Run malformed = run("addkey", "--root", root, "alice", bad.toString());
        assertEquals(1, malformed.code());
        assertTrue(malformed.err().contains("not an ed25519 public key line"), malformed.err());
        assertEquals(1, run("addkey", "--root", root, "alice", empty.toString()).code());
        assertEquals(1, run("addkey", "--root", root, "alice", tmp.resolve("missing.pub").toString()).code());
        assertEquals(2, run("addkey", "--root", root, "alice").code());
        assertEquals(2, run("keys", "--root", root).code());
        assertEquals(2, run("delkey", "--root", root, "alice").code());
        assertEquals(List.of(), AuthorizedKeys.open(tmp).list("alice"));
    }
}
