package dev.rudp.fileserver.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.protocol.KeyLogin;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.Test;

/** The one-line public key format, its strictness, fingerprints and signature checks. */
class Ed25519KeyTest {
    private static final Ed25519PrivateKeyParameters PRIVATE = new Ed25519PrivateKeyParameters(new SecureRandom());
    private static final byte[] RAW = PRIVATE.generatePublicKey().getEncoded();
    private static final String B64 = Base64.getEncoder().encodeToString(RAW);

    @Test
    void lineRoundTripsWithAndWithoutComment() {
        Ed25519Key k = Ed25519Key.parse("ed25519 " + B64 + " alice@laptop work key");
        assertArrayEquals(RAW, k.raw());
        assertEquals("alice@laptop work key", k.comment());
        assertEquals("ed25519 " + B64 + " alice@laptop work key", k.line());
        assertEquals(k, Ed25519Key.parse(k.line()));
        Ed25519Key bare = Ed25519Key.parse("  ed25519 " + B64 + "\n");
        assertEquals("", bare.comment());
        assertEquals("ed25519 " + B64, bare.line());
        assertEquals(bare.keyText(), k.keyText());
        assertEquals(k, bare, "the comment is not part of the key's identity");
    }

    @Test
    void fingerprintIsSha256OfTheRawKeyAsSshPrintsIt() throws Exception {
        Ed25519Key k = Ed25519Key.of(RAW, "");
        byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(RAW);
        assertEquals("SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(h), k.fingerprint());
        assertEquals(50, k.fingerprint().length());
    }

    @Test
    void malformedKeysAreRefusedWithAReason() {
        byte[] short31 = new byte[31];
        byte[] long33 = new byte[33];
        String[] bad = {
            "", "ed25519", "ed25519 ", "ssh-ed25519 " + B64, "ED25519 " + B64, "rsa " + B64,
            "ed25519 " + B64.substring(0, 43), // unpadded
            "ed25519 " + B64.substring(0, 40) + "!!!=", // not base64
            "ed25519 " + Base64.getEncoder().encodeToString(short31),
            "ed25519 " + Base64.getEncoder().encodeToString(long33),
            "ed25519 " + B64 + " comment\u0007bell",
            "ed25519 " + B64 + " " + "c".repeat(Ed25519Key.MAX_COMMENT + 1),
            "-----BEGIN PRIVATE KEY-----",
        };
        for (String line : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ed25519Key.parse(line),
                    line);
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Ed25519Key.parse(null));
        assertThrows(IllegalArgumentException.class, () -> Ed25519Key.of(short31, ""));
    }

    @Test
    void nonCanonicalBase64IsRefused() {
        // the last base64 character of 32 bytes carries 2 unused bits: setting them decodes to the same key
        char last = B64.charAt(42);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char other = alphabet.charAt(alphabet.indexOf(last) ^ 1);
        String sneaky = B64.substring(0, 42) + other + "=";
        assertArrayEquals(RAW, Base64.getDecoder().decode(sneaky), "decodes to the same bytes");
        assertThrows(IllegalArgumentException.class, () -> Ed25519Key.parse("ed25519 " + sneaky));
    }

    @Test
    void verifiesItsOwnSignaturesOnly() {
        Ed25519Key k = Ed25519Key.of(RAW, "");
        byte[] msg = KeyLogin.signedData("alice", "SHA256:x", k.keyText(), new byte[32]);
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, PRIVATE);
        s.update(msg, 0, msg.length);
        byte[] sig = s.generateSignature();
        assertTrue(k.verify(msg, sig));
        byte[] tampered = sig.clone();
        tampered[10] ^= 1;
        assertFalse(k.verify(msg, tampered));
        byte[] other = KeyLogin.signedData("bob", "SHA256:x", k.keyText(), new byte[32]);
        assertFalse(k.verify(other, sig), "bound to the user");
        assertFalse(k.verify(msg, new byte[63]));
        assertFalse(k.verify(msg, null));
    }

    @Test
    void signedDataIsLengthPrefixedAndStartsWithTheContext() {
        byte[] d = KeyLogin.signedData("a", "b", "c", new byte[] {9});
        String prefix = KeyLogin.CONTEXT + "\0";
        assertEquals(prefix, new String(d, 0, prefix.length(), StandardCharsets.US_ASCII));
        assertEquals(prefix.length() + 4 * (4 + 1), d.length, "4 one-byte strings with u32 lengths");
        // "ab" + "" and "a" + "b" must differ (no ambiguity between fields)
        assertFalse(java.util.Arrays.equals(KeyLogin.signedData("ab", "", "c", new byte[0]),
                KeyLogin.signedData("a", "b", "c", new byte[0])));
    }
}
