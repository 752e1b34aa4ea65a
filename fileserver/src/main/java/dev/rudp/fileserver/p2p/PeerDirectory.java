package dev.rudp.fileserver.p2p;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import dev.rudp.fileserver.protocol.Status;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
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
 */
public final class PeerDirectory {
    /** How long a ticket stays valid: 60 s. */
    public static final long TICKET_LIFETIME_NANOS = 60_000_000_000L;
    /** Most tickets outstanding at once; the oldest are dropped beyond it. */
    static final int MAX_TICKETS = 10_000;

    /** A registered endpoint. */
    record Endpoint(Object session, String user, String host, int port, String fingerprint) {
    }

    private record Ticket(String sender, String receiver, Object receiverSession, long expiresAt, boolean used) {
    }

    private final Map<Object, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private final SecureRandom random = new SecureRandom();

    /** A directory whose tickets expire on {@code clock} (nanoseconds, as {@code System::nanoTime}). */
    public PeerDirectory(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * Runs one of the peer operations (PEER_REGISTER, PEERS, PEER_TICKET, PEER_REDEEM) for a
     * logged-in {@code session} of account {@code user}. Never blocks.
     */
    public Reply handle(Request r, Object session, String user) {
        try {
            return switch (r.op()) {
                case PEER_REGISTER -> {
                    long port = r.num(0, 0);
                    if (port == 0) {
                        leave(session);
                    } else {
                        // Checked before narrowing: 2^32 + 4000 must not register port 4000.
                        register(session, user, r.arg(0, ""), port < 1 || port > 65535 ? -1 : (int) port,
                                r.arg(1, ""));
                    }
                    yield Reply.ok(r.id(), List.of());
                }
                case PEERS -> Reply.ok(r.id(), users());
                case PEER_TICKET -> {
                    Endpoint e = endpointOf(r.arg(0, ""));
                    if (e.user().equals(user) && e.session() == session) {
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
        }
    }

    /** Registers (or updates) the endpoint of {@code session}. */
    public void register(Object session, String user, String host, int port, String fingerprint)
            throws ProtocolException {
        if (host.isEmpty() || port < 1 || port > 65535 || !fingerprint.startsWith("SHA256:")
                || host.length() > 255 || fingerprint.length() > 100) {
            throw ProtocolException.of(Status.BAD_REQUEST, "accept-peers: bad endpoint " + host + ":" + port);
        }
        endpoints.put(session, new Endpoint(session, user, host, port, fingerprint));
    }

    /** Forgets the endpoint of {@code session} (withdrawn, or the session ended). */
    public void leave(Object session) {
        endpoints.remove(session);
    }

    /** The users with a registered endpoint, sorted, each once. */
    public List<String> users() {
        TreeSet<String> names = new TreeSet<>();
        endpoints.values().forEach(e -> names.add(e.user()));
        return new ArrayList<>(names);
    }

    private Endpoint endpointOf(String user) throws ProtocolException {
        Endpoint found = null;
        for (Endpoint e : endpoints.values()) {
            if (e.user().equals(user)) {
                found = e; // any of the user's accepting sessions
            }
        }
        if (found == null) {
            throw ProtocolException.of(Status.PEER_OFFLINE, "peer offline: " + user
                    + " is not logged in or does not accept peer transfers");
        }
        return found;
    }

    private String issue(String sender, Endpoint to) {
        long now = clock.getAsLong();
        purge(now);
        byte[] b = new byte[32];
        random.nextBytes(b);
        String t = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        tickets.put(t, new Ticket(sender, to.user(), to.session(), now + TICKET_LIFETIME_NANOS, false));
        return t;
    }

    /** Checks and uses up {@code ticket} presented to {@code session} of {@code receiver}; returns the sender. */
    String redeem(String ticket, Object session, String receiver) throws ProtocolException {
        long now = clock.getAsLong();
        Ticket t = tickets.get(ticket);
        if (t == null || !t.receiver().equals(receiver)) {
            throw ProtocolException.of(Status.TICKET_REFUSED, "ticket refused: unknown ticket (forged, or not"
                    + " issued for " + receiver + ")");
        }
        if (t.used()) {
            throw ProtocolException.of(Status.TICKET_REFUSED, "ticket refused: already used (replay refused)");
        }
        if (now - t.expiresAt() > 0) {
            tickets.remove(ticket, t);
            throw ProtocolException.of(Status.TICKET_REFUSED, "ticket refused: expired "
                    + Math.max(1, (now - t.expiresAt()) / 1_000_000_000L) + " s ago (tickets last "
                    + TICKET_LIFETIME_NANOS / 1_000_000_000L + " s)");
        }
        if (t.receiverSession() != session) {
            throw ProtocolException.of(Status.TICKET_REFUSED, "ticket refused: issued for another session of "
                    + receiver);
        }
        if (!tickets.replace(ticket, t, new Ticket(t.sender(), t.receiver(), t.receiverSession(), t.expiresAt(),
                true))) {
            throw ProtocolException.of(Status.TICKET_REFUSED, "ticket refused: already used (replay refused)");
        }
        return t.sender();
    }

    /** Drops tickets expired for longer than a lifetime (used ones are kept that long to name replays). */
    private void purge(long now) {
        for (Iterator<Ticket> it = tickets.values().iterator(); it.hasNext(); ) {
            if (now - it.next().expiresAt() > TICKET_LIFETIME_NANOS) {
                it.remove();
            }
        }
        if (tickets.size() >= MAX_TICKETS) {
            tickets.entrySet().stream().min(java.util.Comparator.comparingLong(e -> e.getValue().expiresAt()))
                    .ifPresent(e -> tickets.remove(e.getKey()));
        }
    }

    /** Tickets held (for tests). */
    int ticketCount() {
        return tickets.size();
    }
}
