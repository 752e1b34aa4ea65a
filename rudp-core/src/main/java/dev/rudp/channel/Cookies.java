package dev.rudp.channel;

import dev.rudp.wire.Handshake;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless address-validation cookies and stateless reset tokens, both HMAC-SHA256 under a
 * secret drawn at start. A cookie is {@code issued-at seconds (u32) | HMAC(time, address, port,
 * client id)[0..16)}; it proves the client receives at its address, so no per-peer state exists
 * before it comes back. Single-threaded (one per codec).
 */
final class Cookies {
    static final int COOKIE_SIZE = 4 + 16;
    private static final long LIFETIME_SECONDS = 30;

    // Keys drawn at once, MACs made on first use: a client's codec never issues a cookie and rarely a
    // reset, and the first Mac.getInstance of a JVM sets up the JCA's providers and JCE policy, about
    // 0.02 s of a one-shot client command's start before its first packet.
    private final byte[] cookieKey;
    private final byte[] resetKey;
    private Mac mac;
    private Mac resetMac;

    /**
     * @param resetKey key of the reset tokens; a server that keeps it across restarts can still
     *     reset its old connections' clients. Null: a random key.
     */
    Cookies(SecureRandom random, byte[] resetKey) {
        this(random, resetKey, null);
    }

    /** @param cookieKey key of the cookies, shared by the sockets of one address; null: a random key */
    Cookies(SecureRandom random, byte[] resetKey, byte[] cookieKey) {
        this.cookieKey = cookieKey != null ? cookieKey : randomKey(random);
        this.resetKey = resetKey != null ? resetKey : randomKey(random);
    }

    private static byte[] randomKey(SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return key;
    }

    private static Mac hmac(byte[] key) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private byte[] tag(long seconds, InetSocketAddress peer, long clientId) {
        if (mac == null) {
            mac = hmac(cookieKey);
        }
        mac.update(ByteBuffer.allocate(4).putInt((int) seconds).array());
        mac.update(peer.getAddress().getAddress());
        mac.update(ByteBuffer.allocate(10).putShort((short) peer.getPort()).putLong(clientId).array());
        return mac.doFinal();
    }

    byte[] issue(long epochSeconds, InetSocketAddress peer, long clientId) {
        byte[] t = tag(epochSeconds, peer, clientId);
        return ByteBuffer.allocate(COOKIE_SIZE).putInt((int) epochSeconds).put(t, 0, 16).array();
    }

    boolean verify(byte[] cookie, long epochSeconds, InetSocketAddress peer, long clientId) {
        if (cookie.length != COOKIE_SIZE) {
            return false;
        }
        long issued = ByteBuffer.wrap(cookie).getInt() & 0xFFFF_FFFFL;
        long age = (epochSeconds & 0xFFFF_FFFFL) - issued;
        if (age < 0 || age > LIFETIME_SECONDS) {
            return false;
        }
        byte[] t = tag(issued, peer, clientId);
        byte[] expected = new byte[16];
        System.arraycopy(t, 0, expected, 0, 16);
        byte[] got = new byte[16];
        System.arraycopy(cookie, 4, got, 0, 16);
        return MessageDigest.isEqual(expected, got);
    }

    /** The reset token of a connection ID this server issued (or would have). */
    byte[] resetToken(long connectionId) {
        if (resetMac == null) {
            resetMac = hmac(resetKey);
        }
        byte[] t = resetMac.doFinal(ByteBuffer.allocate(8).putLong(connectionId).array());
        byte[] token = new byte[Handshake.RESET_TOKEN_SIZE];
        System.arraycopy(t, 0, token, 0, token.length);
        return token;
    }
}
