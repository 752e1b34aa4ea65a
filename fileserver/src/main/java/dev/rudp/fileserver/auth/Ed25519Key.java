package dev.rudp.fileserver.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A user's Ed25519 public key and its one-line text form, {@code ed25519 BASE64 [comment]}: the
 * literal type {@code ed25519}, one space, the 32 raw key bytes in standard base64 with padding (44
 * characters, the canonical encoding only), and optionally one space and a comment of up to 200
 * printable characters (no control characters). Anything else is refused with a one-line reason.
 * Verification uses BouncyCastle's Ed25519 (RFC 8032), about 7x cheaper than the JDK's on a warm
 * JVM here. Immutable; equality is by key bytes (the comment is not part of the identity).
 */
public final class Ed25519Key {
    /** The type word that starts every key line. */
    public static final String TYPE = "ed25519";
    /** Raw public key size. */
    public static final int KEY_BYTES = 32;
    /** Signature size. */
    public static final int SIGNATURE_BYTES = 64;
    /** Longest comment accepted. */
    public static final int MAX_COMMENT = 200;

    private final byte[] raw;
    private final String comment;
    private final Ed25519PublicKeyParameters params;

    private Ed25519Key(byte[] raw, String comment, Ed25519PublicKeyParameters params) {
        this.raw = raw;
        this.comment = comment;
        this.params = params;
    }

    /** The key with raw bytes {@code raw} (32) and {@code comment} (may be empty). */
    public static Ed25519Key of(byte[] raw, String comment) {
        if (raw.length != KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, not " + raw.length);
        }
        String c = comment == null ? "" : comment.strip();
        String bad = checkComment(c);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
        Ed25519PublicKeyParameters p;
        try {
            p = new Ed25519PublicKeyParameters(raw, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid Ed25519 public key (not a curve point)");
        }
        return new Ed25519Key(raw.clone(), c, p);
    }

    /**
     * Parses a key line (surrounding white space and a trailing newline are ignored).
     *
     * @throws IllegalArgumentException with a one-line reason when the line is not a well-formed key
     */
    public static Ed25519Key parse(String line) {
        if (line == null) {
            throw new IllegalArgumentException("no public key");
        }
        String s = line.strip();
        int sp1 = s.indexOf(' ');
        String type = sp1 < 0 ? s : s.substring(0, sp1);
        if (!type.equals(TYPE)) {
            throw new IllegalArgumentException("not an ed25519 public key line (expected: ed25519 BASE64 [comment])");
        }
        String rest = sp1 < 0 ? "" : s.substring(sp1 + 1);
        int sp2 = rest.indexOf(' ');
        String b64 = sp2 < 0 ? rest : rest.substring(0, sp2);
        String comment = sp2 < 0 ? "" : rest.substring(sp2 + 1);
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad base64 in the public key");
        }
        if (raw.length != KEY_BYTES || !Base64.getEncoder().encodeToString(raw).equals(b64)) {
            throw new IllegalArgumentException("an ed25519 public key is 32 bytes in canonical base64 (44 characters)");
        }
        return of(raw, comment);
    }

    private static String checkComment(String c) {
        if (c.length() > MAX_COMMENT) {
            return "key comment longer than " + MAX_COMMENT + " characters";
        }
        for (int i = 0; i < c.length(); i++) {
            if (Character.isISOControl(c.charAt(i))) {
                return "control character in the key comment";
            }
        }
        return null;
    }

    /** The 32 raw key bytes (a copy). */
    public byte[] raw() {
        return raw.clone();
    }

    /** The comment ("" when none). */
    public String comment() {
        return comment;
    }

    /** {@code ed25519 BASE64}: the key without its comment (what a login names and signs). */
    public String keyText() {
        return TYPE + " " + Base64.getEncoder().encodeToString(raw);
    }

    /** The whole line, {@code ed25519 BASE64 comment} (no comment: no trailing space). */
    public String line() {
        return comment.isEmpty() ? keyText() : keyText() + " " + comment;
    }

    /** {@code SHA256:<base64 without padding>} of the raw key, as ssh-keygen -l prints fingerprints. */
    public String fingerprint() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(raw);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code signature} is this key's Ed25519 signature of {@code message}. */
    public boolean verify(byte[] message, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        Ed25519Signer v = new Ed25519Signer();
        v.init(false, params);
        v.update(message, 0, message.length);
        return v.verifySignature(signature);
    }

    /** Whether {@code other} is the same key (comments aside). */
    public boolean sameKey(Ed25519Key other) {
        return other != null && Arrays.equals(raw, other.raw);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ed25519Key k && Arrays.equals(raw, k.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return line();
    }
}
