package dev.rudp.fileserver.server;

import dev.rudp.dtls.DtlsHandler;
import dev.rudp.fileserver.auth.Ed25519Key;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentMap;

/**
 * A key login carried by the DTLS session it happened on, as a TLS session carries its client's
 * authentication into resumed handshakes: a key login binds the account and key to the session, and
 * a later connection that resumes the session (it proved it holds that session's master secret) may
 * log in as that account with that key, {@link dev.rudp.fileserver.protocol.Op#RESUME_LOGIN}, without
 * a challenge or a signature. The server still checks, then, that the key is registered for the account
 * and the lockout. The binding lives as long as the session can be resumed (an hour at most, in this
 * process only; a restarted server, or another behind the address, knows none). Password logins bind
 * nothing.
 */
final class SessionLogin {
    private static final String NAME = "dev.rudp.fileserver.key-login";

    /** Who logged in by key on a session. */
    record Bound(String user, Ed25519Key key) {
    }

    private SessionLogin() {
    }

    /** Binds a key login of {@code user} with {@code key} to {@code ch}'s DTLS session (nothing without one). */
    static void bind(Channel ch, String user, Ed25519Key key) {
        ConcurrentMap<String, Object> values = values(ch);
        if (values != null) {
            values.put(NAME, new Bound(user, key));
        }
    }

    /** The key login bound to {@code ch}'s DTLS session, or null. */
    static Bound bound(Channel ch) {
        ConcurrentMap<String, Object> values = values(ch);
        return values == null ? null : (Bound) values.get(NAME);
    }

    /** The connection's DTLS session values: its datagram channel's handler holds the session with its peer. */
    private static ConcurrentMap<String, Object> values(Channel ch) {
        Channel datagrams = ch.parent();
        DtlsHandler dtls = datagrams == null ? null : datagrams.pipeline().get(DtlsHandler.class);
        return dtls == null || !(ch.remoteAddress() instanceof InetSocketAddress peer) ? null : dtls.sessionValues(peer);
    }
}
