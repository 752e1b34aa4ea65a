package dev.rudp.fileserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.PasswordHasher;
import dev.rudp.fileserver.storage.Ranges;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountsTest {
    @TempDir
    Path tmp;

    @Test
    void storesOnlySaltedScryptHashes() throws Exception {
        PasswordHasher h = new PasswordHasher(1 << 10, 8, 1);
        AccountStore s = AccountStore.open(tmp);
        s.put(new Account("alice", false, h.hash("pw-1".toCharArray())));
        s.put(new Account("bob", true, h.hash("pw-1".toCharArray())));
        String file = Files.readString(tmp.resolve("accounts"));
        assertFalse(file.contains("pw-1"));
        AccountStore again = AccountStore.open(tmp);
        Account a = again.find("alice").orElseThrow();
        assertTrue(PasswordHasher.verify("pw-1".toCharArray(), a.hash()));
        assertFalse(PasswordHasher.verify("pw-2".toCharArray(), a.hash()));
        assertNotEquals(a.hash(), again.find("bob").orElseThrow().hash(), "salted: same password, other hash");
        assertTrue(again.find("bob").orElseThrow().admin());
        assertTrue(again.remove("bob"));
        assertEquals(1, AccountStore.open(tmp).names().size());
    }

    @Test
    void aRunningStoreSeesAccountsChangedByAnother() throws Exception {
        PasswordHasher h = new PasswordHasher(1 << 10, 8, 1);
        AccountStore server = AccountStore.open(tmp);
        assertTrue(server.find("carol").isEmpty());
        AccountStore admin = AccountStore.open(tmp); // as `fileserver adduser` does while the server runs
        admin.put(new Account("carol", false, h.hash("pw".toCharArray())));
        assertTrue(server.find("carol").isPresent(), "added by another process: seen at the next lookup");
        server.put(new Account("dave", false, h.hash("pw".toCharArray())));
        assertEquals(java.util.List.of("carol", "dave"), admin.names(), "a write keeps the other's change");
        assertTrue(admin.remove("carol"));
        assertTrue(server.find("carol").isEmpty(), "removed by another process: refused at the next lookup");
    }

    @Test
    void recordsAreOwnerOnlyAndVersioned() throws Exception {
        var records = new dev.rudp.fileserver.storage.local.LocalRecords(tmp.resolve("data"));
        assertEquals(null, records.read("accounts"));
        assertEquals(null, records.version("accounts"));
        records.write("accounts", "a\n".getBytes());
        String v1 = records.version("accounts");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("data/accounts"))));
        records.write("accounts", "a\nb\n".getBytes());
        assertNotEquals(v1, records.version("accounts"));
        assertEquals("a\nb\n", new String(records.read("accounts")));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> records.read("../x"));
    }

    @Test
    void rangesMergeIntoAPrefix() {
        Ranges r = new Ranges();
        r.add(10, 20);
        r.add(30, 40);
        assertEquals(0, r.prefix(0));
        r.add(0, 10);
        assertEquals(20, r.prefix(0));
        r.add(20, 30);
        assertEquals(40, r.prefix(0));
        assertEquals(1, r.count());
    }
}
