package dev.rudp.fileserver.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.NativeTransport;
import dev.rudp.fileserver.auth.Account;
import dev.rudp.fileserver.auth.AccountStore;
import dev.rudp.fileserver.auth.PasswordHasher;
import dev.rudp.fileserver.protocol.Op;
import dev.rudp.fileserver.protocol.Reply;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.server.FileServer;
import dev.rudp.fileserver.server.ServerConfig;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three file servers in one JVM on loopback sharing one real redis-server, spoken to over the file
 * protocol: failed logins spread over them lock the account on all, {@code peers} on one lists users on
 * the others, a ticket is redeemed once; with Redis stopped logins still work with each server's own
 * lockout and P2P introductions fail with a reason; with Redis back the lockout is shared again.
 */
@Timeout(240)
class SharedServersTest {
    private static final PasswordHasher CHEAP = new PasswordHasher(1 << 10, 8, 1);
    private static final List<String> USERS = List.of("alice", "bob", "carol");

    @TempDir
    Path tmp;
    private final String prefix = "s" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
    private final List<FileServer> servers = new ArrayList<>();
    private final List<ProtocolClient> clients = new ArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            log.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private EventLoopGroup group;
    private RedisFixture redis;

    @BeforeEach
    void setUp() {
        group = NativeTransport.newEventLoopGroup(1);
        Logger.getLogger("dev.rudp.fileserver").addHandler(capture);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (ProtocolClient c : clients) {
            c.close();
        }
        servers.forEach(FileServer::shutdown);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        Logger.getLogger("dev.rudp.fileserver").removeHandler(capture);
        if (redis != null) {
            redis.close();
        }
    }

