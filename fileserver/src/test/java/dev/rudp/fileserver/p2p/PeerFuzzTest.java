package dev.rudp.fileserver.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rudp.fileserver.shared.LocalPeerStore;
import dev.rudp.fileserver.protocol.FrameCodec;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Request;
import dev.rudp.fileserver.protocol.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz targets for the peer-to-peer messages: the server's ticket and introduction requests
 * ({@link PeerDirectory}), and what a sending peer sends a receiving one (ticket, offers, data,
 * cancels) through the real codec into {@link PeerInbox}, with the gate's answers from the fuzzer too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerFuzzTest {
    private static final String GOOD_TICKET = "good-ticket";

    /**
     * A sequence of PEER_REGISTER, PEERS, PEER_TICKET and PEER_REDEEM from three sessions (two of one
     * account) with fuzzed arguments, real tickets among them, on a clock that moves on. Properties: no
     * exception; an endpoint is registered only with a port of 1..65535; a ticket is redeemed at most
     * once, only by a session of the user it was issued for, only before it expires; a ticket never
     * issued is never accepted.
     */
    @FuzzTest
    void directory(FuzzedDataProvider data) {
        long[] now = {1_000_000_000L};
        LocalPeerStore store = new LocalPeerStore(() -> now[0]);
        PeerDirectory dir = new PeerDirectory(store);
        Object[] sessions = {new Object(), new Object(), new Object()};
        String[] users = {"alice", "bob", "alice"};
        record Issued(String ticket, String sender, String receiver, long at) {
        }
        List<Issued> issued = new ArrayList<>();
        Map<Object, String> registeredHost = new HashMap<>();
        Set<String> redeemed = new HashSet<>();
        long id = 0;
        while (data.remainingBytes() > 0) {
            int who = data.consumeInt(0, 2);
            Object session = sessions[who];
            String user = users[who];
            Op op = data.pickValue(new Op[] {Op.PEER_REGISTER, Op.PEERS, Op.PEER_TICKET, Op.PEER_REDEEM, Op.LS});
            List<String> args = new ArrayList<>();
            long[] nums = new long[0];
            String realTicket = null;
            switch (op) {
                case PEER_REGISTER -> {
                    args.add(data.consumeBoolean() ? "127.0.0.1" : data.consumeString(300));
                    args.add(data.consumeBoolean() ? "SHA256:x" : data.consumeString(120));
                    nums = new long[] {data.consumeBoolean() ? data.consumeInt(0, 70_000) : data.consumeLong()};
                }
                case PEER_TICKET -> args.add(data.consumeBoolean() ? data.pickValue(users) : data.consumeString(40));
                case PEER_REDEEM -> {
                    if (!issued.isEmpty() && data.consumeBoolean()) {
                        realTicket = issued.get(data.consumeInt(0, issued.size() - 1)).ticket();
                        args.add(realTicket);
                    } else {
                        args.add(data.consumeString(60));
                    }
                }
                default -> {
                }
            }
            Reply r = dir.handle(new Request(++id, op, args, nums), session, user);
            assertEquals(id, r.id());
            switch (op) {
                case PEER_REGISTER -> {
                    if (r.ok() && nums[0] != 0) {
                        assertTrue(nums[0] >= 1 && nums[0] <= 65_535, "registered port " + nums[0]);
                        registeredHost.put(session, args.get(0));
                    } else if (r.ok()) {
                        registeredHost.remove(session);
                    }
                }
                case PEER_TICKET -> {
                    if (r.ok()) {
                        assertEquals(3, r.lines().size());
                        issued.add(new Issued(r.lines().get(2), user, args.get(0), now[0]));
                    }
                }
                case PEER_REDEEM -> {
                    if (r.ok()) {
                        assertTrue(realTicket != null, "a ticket that was never issued was accepted");
                        String t = realTicket;
                        Issued i = issued.stream().filter(x -> x.ticket().equals(t)).findFirst().orElseThrow();
                        assertTrue(redeemed.add(t), "a ticket was redeemed twice");
                        assertEquals(i.receiver(), user, "redeemed by another user");
                        assertEquals(List.of(i.sender()), r.lines());
                        assertTrue(now[0] - i.at() <= PeerDirectory.TICKET_LIFETIME_NANOS, "an expired ticket");
                    } else {
                        assertEquals(Status.TICKET_REFUSED, r.status(), r.message());
                    }
                }
                case LS -> assertEquals(Status.BAD_REQUEST, r.status());
                default -> {
                }
            }
            now[0] += data.consumeLong(0, 30_000_000_000L);
        }
        assertTrue(store.ticketCount() <= LocalPeerStore.MAX_TICKETS);
    }

    /**
     * A receiving peer's link: fuzzed frames (tickets, offers with any names and sizes, data, PUT_DONE,
     * CANCEL, other requests, garbage) through the codec into the inbox, whose gate accepts or declines
     * from the fuzzer. Properties: no exception escapes the pipeline; nothing is accepted before the good
     * ticket; no offered name that is not a plain file name reaches the gate; nothing is written outside
     * the receive folder; every buffer is released.
     */
    @FuzzTest
    void inbox(FuzzedDataProvider data) throws IOException {
        Path base = Files.createTempDirectory("peer-inbox-fuzz");
        Path folder = Files.createDirectory(base.resolve("inbox"));
        try {
            List<PeerInbox.Offer> offered = new ArrayList<>();
            boolean[] acceptAll = {data.consumeBoolean()};
            PeerInbox inbox = new PeerInbox(folder, Runnable::run, new PeerInbox.Gate() {
                @Override
                public String redeem(String ticket) throws ProtocolException {
                    if (!ticket.equals(GOOD_TICKET)) {
                        throw ProtocolException.of(Status.TICKET_REFUSED, "ticket refused");
                    }
                    return "alice";
                }

                @Override
                public void offered(PeerInbox.Offer offer) {
                    offered.add(offer);
                    if (acceptAll[0]) {
                        offer.accept();
                    } else {
                        offer.decline();
                    }
                }
            });
            EmbeddedChannel ch = new EmbeddedChannel(new FrameCodec(b -> b), inbox);
            boolean ticketSent = false;
            try {
                for (int i = 0; i < 24 && data.remainingBytes() > 0 && ch.isOpen(); i++) {
                    int kind = data.consumeInt(0, 5);
                    ByteBuf msg;
                    if (kind == 0) {
                        boolean good = data.consumeBoolean();
                        ticketSent |= good;
                        msg = request(data.consumeLong(0, 8), Op.PEER_HELLO,
                                List.of(good ? GOOD_TICKET : data.consumeString(40)));
                    } else if (kind == 1) {
                        String name = data.consumeBoolean() ? "f" + data.consumeInt(0, 3) : data.consumeString(80);
                        msg = request(data.consumeLong(0, 8), Op.PUT, List.of(name), data.consumeLong(-1, 4096),
                                data.consumeLong(0, 1));
                    } else if (kind == 2) {
                        byte[] bytes = data.consumeBytes(data.consumeInt(0, 2048));
                        ByteBuf d = Unpooled.buffer();
                        d.writeByte(1).writeByte(3).writeLong(data.consumeLong(0, 8)).writeLong(data.consumeLong(-1, 8192));
                        msg = d.writeBytes(bytes);
                    } else if (kind == 3) {
                        msg = request(data.consumeLong(0, 8), Op.PUT_DONE, List.of(data.consumeString(70)),
                                data.consumeLong(0, 8));
                    } else if (kind == 4) {
                        msg = request(data.consumeLong(0, 8), data.pickValue(Op.values()),
                                List.of(data.consumeString(30)), data.consumeLong(0, 8));
                    } else {
                        msg = Unpooled.wrappedBuffer(data.consumeBytes(data.consumeInt(0, 64)));
                    }
                    ch.writeInbound(msg);
                    ch.runPendingTasks();
                    for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
                        ReferenceCountUtil.release(o);
                    }
                    ch.checkException();
                }
            } finally {
                ch.finishAndReleaseAll();
            }
            assertTrue(ticketSent || offered.isEmpty(), "an offer reached the gate before a good ticket");
            for (PeerInbox.Offer o : offered) {
                String n = o.name();
                assertFalse(n.isEmpty() || n.startsWith(".") || n.contains("/") || n.contains("\\")
                        || n.indexOf('\0') >= 0, "offered name " + n);
                assertEquals(folder, o.target().getParent(), "lands outside the folder: " + o.target());
            }
            try (Stream<Path> all = Files.list(base)) {
                assertEquals(List.of(folder), all.toList(), "something was written beside the receive folder");
            }
            try (Stream<Path> all = Files.walk(folder)) {
                all.forEach(p -> assertFalse(Files.isSymbolicLink(p), "a link appeared: " + p));
            }
        } finally {
            deleteTree(base);
        }
    }

    private static ByteBuf request(long id, Op op, List<String> args, long... nums) {
        ByteBuf b = Unpooled.buffer();
        FrameCodec.encodeControl(new Request(id, op, args, nums), b);
        return b;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /**
     * Found while writing the target, and by the fuzzer (crash-port-narrowed-before-check): the port was
     * narrowed to an int before its range check.
     */
    @Test
    void aPortOutsideTheRangeIsRefusedBeforeNarrowing() throws Exception {
        PeerDirectory dir = new PeerDirectory(() -> 0L);
        Object bob = new Object();
        Reply r = dir.handle(new Request(1, Op.PEER_REGISTER, List.of("127.0.0.1", "SHA256:x"),
                new long[] {(1L << 32) + 4000}), bob, "bob");
        assertEquals(Status.BAD_REQUEST, r.status());
        assertEquals(List.of(), dir.users());
    }
}
