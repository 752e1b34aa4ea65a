package dev.rudp.fileserver.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * Slow salted password hashes with scrypt (BouncyCastle). A stored hash reads
 * {@code scrypt$N$r$p$salt$hash} (salt and hash in base64), so costs can be raised later without
 * invalidating old entries, up to {@link #MAX_MEMORY} bytes of scrypt memory ({@code 128 N r}),
 * {@link #MAX_R} for {@code r} and {@link #MAX_P} for {@code p}: a stored hash is read from the accounts file, and one with absurd
 * costs must not make a login allocate gigabytes. Slow on purpose: never call on an event loop.
 */
public final class PasswordHasher {
    /** Default cost: N = 2^15, r = 8, p = 1 (about 32 MiB and tens of milliseconds). */
    public static final PasswordHasher DEFAULT = new PasswordHasher(1 << 15, 8, 1);
    /** Most scrypt memory ({@code 128 * N * r} bytes) a stored hash may ask for: 256 MiB, 8x the default. */
    public static final long MAX_MEMORY = 256L << 20;
    /** Largest parallelization parameter a stored hash may ask for. */
    public static final int MAX_P = 16;
    /** Largest block size parameter a stored hash may ask for (8x the default). */
    public static final int MAX_R = 64;

    private static final SecureRandom RANDOM = new SecureRandom();
    private final int n;
    private final int r;
    private final int p;

    /** The fields of a stored hash that {@link #parse} accepted. */
    record Stored(int n, int r, int p, byte[] salt, byte[] hash) {
    }

    /** A hasher with scrypt costs {@code n} (power of two), {@code r} and {@code p}. */
    public PasswordHasher(int n, int r, int p) {
        if (!costsAllowed(n, r, p)) {
            throw new IllegalArgumentException("scrypt costs out of range: N " + n + " (a power of two), r " + r
                    + ", p " + p + " (at most " + MAX_MEMORY + " bytes of memory, r at most " + MAX_R + ", p at most "
                    + MAX_P + ")");
        }
        this.n = n;
        this.r = r;
        this.p = p;
    }

    private static boolean costsAllowed(long n, long r, long p) {
        // Divisions, not 128 * n * r: the fuzzer found that product wrapping to 0 for n = r = 2^57.
        // BouncyCastle refuses r = 1 with N >= 65536 (its cost would overflow an int).
        return n >= 2 && Long.bitCount(n) == 1 && r >= 1 && r <= MAX_R && p >= 1 && p <= MAX_P
                && n <= MAX_MEMORY / 128 / r && !(r == 1 && n >= 65_536);
    }

    /** A new stored hash of {@code password} with a fresh random salt. */
    public String hash(char[] password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] h = SCrypt.generate(bytes(password), salt, n, r, p, 32);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "scrypt$" + n + "$" + r + "$" + p + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(h);
    }

    /**
     * Whether {@code password} matches {@code stored} (constant-time comparison). A stored hash that is
     * malformed or asks for costs over the limits matches nothing.
     */
    public static boolean verify(char[] password, String stored) {
        Stored s = parse(stored);
        if (s == null) {
            return false;
        }
        byte[] h = SCrypt.generate(bytes(password), s.salt(), s.n(), s.r(), s.p(), s.hash().length);
        return MessageDigest.isEqual(h, s.hash());
    }

    /** The fields of {@code stored}, or null when it is not a well-formed hash within the cost limits. */
    static Stored parse(String stored) {
        String[] f = stored.split("\\$", -1);
        if (f.length != 6 || !f[0].equals("scrypt")) {
            return null;
        }
        try {
            long n = Long.parseLong(f[1]);
            long r = Long.parseLong(f[2]);
            long p = Long.parseLong(f[3]);
            if (!costsAllowed(n, r, p)) {
                return null;
            }
            byte[] salt = Base64.getDecoder().decode(f[4]);
            byte[] hash = Base64.getDecoder().decode(f[5]);
            if (salt.length == 0 || hash.length < 16 || hash.length > 64) {
                return null;
            }
            return new Stored((int) n, (int) r, (int) p, salt, hash);
        } catch (IllegalArgumentException e) { // NumberFormatException included
            return null;
        }
    }

    /** Burns the same time as a verification, for unknown user names. */
    public void dummyVerify(char[] password) {
        SCrypt.generate(bytes(password), new byte[16], n, r, p, 32);
    }

    private static byte[] bytes(char[] password) {
        return new String(password).getBytes(StandardCharsets.UTF_8);
    }
}
