package dev.rudp.fileserver.shared;

import java.util.List;
import java.util.Optional;

/**
 * Where P2P presence and one-time tickets live: the endpoints that logged-in sessions registered,
 * and the tickets the directory issued. {@link dev.rudp.fileserver.p2p.PeerDirectory} keeps the
 * rules and the messages; this keeps the state, in one server's memory or shared by all. Methods
 * that throw {@link SharedStoreException} may block briefly: call them off the event loop.
 */
public interface PeerStore {
    /**
     * A registered endpoint. {@code session} names the registering session uniquely across servers;
     * host, port and fingerprint are where the sender connects (public, not secret).
     */
    record Endpoint(String session, String user, String host, int port, String fingerprint) {
    }

    /** What redeeming a ticket found. */
    enum Outcome { REDEEMED, UNKNOWN, USED, EXPIRED, OTHER_SESSION }

    /**
     * The result of {@link #redeem}: the sender when {@code REDEEMED}, how long ago it expired
     * (nanoseconds) when {@code EXPIRED}.
     */
    record Redemption(Outcome outcome, String sender, long expiredAgoNanos) {
    }

    /** Registers or updates {@code e}. */
    void register(Endpoint e) throws SharedStoreException;

    /** Forgets the endpoint of {@code session} of {@code user}; best effort, never blocks. */
    void leave(String session, String user);

    /** The users with a registered endpoint (on any server sharing this store), sorted, each once. */
    List<String> users() throws SharedStoreException;

    /** One of {@code user}'s registered endpoints, if any. */
    Optional<Endpoint> find(String user) throws SharedStoreException;

    /** Stores a new ticket from {@code sender} to endpoint {@code to}, valid for {@code lifetimeNanos}. */
    void issue(String ticket, String sender, Endpoint to, long lifetimeNanos) throws SharedStoreException;

    /**
     * Uses up {@code ticket} presented by {@code session} of {@code receiver}, atomically: across every
     * server sharing the store, a ticket is {@code REDEEMED} at most once. A ticket that is unknown to
     * {@code receiver}, or presented by another session, stays valid for its own session.
     */
    Redemption redeem(String ticket, String receiver, String session) throws SharedStoreException;
}
