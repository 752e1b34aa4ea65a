package dev.rudp.fileserver.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.shared.LocalPeerStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Introductions and one-time tickets on a manual clock: forged, replayed, expired, misdirected, offline. */
class PeerDirectoryTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LocalPeerStore store = new LocalPeerStore(now::get);
    private final PeerDirectory dir = new PeerDirectory(store);
    private final Object alice = new Object();
    private final Object bob = new Object();
    private final Object carol = new Object();
    private long ids = 1;

    private Reply run(Object session, String user, Op op, List<String> args, long... nums) {
        return dir.handle(Request.of(ids++, op, args, nums), session, user);
    }

    private String ticketFromAliceToBob() {
        Reply r = run(alice, "alice", Op.PEER_TICKET, List.of("bob"));
        assertTrue(r.ok(), r.message());
        assertEquals(List.of("127.0.0.1", "SHA256:bob"), r.lines().subList(0, 2));
        assertEquals(4000, r.num(0, 0));
        assertEquals(60_000, r.num(1, 0));
        return r.lines().get(2);
    }

    private void register() {
        assertTrue(run(bob, "bob", Op.PEER_REGISTER, List.of("127.0.0.1", "SHA256:bob"), 4000).ok());
    }

    @Test
    void shouldRedeemATicketOnceAndNameTheSender() {
        register();
        assertEquals(List.of("bob"), run(carol, "carol", Op.PEERS, List.of()).lines());
        String t = ticketFromAliceToBob();
        assertTrue(t.length() >= 43, "32 random bytes: " + t);
        assertNotEquals(t, ticketFromAliceToBob(), "tickets are random");
        Reply first = run(bob, "bob", Op.PEER_REDEEM, List.of(t));
        assertEquals(List.of("alice"), first.lines());
        Reply replay = run(bob, "bob", Op.PEER_REDEEM, List.of(t));
        assertEquals(Status.TICKET_REFUSED, replay.status());
        assertTrue(replay.message().contains("already used"), replay.message());
    }

    @Test
    void shouldRefuseForgedMisdirectedAndExpiredTickets() {
        register();
        Reply forged = run(bob, "bob", Op.PEER_REDEEM, List.of("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assertEquals(Status.TICKET_REFUSED, forged.status());
        assertTrue(forged.message().contains("unknown ticket"), forged.message());
        String t = ticketFromAliceToBob();
        Reply stolen = run(carol, "carol", Op.PEER_REDEEM, List.of(t));
        assertEquals(Status.TICKET_REFUSED, stolen.status(), "only the receiver may redeem");
        Reply otherSession = run(new Object(), "bob", Op.PEER_REDEEM, List.of(t));
        assertEquals(Status.TICKET_REFUSED, otherSession.status(), "bound to the registering session");
        now.addAndGet(PeerDirectory.TICKET_LIFETIME_NANOS + 1_000_000_000L);
        Reply expired = run(bob, "bob", Op.PEER_REDEEM, List.of(t));
        assertEquals(Status.TICKET_REFUSED, expired.status());
        assertTrue(expired.message().contains("expired"), expired.message());
    }

    @Test
    void shouldReportPeersOfflineAndForgetThemWhenTheyLeave() {
        Reply none = run(alice, "alice", Op.PEER_TICKET, List.of("bob"));
        assertEquals(Status.PEER_OFFLINE, none.status());
        assertTrue(none.message().startsWith("peer offline: bob"), none.message());
        register();
        dir.leave(bob);
        assertEquals(Status.PEER_OFFLINE, run(alice, "alice", Op.PEER_TICKET, List.of("bob")).status());
        register();
        assertTrue(run(bob, "bob", Op.PEER_REGISTER, List.of(), 0).ok());
        assertEquals(List.of(), run(alice, "alice", Op.PEERS, List.of()).lines());
        assertFalse(run(bob, "bob", Op.PEER_REGISTER, List.of("h", "not-a-fingerprint"), 5).ok());
    }

    @Test
    void shouldPurgeLongExpiredTickets() {
        register();
        for (int i = 0; i < 5; i++) {
            ticketFromAliceToBob();
        }
        now.addAndGet(3 * PeerDirectory.TICKET_LIFETIME_NANOS);
        ticketFromAliceToBob();
        assertEquals(1, store.ticketCount());
    }
}
