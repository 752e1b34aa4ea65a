package dev.rudp.fileserver.p2p;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.shared.LocalPeerStore;
import dev.rudp.fileserver.shared.PeerStore;
import dev.rudp.fileserver.shared.PeerStore.Endpoint;
import dev.rudp.fileserver.shared.SharedStoreException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The server's part in peer-to-peer transfers: it only introduces. Logged-in sessions register the
 * endpoint they listen on (address, port, DTLS certificate fingerprint); a sender asks for an
 * introduction to a user and gets that endpoint plus a one-time ticket; the receiver redeems the
 * ticket here before accepting anything. File bytes never pass through the server.
 *
 * <p>A ticket is 32 random bytes (base64url), bound to the sender, the receiver (the account and
 * the registering session) and an expiry ({@link #TICKET_LIFETIME_NANOS}, on the given clock). It
 * is redeemed at most once: a replay is refused, as are unknown (forged) tickets, tickets issued to
 * someone else, expired ones, and tickets whose receiver left. Thread-safe.
 *
 * <p>The state lives in a {@link PeerStore}: this server's memory, or a store shared by several
 * servers, where a sender on one server reaches a receiver on another and a ticket is still
 * redeemed once across all of them. A shared store may block briefly: call {@link #handle} off the
 * event loop. When it cannot be reached, the operations fail with IO_ERROR and a one-line reason.
 */
public final class PeerDirectory {
    /** How long a ticket stays valid: 60 s. */
    public static final long TICKET_LIFETIME_NANOS = 60_000_000_000L;

    private final PeerStore store;
    /** Each session's name in the store, unique across servers: this directory's random id + a counter. */
    private final Map<Object, String> names = new ConcurrentHashMap<>();
    /** The sessions of this server with a registered endpoint (to withdraw them when they end). */
    private final Map<Object, Endpoint> registered = new ConcurrentHashMap<>();
    private final String instance;
    private final AtomicLong sessions = new AtomicLong();
    private final SecureRandom random = new SecureRandom();

    /** A directory in this server's memory whose tickets expire on {@code clock} (nanoseconds, as {@code System::nanoTime}). */
    public PeerDirectory(LongSupplier clock) {
        this(new LocalPeerStore(clock));
    }

    /** A directory keeping its state in {@code store}. */
    public PeerDirectory(PeerStore store) {
        this.store = store;
        byte[] id = new byte[6];
        random.nextBytes(id);
        this.instance = HexFormat.of().formatHex(id);
    }

    /**
     * Runs one of the peer operations (PEER_REGISTER, PEERS, PEER_TICKET, PEER_REDEEM) for a
     * logged-in {@code session} of account {@code user}. Blocks only as long as the store does.
     */
    public Reply handle(Request r, Object session, String user) {
        try {
            return switch (r.op()) {
                case PEER_REGISTER -> {
                    long port = r.num(0, 0);
                    if (port == 0) {
                        withdraw(session);
                    } else {
                        // Checked before narrowing: 2^32 + 4000 must not register port 4000.
                        register(session, user, r.arg(0, ""), port < 1 || port > 65535 ? -1 : (int) port,
                                r.arg(1, ""));
                    }
                    yield Reply.ok(r.id(), List.of());
                }
                case PEERS -> Reply.ok(r.id(), store.users());
                case PEER_TICKET -> {
                    Endpoint e = endpointOf(r.arg(0, ""));
                    if (e.user().equals(user) && e.session().equals(names.get(session))) {
                        throw ProtocolException.of(Status.BAD_REQUEST, "send: that is you");
                    }
                    String t = issue(user, e);
                    yield Reply.ok(r.id(), List.of(e.host(), e.fingerprint(), t), e.port(),
                            TICKET_LIFETIME_NANOS / 1_000_000);
                }
                case PEER_REDEEM -> Reply.ok(r.id(), List.of(redeem(r.arg(0, ""), session, user)));
                default -> throw ProtocolException.of(Status.BAD_REQUEST, "not a peer operation: " + r.op());
            };
        } catch (ProtocolException e) {
            return Reply.error(r.id(), e.status(), e.getMessage());
        } catch (SharedStoreException e) {
            return Reply.error(r.id(), Status.IO_ERROR, "peer introductions unavailable: " + e.getMessage()
                    + "; try again later");
        }
    }

    /** Registers (or updates) the endpoint of {@code session}. */
    public void register(Object session, String user, String host, int port, String fingerprint)
            throws ProtocolException, SharedStoreException {
        if (host.isEmpty() || port < 1 || port > 65535 || !fingerprint.startsWith("SHA256:")
                || host.length() > 255 || fingerprint.length() > 100) {
            throw ProtocolException.of(Status.BAD_REQUEST, "accept-peers: bad endpoint " + host + ":" + port);
        }
        String name = names.computeIfAbsent(session, s -> instance + "-" + sessions.incrementAndGet());
        Endpoint e = new Endpoint(name, user, host, port, fingerprint);
        registered.put(session, e);
        store.register(e);
    }

    /** Forgets {@code session} for good (it ended): its endpoint is withdrawn, its tickets stay unredeemable. */
    public void leave(Object session) {
        withdraw(session);
        names.remove(session);
    }

    private void withdraw(Object session) {
        Endpoint e = registered.remove(session);
        if (e != null) {
            store.leave(e.session(), e.user());
        }
    }

    /** The users with a registered endpoint, sorted, each once. */
    public List<String> users() throws SharedStoreException {
        return store.users();
    }

    private Endpoint endpointOf(String user) throws ProtocolException, SharedStoreException {
        return store.find(user).orElseThrow(() -> ProtocolException.of(Status.PEER_OFFLINE, "peer offline: " + user
                + " is not logged in or does not accept peer transfers"));
    }

    private String issue(String sender, Endpoint to) throws SharedStoreException {
        byte[] b = new byte[32];
        random.nextBytes(b);
        String t = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        store.issue(t, sender, to, TICKET_LIFETIME_NANOS);
        return t;
    }

    /** Checks and uses up {@code ticket} presented to {@code session} of {@code receiver}; returns the sender. */
    String redeem(String ticket, Object session, String receiver) throws ProtocolException, SharedStoreException {
        PeerStore.Redemption r = store.redeem(ticket, receiver, names.getOrDefault(session, ""));
        return switch (r.outcome()) {
            case REDEEMED -> r.sender();
            case UNKNOWN -> throw ProtocolException.of(Status.TICKET_REFUSED, "ticket refused: unknown ticket (forged,"
                    + " or not issued for " + receiver + ")");
            case USED -> throw ProtocolException.of(Status.TICKET_REFUSED, "ticket refused: already used (replay"
                    + " refused)");
            case EXPIRED -> throw ProtocolException.of(Status.TICKET_REFUSED, "ticket refused: expired "
                    + Math.max(1, r.expiredAgoNanos() / 1_000_000_000L) + " s ago (tickets last "
                    + TICKET_LIFETIME_NANOS / 1_000_000_000L + " s)");
            case OTHER_SESSION -> throw ProtocolException.of(Status.TICKET_REFUSED, "ticket refused: issued for"
                    + " another session of " + receiver);
        };
    }
}
