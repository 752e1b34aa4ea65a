package dev.rudp.fileserver.shared;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Presence and tickets in this server's memory (one server, no shared store): tickets expire on the
 * given clock; used ones are kept a lifetime longer to name replays; at most {@link #MAX_TICKETS}
 * are held, the oldest dropped beyond. Thread-safe; never blocks.
 */
public final class LocalPeerStore implements PeerStore {
    /** Most tickets outstanding at once. */
    public static final int MAX_TICKETS = 10_000;

    private record Ticket(String sender, String receiver, String session, long expiresAt, long lifetime,
                          boolean used) {
    }

    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    /** A store whose tickets expire on {@code clock} (nanoseconds, as {@code System::nanoTime}). */
    public LocalPeerStore(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public void register(Endpoint e) {
        endpoints.put(e.session(), e);
    }

    @Override
    public void leave(String session, String user) {
        endpoints.remove(session);
    }

    @Override
    public List<String> users() {
        TreeSet<String> names = new TreeSet<>();
        endpoints.values().forEach(e -> names.add(e.user()));
        return new ArrayList<>(names);
    }

    @Override
    public Optional<Endpoint> find(String user) {
        Endpoint found = null;
        for (Endpoint e : endpoints.values()) {
            if (e.user().equals(user)) {
                found = e; // any of the user's accepting sessions
            }
        }
        return Optional.ofNullable(found);
    }

    @Override
    public void issue(String ticket, String sender, Endpoint to, long lifetimeNanos) {
        long now = clock.getAsLong();
        purge(now);
        tickets.put(ticket, new Ticket(sender, to.user(), to.session(), now + lifetimeNanos, lifetimeNanos, false));
    }

    @Override
    public Redemption redeem(String ticket, String receiver, String session) {
        long now = clock.getAsLong();
        Ticket t = tickets.get(ticket);
        if (t == null || !t.receiver().equals(receiver)) {
            return new Redemption(Outcome.UNKNOWN, null, 0);
        }
        if (t.used()) {
            return new Redemption(Outcome.USED, null, 0);
        }
        if (now - t.expiresAt() > 0) {
            tickets.remove(ticket, t);
            return new Redemption(Outcome.EXPIRED, null, now - t.expiresAt());
        }
        if (!t.session().equals(session)) {
            return new Redemption(Outcome.OTHER_SESSION, null, 0);
        }
        Ticket used = new Ticket(t.sender(), t.receiver(), t.session(), t.expiresAt(), t.lifetime(), true);
        if (!tickets.replace(ticket, t, used)) {
            return new Redemption(Outcome.USED, null, 0);
        }
        return new Redemption(Outcome.REDEEMED, t.sender(), 0);
    }

    /** Drops tickets expired for longer than a lifetime (used ones are kept that long to name replays). */
    private void purge(long now) {
        for (Iterator<Ticket> it = tickets.values().iterator(); it.hasNext(); ) {
            Ticket t = it.next();
            if (now - t.expiresAt() > t.lifetime()) {
                it.remove();
            }
        }
        if (tickets.size() >= MAX_TICKETS) {
            tickets.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().expiresAt()))
                    .ifPresent(e -> tickets.remove(e.getKey()));
        }
    }

    /** Tickets held (for tests). */
    public int ticketCount() {
        return tickets.size();
    }
}
