package dev.rudp.fileserver.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What a key login signs, in one place for both ends. The client asks for a challenge
 * ({@link Op#KEY_CHALLENGE}: 32 fresh random bytes, one per request, good for one attempt on that
 * connection) and signs, with Ed25519:
 *
 * <pre>
 * "rudp-fileserver key login v1" | 0x00
 * | string user | string server identity | string public key ("ed25519 BASE64") | string challenge
 * string: length u32 (big-endian) | bytes (UTF-8 for text)
 * </pre>
 *
 * The server identity is the server's DTLS certificate fingerprint ({@code SHA256:...}, which the
 * client pinned and the server owns) or {@link #PLAINTEXT} without DTLS. So a signature is good for
 * this user, this server and this connection's challenge only: it cannot be replayed on another
 * connection, to another server, or for another account.
 */
public final class KeyLogin {
    /** The domain-separation prefix (the 0x00 that follows is part of the signed bytes). */
    public static final String CONTEXT = "rudp-fileserver key login v1";
    /** The server identity signed when DTLS is off. */
    public static final String PLAINTEXT = "plaintext";
    /** Challenge size in bytes. */
    public static final int CHALLENGE_BYTES = 32;

    private KeyLogin() {
    }

    /** The bytes signed for a login of {@code user} with {@code keyText} to {@code serverIdentity}. */
    public static byte[] signedData(String user, String serverIdentity, String keyText, byte[] challenge) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        out.writeBytes(CONTEXT.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        string(out, user.getBytes(StandardCharsets.UTF_8));
        string(out, serverIdentity.getBytes(StandardCharsets.UTF_8));
        string(out, keyText.getBytes(StandardCharsets.UTF_8));
        string(out, challenge);
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, byte[] b) {
        out.write(b.length >>> 24);
        out.write(b.length >>> 16);
        out.write(b.length >>> 8);
        out.write(b.length);
        out.writeBytes(b);
    }
}
