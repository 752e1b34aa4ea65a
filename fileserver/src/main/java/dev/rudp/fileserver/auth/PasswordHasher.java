package dev.rudp.fileserver.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * Slow salted password hashes with scrypt (BouncyCastle). A stored hash reads
 * {@code scrypt$N$r$p$salt$hash} (salt and hash in base64), so costs can be raised later without
 * invalidating old entries. Slow on purpose: never call on an event loop.
 */
public final class PasswordHasher {
    /** Default cost: N = 2^15, r = 8, p = 1 (about 32 MiB and tens of milliseconds). */
    public static final PasswordHasher DEFAULT = new PasswordHasher(1 << 15, 8, 1);

    private static final SecureRandom RANDOM = new SecureRandom();
    private final int n;
    private final int r;
    private final int p;

    /** A hasher with scrypt costs {@code n} (power of two), {@code r} and {@code p}. */
    public PasswordHasher(int n, int r, int p) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("N must be a power of two");
        }
        this.n = n;
        this.r = r;
        this.p = p;
    }

    /** A new stored hash of {@code password} with a fresh random salt. */
    public String hash(char[] password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] h = SCrypt.generate(bytes(password), salt, n, r, p, 32);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "scrypt$" + n + "$" + r + "$" + p + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(h);
    }

    /** Whether {@code password} matches {@code stored} (constant-time comparison). */
    public static boolean verify(char[] password, String stored) {
        String[] f = stored.split("\\$");
        if (f.length != 6 || !f[0].equals("scrypt")) {
            return false;
        }
        byte[] salt = Base64.getDecoder().decode(f[4]);
        byte[] expected = Base64.getDecoder().decode(f[5]);
        byte[] h = SCrypt.generate(bytes(password), salt, Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                Integer.parseInt(f[3]), expected.length);
        return MessageDigest.isEqual(h, expected);
    }

    /** Burns the same time as a verification, for unknown user names. */
    public void dummyVerify(char[] password) {
        SCrypt.generate(bytes(password), new byte[16], n, r, p, 32);
    }

    private static byte[] bytes(char[] password) {
        return new String(password).getBytes(StandardCharsets.UTF_8);
    }
}
