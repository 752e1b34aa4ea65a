package dev.rudp.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DTLSRequest;
import org.bouncycastle.tls.DTLSVerifier;
import org.bouncycastle.tls.DatagramSender;
import org.bouncycastle.tls.crypto.TlsCrypto;

/**
 * A server's stateless cookie exchange (RFC 6347 section 4.2.1) through BouncyCastle's
 * {@link DTLSVerifier}: a ClientHello without a valid cookie is answered with a HelloVerifyRequest and
 * forgotten; one with a valid cookie yields the {@link DTLSRequest} a handshake starts from. The cookie is
 * an HMAC-SHA256 over the client's address and port and its ClientHello, keyed by a random secret that
 * is replaced every five minutes (a client caught by the change just gets a new HelloVerifyRequest). The
 * HelloVerifyRequest is smaller than the ClientHello, so a forged source address gains no amplification.
 *
 * <p>Event loop only; not thread-safe.
 */
final class CookieVerifier {
    private static final long SECRET_LIFETIME_NANOS = TimeUnit.MINUTES.toNanos(5);

    /** Writes a HelloVerifyRequest to a peer. */
    interface Sender {
        void send(InetSocketAddress peer, byte[] buf, int off, int len);
    }

    private final TlsCrypto crypto;
    private final int sendLimit;
    private final Sender sender;
    private DTLSVerifier verifier;
    private long secretSinceNanos;
    private volatile long helloVerifyRequestsSent;

    CookieVerifier(TlsCrypto crypto, int sendLimit, Sender sender, long nowNanos) {
        this.crypto = crypto;
        this.sendLimit = sendLimit;
        this.sender = sender;
        this.verifier = new DTLSVerifier(crypto);
        this.secretSinceNanos = nowNanos;
    }

    /** Replaces the secret when it is five minutes old. */
    void rotateIfDue(long nowNanos) {
        if (nowNanos - secretSinceNanos >= SECRET_LIFETIME_NANOS) {
            verifier = new DTLSVerifier(crypto);
            secretSinceNanos = nowNanos;
        }
    }

    /**
     * The request to start a handshake from, when {@code hello} (an epoch-0 ClientHello datagram) carries
     * a valid cookie for {@code peer}; otherwise null, after answering with a HelloVerifyRequest when the
     * hello was well formed.
     */
    DTLSRequest verify(ByteBuf hello, InetSocketAddress peer) {
        byte[] bytes = ByteBufUtil.getBytes(hello);
        return verifier.verifyRequest(clientId(peer), bytes, 0, bytes.length, new DatagramSender() {
            @Override
            public int getSendLimit() {
                return sendLimit;
            }

            @Override
            public void send(byte[] buf, int off, int len) {
                helloVerifyRequestsSent++;
                sender.send(peer, buf, off, len);
            }
        });
    }

    long helloVerifyRequestsSent() {
        return helloVerifyRequestsSent;
    }

    /**
     * The 32-byte random of a ClientHello's first fragment (after the record header, the handshake header
     * and the client version), or null. A restarted client sends a new one; a duplicated or late copy of
     * the hello that started a session carries the same one, and must not replace that session.
     */
    static byte[] clientRandom(ByteBuf hello) {
        int at = hello.readerIndex() + RecordGuard.RECORD_HEADER;
        int randomAt = at + RecordGuard.HANDSHAKE_HEADER + 2;
        if (hello.writerIndex() < randomAt + 32 || hello.getUnsignedMedium(at + 6) != 0) {
            return null;
        }
        byte[] random = new byte[32];
        hello.getBytes(randomAt, random);
        return random;
    }

    /** What the cookie binds the ClientHello to: the peer's IP address and port. */
    private static byte[] clientId(InetSocketAddress peer) {
        byte[] ip = peer.getAddress().getAddress();
        byte[] id = new byte[ip.length + 2];
        System.arraycopy(ip, 0, id, 0, ip.length);
        id[ip.length] = (byte) (peer.getPort() >>> 8);
        id[ip.length + 1] = (byte) peer.getPort();
        return id;
    }
}
