package dev.rudp.fileclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileclient.keys.Identity;
import dev.rudp.fileserver.auth.Ed25519Key;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key pair files and {@code fileclient keygen}. */
class KeyFilesTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ClientMain.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(), null);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void keygenWritesOwnerOnlyFilesSaysWhereAndRefusesToOverwrite() throws Exception {
        Path key = tmp.resolve("dot-fileclient").resolve("id_ed25519");
        Run r = main("keygen", "-f", key.toString(), "-C", "alice@test");
        assertEquals(0, r.code(), r.err());
        Path pub = Identity.publicFile(key);
        assertTrue(r.out().contains("wrote private key " + key), r.out());
        assertTrue(r.out().contains("wrote public key  " + pub), r.out());
        assertEquals("rw-------", mode(key));
        assertEquals("rwx------", mode(key.getParent()));
        assertEquals("rw-r--r--", mode(pub));
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        Ed25519Key published = Ed25519Key.parse(Files.readString(pub));
        assertEquals("alice@test", published.comment());
        assertTrue(r.out().contains(published.fingerprint()), r.out());

        String before = Files.readString(key);
        Run again = main("keygen", "-f", key.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("exists; not overwritten"), again.err());
        assertEquals(before, Files.readString(key), "the old key is untouched");

        Run forced = main("keygen", "-f", key.toString(), "--force");
        assertEquals(0, forced.code(), forced.err());
        assertFalse(before.equals(Files.readString(key)), "--force makes a new pair");
        assertEquals("rw-------", mode(key));
        assertEquals(1, main("keygen", "--bogus").code(), "usage");
        assertEquals(1, main("keygen", "-f").code(), "usage");
    }

    @Test
    void savedPairLoadsBackAndSignsForItsPublicKey() throws Exception {
        Identity id = Identity.generate("me@here");
        Path key = tmp.resolve("id");
        id.save(key, false);
        assertThrows(FileAlreadyExistsException.class, () -> id.save(key, false));
        Identity back = Identity.load(key);
        assertArrayEquals(id.publicKey().raw(), back.publicKey().raw());
        assertEquals("me@here", back.publicKey().comment(), "comment taken from the .pub");
        byte[] msg = "hello".getBytes(StandardCharsets.US_ASCII);
        assertTrue(id.publicKey().verify(msg, back.sign(msg)));

        Files.delete(Identity.publicFile(key));
        assertArrayEquals(id.publicKey().raw(), Identity.load(key).publicKey().raw(), "works without its .pub");
    }

    @Test
    void refusesMalformedAndUnprotectedPrivateKeys() throws Exception {
        Path key = tmp.resolve("id");
        Identity.generate("").save(key, false);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        IOException open = assertThrows(IOException.class, () -> Identity.load(key));
        assertTrue(open.getMessage().contains("chmod 600"), open.getMessage());

        Path notPem = Files.writeString(tmp.resolve("a"), "ed25519 AAAA\n");
        assertThrows(IOException.class, () -> Identity.load(notPem));
        // an EC P-256 PKCS#8 key is a PRIVATE KEY too, but not an Ed25519 one
        Path ec = Files.writeString(tmp.resolve("ec"), "-----BEGIN PRIVATE KEY-----\n"
                + "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgevZzL1gdAFr88hb2\n"
                + "OF/2NxApJCzGCEDdfSp6VQO30hyhRANCAAQRWz+jn65BtOMvdyHKcvjBeBSDZH2r\n"
                + "1RTwjmYSi9R/zpBnuQ4EiMnCqfMPWiZqB4QdbAd0E7oH50VpuZ1P087G\n"
                + "-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(ec, PosixFilePermissions.fromString("rw-------"));
        IOException e = assertThrows(IOException.class, () -> Identity.load(ec));
        assertTrue(e.getMessage().contains("not an Ed25519 private key"), e.getMessage());
    }
}
