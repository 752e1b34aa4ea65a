package dev.rudp.fileserver.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rudp.testing.FuzzBounds;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz targets for the two files the server reads from its data folder: {@code accounts} (with the
 * stored scrypt hashes in it) and {@code authorized_keys} (with the key lines in it). A damaged file may
 * make opening fail with an IOException (bytes that are not UTF-8), and nothing else; whatever loads
 * survives a rewrite unchanged; and a stored hash never makes a login throw or allocate without bound.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthFilesFuzzTest {
    private static final byte[] KEY = Base64.getDecoder().decode("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");

    @FuzzTest
    void accounts(byte[] input) throws IOException {
        Path dir = Files.createTempDirectory("accounts-fuzz");
        try {
            Files.write(dir.resolve("accounts"), input);
            AccountStore store;
            try {
                store = AccountStore.open(dir);
            } catch (CharacterCodingException e) {
                return; // not UTF-8: the documented failure, with the file left as it is
            }
            List<Account> loaded = new ArrayList<>();
            for (String name : store.names()) {
                assertTrue(Account.validName(name), "loaded an invalid name: " + name);
                Account a = store.find(name).orElseThrow();
                loaded.add(a);
                checkStoredHash(a.hash());
            }
            if (loaded.isEmpty()) {
                return;
            }
            store.put(loaded.get(0)); // a rewrite
            AccountStore again = AccountStore.open(dir);
            assertEquals(store.names(), again.names());
            for (Account a : loaded) {
                assertEquals(Optional.of(a), again.find(a.name()), "changed by a rewrite: " + a.name());
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** A hash from the file: parsing is cheap and bounded; a malformed one matches nothing, without throwing. */
    private static void checkStoredHash(String hash) {
        PasswordHasher.Stored[] parsed = new PasswordHasher.Stored[1];
        try {
            FuzzBounds.boundedAllocation(hash.length(), 16 << 10, 16, () -> parsed[0] = PasswordHasher.parse(hash));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        PasswordHasher.Stored s = parsed[0];
        if (s == null) {
            assertFalse(PasswordHasher.verify("pw".toCharArray(), hash));
            return;
        }
        assertTrue(s.r() <= PasswordHasher.MAX_R && 128L * s.n() * s.r() <= PasswordHasher.MAX_MEMORY
                && s.p() <= PasswordHasher.MAX_P, hash);
        if ((long) s.n() * s.r() * s.p() <= 1 << 12) { // cheap enough to run here
            try {
                PasswordHasher.verify("pw".toCharArray(), hash);
            } catch (RuntimeException e) {
                throw new AssertionError("verify threw for the stored hash " + hash + " (N " + s.n() + ", r " + s.r()
                        + ", p " + s.p() + ")", e);
            }
        }
    }

    /** Stored hashes built from fuzzed fields, the way an edited accounts file may hold them. */
    @FuzzTest
    void storedHash(FuzzedDataProvider data) {
        String hash = data.consumeBoolean()
                ? "scrypt$" + data.consumeLong() + "$" + data.consumeLong() + "$" + data.consumeLong() + "$"
                        + data.consumeString(40) + "$" + data.consumeRemainingAsString()
                : data.consumeRemainingAsString();
        checkStoredHash(hash);
    }

    @FuzzTest
    void authorizedKeys(FuzzedDataProvider data) throws IOException {
        Path dir = Files.createTempDirectory("keys-fuzz");
        try {
            String line = data.consumeString(300);
            byte[] content = data.consumeRemainingAsBytes();
            // Any line: a key, or IllegalArgumentException with a one-line reason.
            try {
                Ed25519Key k = Ed25519Key.parse(line);
                assertEquals(k, Ed25519Key.parse(k.line()));
                assertEquals(k.comment(), Ed25519Key.parse(k.line()).comment());
                assertFalse(k.line().contains("\n") || k.line().contains("\r"), "a key line spans lines");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().contains("\n"));
            }
            Path file = dir.resolve(AuthorizedKeys.FILE);
            Files.write(file, content);
            AuthorizedKeys keys;
            List<String> users = new ArrayList<>();
            List<List<Ed25519Key>> before = new ArrayList<>();
            try {
                keys = AuthorizedKeys.open(dir);
                for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String u = l.strip().split(" ", 2)[0];
                    if (Account.validName(u) && !users.contains(u)) {
                        users.add(u);
                        before.add(keys.list(u));
                    }
                }
            } catch (CharacterCodingException e) {
                return; // not UTF-8: the documented failure
            }
            List<String> oldLines = Files.readAllLines(file, StandardCharsets.UTF_8);
            Ed25519Key added = Ed25519Key.of(KEY, "fuzz");
            boolean fresh;
            try {
                fresh = keys.add("fuzzer", added);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().contains("keys already"), e.getMessage());
                return;
            }
            // The rewrite keeps every other account's keys and every line it could not parse.
            AuthorizedKeys again = AuthorizedKeys.open(dir);
            for (int i = 0; i < users.size(); i++) {
                if (!users.get(i).equals("fuzzer")) {
                    assertEquals(before.get(i), again.list(users.get(i)), "keys of " + users.get(i) + " changed");
                }
            }
            assertTrue(again.find("fuzzer", added).isPresent());
            List<String> newLines = Files.readAllLines(file, StandardCharsets.UTF_8);
            assertEquals(oldLines.size() + (fresh ? 1 : 0), newLines.size(), "lines lost or added by a rewrite");
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    /** Found while writing the target: N = 2^30, r = 8 asked scrypt for 1 TiB (128 N r); malformed hashes threw. */
    @Test
    void storedHashesWithAbsurdCostsOrBadFieldsMatchNothing() {
        String salt = "AAAAAAAAAAAAAAAAAAAAAA";
        String hash = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        for (String stored : List.of("scrypt$1073741824$8$1$" + salt + "$" + hash, "scrypt$1024$8$99$" + salt + "$" + hash,
                "scrypt$1000$8$1$" + salt + "$" + hash, "scrypt$x$8$1$" + salt + "$" + hash, "scrypt$1024$8$1$%%$" + hash,
                "scrypt$1024$8$1$" + salt + "$", "scrypt$1024$0$1$" + salt + "$" + hash, "",
                // found by the fuzzer: 128 * N * r wrapped to 0 and passed the memory limit
                "scrypt$144115188075855872$144115188075855872$1$" + salt + "$" + hash,
                "scrypt$65536$1$1$" + salt + "$" + hash)) {
            assertTrue(PasswordHasher.parse(stored) == null, stored);
            assertFalse(PasswordHasher.verify("pw".toCharArray(), stored), stored);
        }
        PasswordHasher cheap = new PasswordHasher(1 << 10, 8, 1);
        String good = cheap.hash("pw".toCharArray());
        assertTrue(PasswordHasher.verify("pw".toCharArray(), good));
        assertFalse(PasswordHasher.verify("no".toCharArray(), good));
    }
}
