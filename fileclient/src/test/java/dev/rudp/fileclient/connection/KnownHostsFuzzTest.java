package dev.rudp.fileclient.connection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target for the client's {@code known_hosts}: any file content, any host and port, any
 * fingerprint. Properties: reading fails only with an IOException (bytes that are not UTF-8); a pinned
 * fingerprint is one word; pinning a server reads back as exactly that pin and changes no other
 * server's pin, or is refused with IllegalArgumentException and leaves the file as it was.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KnownHostsFuzzTest {

    @FuzzTest
    void pin(FuzzedDataProvider data) throws IOException {
        String host = data.consumeBoolean() ? "h" + data.consumeInt(0, 3) : data.consumeString(40);
        int port = data.consumeInt(0, 65_535);
        String fingerprint = data.consumeBoolean() ? "SHA256:" + data.consumeInt(0, 9) : data.consumeString(60);
        byte[] content = data.consumeRemainingAsBytes();
        Path dir = Files.createTempDirectory("known-hosts-fuzz");
        Path file = dir.resolve("known_hosts");
        try {
            Files.write(file, content);
            KnownHosts hosts = new KnownHosts(file);
            String key = KnownHosts.key(host, port);
            List<String> others = new ArrayList<>();
            Map<String, Optional<String>> before = new HashMap<>();
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 1 && !f[0].isEmpty() && !f[0].equals(key)) {
                        others.add(f[0]);
                        before.put(f[0], hosts.lookup(f[0]));
                    }
                }
                Optional<String> pinned = hosts.lookup(key);
                pinned.ifPresent(p -> assertTrue(!p.isEmpty() && p.chars().noneMatch(Character::isWhitespace), p));
            } catch (CharacterCodingException e) {
                return; // not UTF-8: the documented failure
            }
            try {
                hosts.add(key, fingerprint);
            } catch (IllegalArgumentException e) {
                assertArrayEquals(content, Files.readAllBytes(file), "a refused pin changed the file");
                assertFalse(e.getMessage().contains("\n"));
                return;
            }
            assertEquals(Optional.of(fingerprint), hosts.lookup(key), "the pin does not read back");
            for (String o : others) {
                assertEquals(before.get(o), hosts.lookup(o), "pinning " + key + " changed the pin of " + o);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }

    /** Found while writing the target: a pin was glued to a last line without a newline, and keys were unchecked. */
    @Test
    void aPinGoesOnALineOfItsOwnAndMustBeOneWord() throws IOException {
        Path dir = Files.createTempDirectory("known-hosts");
        Path file = dir.resolve("known_hosts");
        try {
            Files.writeString(file, "a:1 SHA256:aaa"); // edited by hand, no newline at the end
            KnownHosts hosts = new KnownHosts(file);
            hosts.add("b:2", "SHA256:bbb");
            assertEquals(Optional.of("SHA256:aaa"), hosts.lookup("a:1"));
            assertEquals(Optional.of("SHA256:bbb"), hosts.lookup("b:2"));
            assertThrows(IllegalArgumentException.class, () -> hosts.add("c:3\nb:2", "SHA256:evil"));
            assertThrows(IllegalArgumentException.class, () -> hosts.add(KnownHosts.key("c d", 3), "SHA256:c"));
            assertThrows(IllegalArgumentException.class, () -> hosts.add("c:3", "SHA256:c d"));
            assertEquals(Optional.of("SHA256:bbb"), hosts.lookup("b:2"));
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }
}
