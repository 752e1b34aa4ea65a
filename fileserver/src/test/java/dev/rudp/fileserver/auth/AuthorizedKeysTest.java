package dev.rudp.fileserver.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys file: add, list, remove, per account, atomic and owner-only, read again when changed. */
class AuthorizedKeysTest {
    @TempDir
    Path tmp;

    static Ed25519Key newKey(String comment) {
        return Ed25519Key.of(new Ed25519PrivateKeyParameters(new SecureRandom()).generatePublicKey().getEncoded(),
                comment);
    }

    @Test
    void addListRemovePerAccount() throws Exception {
        AuthorizedKeys keys = AuthorizedKeys.open(tmp);
        Ed25519Key a1 = newKey("alice@one");
        Ed25519Key a2 = newKey("alice@two");
        Ed25519Key b1 = newKey("");
        assertTrue(keys.add("alice", a1));
        assertTrue(keys.add("alice", a2));
        assertTrue(keys.add("bob", b1));
        assertFalse(keys.add("alice", Ed25519Key.of(a1.raw(), "other comment")), "already there");
        assertEquals(List.of(a1, a2), keys.list("alice"));
        assertEquals("alice@one", keys.list("alice").get(0).comment(), "the first comment stays");
        assertTrue(keys.find("alice", a1).isPresent());
        assertTrue(keys.find("bob", a1).isEmpty(), "keys belong to one account");
        assertTrue(keys.find("nobody", a1).isEmpty());

        assertEquals(a1, keys.remove("alice", a1.fingerprint()).orElseThrow());
        assertEquals(a2, keys.remove("alice", a2.keyText()).orElseThrow(), "by key text too");
        assertTrue(keys.remove("alice", a2.fingerprint()).isEmpty());
        assertTrue(keys.remove("bob", "SHA256:nonsense").isEmpty());
        assertEquals(List.of(), keys.list("alice"));

        AuthorizedKeys again = AuthorizedKeys.open(tmp);
        assertEquals(List.of(b1), again.list("bob"));
        assertEquals(1, again.removeAll("bob"));
        assertEquals(0, again.removeAll("bob"));
        assertEquals(List.of(), AuthorizedKeys.open(tmp).list("bob"));
    }

    @Test
    void fileIsOwnerOnlyReplacedAtomicallyAndKeepsLinesItDoesNotKnow() throws Exception {
        Path file = tmp.resolve(AuthorizedKeys.FILE);
        Files.writeString(file, "# keys of this server\n\nalice ed25519 garbage\n");
        AuthorizedKeys keys = AuthorizedKeys.open(tmp);
        Ed25519Key k = newKey("c");
        Object inodeBefore = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        keys.add("alice", k);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Object inodeAfter = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        if (inodeBefore != null) {
            assertFalse(inodeBefore.equals(inodeAfter), "replaced by a rename, never written in place");
        }
        assertFalse(Files.exists(tmp.resolve(AuthorizedKeys.FILE + ".tmp")), "no temporary file left");
        assertEquals("# keys of this server\n\nalice ed25519 garbage\nalice " + k.line() + "\n", Files.readString(file));
        assertEquals(List.of(k), keys.list("alice"), "the unparsable line never matches");
    }

    @Test
    void seesChangesMadeByAnotherWriter() throws Exception {
        AuthorizedKeys server = AuthorizedKeys.open(tmp);
        Ed25519Key k = newKey("");
        assertTrue(server.find("alice", k).isEmpty());
        AuthorizedKeys.open(tmp).add("alice", k); // as `fileserver addkey` does while the server runs
        assertTrue(server.find("alice", k).isPresent());
        Ed25519Key k2 = newKey("");
        server.add("alice", k2);
        assertEquals(List.of(k, k2), AuthorizedKeys.open(tmp).list("alice"), "a write keeps the other's change");
    }

    @Test
    void refusesBadNamesAndTooManyKeys() throws Exception {
        AuthorizedKeys keys = AuthorizedKeys.open(tmp);
        assertThrows(IllegalArgumentException.class, () -> keys.add("../x", newKey("")));
        for (int i = 0; i < AuthorizedKeys.MAX_KEYS_PER_ACCOUNT; i++) {
            keys.add("alice", newKey(""));
        }
        assertThrows(IllegalArgumentException.class, () -> keys.add("alice", newKey("")));
    }
}