    private void startServers(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            Path data = tmp.resolve("server" + i);
            AccountStore accounts = AccountStore.open(data);
            for (String u : USERS) {
                accounts.put(new Account(u, false, CHEAP.hash(("secret-" + u).toCharArray())));
            }
            servers.add(FileServer.start(new ServerConfig(data).bind(new InetSocketAddress("127.0.0.1", 0))
                    .hasher(CHEAP).plaintext(true).shared(redis.settings(prefix))));
        }
    }

    private ProtocolClient connect(int server) throws Exception {
        ProtocolClient c = ProtocolClient.connect(group, servers.get(server).address());
        clients.add(c);
        return c;
    }

    /** A fresh connection's login on {@code server}. */
    private Reply login(int server, String user, String password) throws Exception {
        return connect(server).call(Op.LOGIN, List.of(user, password));
    }

    private ProtocolClient loggedIn(int server, String user) throws Exception {
        ProtocolClient c = connect(server);
        Reply r = c.call(Op.LOGIN, List.of(user, "secret-" + user));
        assertTrue(r.ok(), r.message());
        return c;
    }

    private static void register(ProtocolClient c, String user, int port) throws Exception {
        Reply r = c.call(Op.PEER_REGISTER, List.of("127.0.0.1", "SHA256:" + user), port);
        assertTrue(r.ok(), r.message());
    }

    /** Polls {@code condition} until it holds or {@code seconds} pass. */
    private static void await(String what, long seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.onSpinWait();
        }
    }

    private static List<String> peers(ProtocolClient c) {
        try {
            Reply r = c.call(Op.PEERS, List.of());
            return r.ok() ? r.lines() : List.of("error: " + r.message());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Five failures spread over the servers; returns the fifth reply. */
    private Reply failFiveTimes(String user, int... order) throws Exception {
        Reply last = null;
        for (int i = 0; i < 5; i++) {
            last = login(order[i % order.length], user, "wrong");
            if (i < 4) {
                assertEquals(Status.AUTH_FAILED, last.status(), "failure " + (i + 1) + ": " + last.message());
            }
        }
        return last;
    }

    private long logged(String event) {
        return log.stream().filter(m -> m != null && m.startsWith(event)).count();
    }

    @Test
    void fiveFailuresSpreadOverThreeServersLockTheAccountOnAll() throws Exception {
        redis = RedisFixture.open(tmp);
        startServers(3);
        Reply fifth = failFiveTimes("alice", 0, 1, 2);
        assertEquals(Status.LOCKED, fifth.status(), fifth.message());
        for (int s = 0; s < 3; s++) {
            Reply right = login(s, "alice", "secret-alice");
            assertEquals(Status.LOCKED, right.status(), "server " + s + ": " + right.message());
            assertTrue(right.message().contains("try again in"), right.message());
        }
        assertTrue(login(1, "bob", "secret-bob").ok(), "other accounts are not locked");
    }

    @Test
    void peersAreListedOnEveryServerAndATicketIsRedeemedOnce() throws Exception {
        redis = RedisFixture.open(tmp);
        startServers(3);
        ProtocolClient bob = loggedIn(1, "bob");
        register(bob, "bob", 4001);
        ProtocolClient carol = loggedIn(2, "carol");
        register(carol, "carol", 4002);
        ProtocolClient alice = loggedIn(0, "alice");
        assertEquals(List.of("bob", "carol"), peers(alice));

        Reply ticket = alice.call(Op.PEER_TICKET, List.of("bob"));
        assertTrue(ticket.ok(), ticket.message());
        assertEquals(List.of("127.0.0.1", "SHA256:bob"), ticket.lines().subList(0, 2));
        assertEquals(4001, ticket.num(0, 0));
        String t = ticket.lines().get(2);
        // redeemed at once through bob's session on server 1 (twice) and bob's other session on server 2
        ProtocolClient bobElsewhere = loggedIn(2, "bob");
        List<CompletableFuture<Reply>> tries = List.of(bob.send(Op.PEER_REDEEM, List.of(t)),
                bobElsewhere.send(Op.PEER_REDEEM, List.of(t)), bob.send(Op.PEER_REDEEM, List.of(t)));
        int redeemed = 0;
        for (CompletableFuture<Reply> f : tries) {
            Reply r = f.get(15, TimeUnit.SECONDS);
            if (r.ok()) {
                redeemed++;
                assertEquals(List.of("alice"), r.lines());
            } else {
                assertEquals(Status.TICKET_REFUSED, r.status(), r.message());
            }
        }
        assertEquals(1, redeemed);

        bob.close();
        await("bob's endpoint withdrawn when his session ends", 20, () -> peers(alice).equals(List.of("carol")));
        assertEquals(Status.PEER_OFFLINE, alice.call(Op.PEER_TICKET, List.of("bob")).status());
    }

    @Test
    void withRedisStoppedLoginsWorkWithLocalLockoutAndComeBackSharedWhenItReturns() throws Exception {
        redis = RedisFixture.own(tmp);
        startServers(3);
        ProtocolClient bob = loggedIn(1, "bob");
        register(bob, "bob", 4001);
        ProtocolClient alice = loggedIn(0, "alice");
        assertEquals(List.of("bob"), peers(alice));

        redis.stop();
        // each server notices by itself within a refresh period (5 s), logins or not
        await("every server logging the outage", 30, () -> logged("shared-store-down") == 3);
        for (int i = 0; i < 3; i++) {
            assertTrue(login(0, "alice", "secret-alice").ok(), "logins still work");
        }
        Reply peers = alice.call(Op.PEERS, List.of());
        assertEquals(Status.IO_ERROR, peers.status());
        assertTrue(peers.message().startsWith("peer introductions unavailable: the servers' shared store is"
                + " unreachable"), peers.message());
        Reply ticket = alice.call(Op.PEER_TICKET, List.of("bob"));
        assertEquals(Status.IO_ERROR, ticket.status(), ticket.message());
        // each server counts on its own: five failures on server 0 lock carol there, not on server 1
        Reply fifth = failFiveTimes("carol", 0);
        assertEquals(Status.LOCKED, fifth.status(), fifth.message());
        assertEquals(Status.LOCKED, login(0, "carol", "secret-carol").status());
        assertTrue(login(1, "carol", "secret-carol").ok(), "server 1 saw none of server 0's failures");
        assertEquals(3, logged("shared-store-down"), "logged once per server and outage, not per login");

        redis.start();
        await("every server back on Redis", 30, () -> logged("shared-store-back") == 3);
        await("bob's endpoint written again by his server", 30, () -> peers(alice).equals(List.of("bob")));
        Reply again = failFiveTimes("alice", 2, 1, 0);
        assertEquals(Status.LOCKED, again.status(), "shared lockout again: " + again.message());
        assertEquals(Status.LOCKED, login(1, "alice", "secret-alice").status());
        assertEquals(3, logged("shared-store-down"), "no new outage");
    }
}
