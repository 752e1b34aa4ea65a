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
