package dev.rudp.fileserver.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.auth.LoginGuard;
import dev.rudp.fileserver.shared.PeerStore.Endpoint;
import dev.rudp.fileserver.shared.PeerStore.Outcome;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis store against a real redis-server, three connections standing for three servers: the
 * lockout and rate rules of {@link LoginGuard} counted across them, presence seen from each, tickets
 * redeemed once under concurrent attempts through two of them, keys namespaced and expiring, no
 * ticket stored in clear.
 */
class RedisSharedStateTest {
    @TempDir
    static Path scratch;
    private static RedisFixture redis;

    private final String prefix = "t" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
    private final List<RedisSharedState> servers = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisFixture.open(scratch);
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeServers() {
        servers.forEach(RedisSharedState::close);
    }

    private RedisSharedState server() throws SharedStoreException {
        RedisSharedState s = RedisSharedState.connect(redis.settings(prefix));
        servers.add(s);
        return s;
    }

    @Test
    void failuresSpreadOverServersLockThePairOnAll() throws Exception {
        List<LoginLimits> limits = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            limits.add(server().logins(5, 10_000_000_000L, 30, System::nanoTime));
        }
        for (int i = 0; i < 4; i++) {
            assertInstanceOf(LoginGuard.Allowed.class, limits.get(i % 3).check("alice", "10.0.0.1"));
            assertEquals(0, limits.get(i % 3).failure("alice", "10.0.0.1"));
        }
        assertInstanceOf(LoginGuard.Allowed.class, limits.get(1).check("alice", "10.0.0.1"));
        assertEquals(10_000_000_000L, limits.get(1).failure("alice", "10.0.0.1"), "the fifth failure locks");
        for (LoginLimits l : limits) {
            LoginGuard.Verdict v = l.check("alice", "10.0.0.1");
            LoginGuard.Locked locked = assertInstanceOf(LoginGuard.Locked.class, v);
            assertTrue(locked.remainingNanos() > 0 && locked.remainingNanos() <= 10_000_000_000L);
        }
        assertInstanceOf(LoginGuard.Allowed.class, limits.get(2).check("alice", "10.0.0.2"), "keyed by address too");
        limits.get(0).success("alice", "10.0.0.1");
        assertInstanceOf(LoginGuard.Allowed.class, limits.get(2).check("alice", "10.0.0.1"), "success resets");
    }

    @Test
    void theRateWindowCountsAttemptsOnEveryServerAndSuccessesGiveTheirPlaceBack() throws Exception {
        LoginLimits a = server().logins(100, 10_000_000_000L, 3, System::nanoTime);
        LoginLimits b = server().logins(100, 10_000_000_000L, 3, System::nanoTime);
        assertInstanceOf(LoginGuard.Allowed.class, a.check("bob", "10.0.0.1"));
        assertInstanceOf(LoginGuard.Allowed.class, b.check("bob", "10.0.0.2"));
        assertInstanceOf(LoginGuard.Allowed.class, a.check("bob", "10.0.0.3"));
        LoginGuard.Limited limited = assertInstanceOf(LoginGuard.Limited.class, b.check("bob", "10.0.0.4"));
        assertTrue(limited.retryNanos() > 0 && limited.retryNanos() <= 60_000_000_000L, "" + limited.retryNanos());
        b.success("bob", "10.0.0.3");
        assertInstanceOf(LoginGuard.Allowed.class, a.check("bob", "10.0.0.5"), "a success was not a guess");
        assertInstanceOf(LoginGuard.Limited.class, a.check("bob", "10.0.0.6"));
    }

    @Test
    void presenceIsSeenFromEveryServerAndGoesWhenTheSessionLeaves() throws Exception {
        PeerStore a = server().peers(System::nanoTime);
        PeerStore b = server().peers(System::nanoTime);
        PeerStore c = server().peers(System::nanoTime);
        a.register(new Endpoint("a-1", "bob", "10.0.0.7", 4000, "SHA256:bob"));
        b.register(new Endpoint("b-1", "carol", "10.0.0.8", 4001, "SHA256:carol"));
        b.register(new Endpoint("b-2", "bob", "10.0.0.9", 4002, "SHA256:bob2"));
        assertEquals(List.of("bob", "carol"), c.users());
        Endpoint carol = c.find("carol").orElseThrow();
        assertEquals(new Endpoint("b-1", "carol", "10.0.0.8", 4001, "SHA256:carol"), carol);
        b.register(new Endpoint("b-1", "carol", "10.0.0.8", 4444, "SHA256:carol"));
        assertEquals(4444, c.find("carol").orElseThrow().port(), "an update replaces the endpoint");
        b.leave("b-1", "carol");
        a.leave("a-1", "bob");
        awaitUsers(c, List.of("bob"));
        assertEquals("b-2", c.find("bob").orElseThrow().session(), "bob's other session stays");
        assertTrue(c.find("carol").isEmpty());
    }

    private static void awaitUsers(PeerStore s, List<String> expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!s.users().equals(expected)) {
            assertTrue(System.nanoTime() < deadline, "users " + s.users() + ", expected " + expected);
            Thread.onSpinWait();
        }
    }

    @Test
    void aTicketIsRedeemedExactlyOnceUnderConcurrentAttemptsThroughTwoOtherServers() throws Exception {
        PeerStore issuer = server().peers(System::nanoTime);
        PeerStore b = server().peers(System::nanoTime);
        PeerStore c = server().peers(System::nanoTime);
        Endpoint bob = new Endpoint("b-1", "bob", "10.0.0.7", 4000, "SHA256:bob");
        b.register(bob);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            int tickets = 200;
            for (int i = 0; i < tickets; i++) {
                String t = "ticket-" + i + "-" + prefix;
                issuer.issue(t, "alice", bob, 60_000_000_000L);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<PeerStore.Redemption>> tries = new ArrayList<>();
                for (PeerStore via : List.of(b, c, b, c)) {
                    Callable<PeerStore.Redemption> attempt = () -> {
                        go.await();
                        return via.redeem(t, "bob", "b-1");
                    };
                    tries.add(pool.submit(attempt));
                }
                go.countDown();
                int redeemed = 0;
                for (Future<PeerStore.Redemption> f : tries) {
                    PeerStore.Redemption r = f.get(10, TimeUnit.SECONDS);
                    if (r.outcome() == Outcome.REDEEMED) {
                        redeemed++;
                        assertEquals("alice", r.sender());
                    } else {
                        assertEquals(Outcome.USED, r.outcome());
                    }
                }
                assertEquals(1, redeemed, "ticket " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ticketsRefuseForgedMisdirectedOtherSessionAndExpired() throws Exception {
        PeerStore a = server().peers(System::nanoTime);
        PeerStore b = server().peers(System::nanoTime);
        Endpoint bob = new Endpoint("b-1", "bob", "10.0.0.7", 4000, "SHA256:bob");
        a.issue("t1", "alice", bob, 60_000_000_000L);
        assertEquals(Outcome.UNKNOWN, b.redeem("forged", "bob", "b-1").outcome());
        assertEquals(Outcome.UNKNOWN, b.redeem("t1", "carol", "b-1").outcome(), "only the receiver");
        assertEquals(Outcome.OTHER_SESSION, b.redeem("t1", "bob", "c-9").outcome());
        assertEquals(Outcome.REDEEMED, b.redeem("t1", "bob", "b-1").outcome(), "refusals did not use it up");
        a.issue("t2", "alice", bob, 300_000_000L); // kept 600 ms to name its expiry
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        PeerStore.Redemption r;
        while ((r = b.redeem("t2", "bob", "c-9")).outcome() == Outcome.OTHER_SESSION) {
            assertTrue(System.nanoTime() < deadline, "never expired");
        }
        assertEquals(Outcome.EXPIRED, r.outcome());
        assertTrue(r.expiredAgoNanos() >= 0);
        assertEquals(Outcome.UNKNOWN, b.redeem("t2", "bob", "b-1").outcome(), "an expired ticket is gone");
    }

    @Test
    void keysAreNamespacedExpireAndHoldNoTicketInClear() throws Exception {
        RedisSharedState s = server();
        LoginLimits l = s.logins(5, 10_000_000_000L, 30, System::nanoTime);
        l.check("alice", "10.0.0.1");
        l.failure("alice", "10.0.0.1");
        l.check("bad\nname" + "x".repeat(300), "10.0.0.1");
        PeerStore p = s.peers(System::nanoTime);
        Endpoint bob = new Endpoint("b-1", "bob", "10.0.0.7", 4000, "SHA256:bob");
        p.register(bob);
        p.issue("the-secret-ticket", "alice", bob, 60_000_000_000L);
        List<String> keys = s.keysForTests("*");
        assertFalse(keys.isEmpty());
        RedisClient client = RedisClient.create(RedisURI.create(redis.url()));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            for (String k : c.sync().keys("*" + prefix + "*")) {
                assertTrue(k.startsWith("rudp:" + prefix + ":"), k);
                assertFalse(k.contains("the-secret-ticket") || k.contains("\n"), k);
                assertTrue(k.length() < 120, k);
                if (!k.equals("rudp:" + prefix + ":peers")) { // the user index: entries expire by score
                    long ttl = c.sync().pttl(k);
                    assertTrue(ttl > 0, k + " expires (pttl " + ttl + ")");
                }
                if (k.contains(":ticket:")) {
                    assertFalse(c.sync().hgetall(k).toString().contains("the-secret-ticket"));
                }
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aWrongPasswordOrNoServerIsOneClearLine() throws Exception {
        SharedStoreSettings good = redis.settings(prefix);
        SharedStoreException wrong = assertThrows(SharedStoreException.class, () -> RedisSharedState.connect(
                SharedStoreSettings.parse("redis://:not-the-password@" + good.host() + ":" + good.port(), null, prefix)));
        assertTrue(wrong.getMessage().contains("refused the password"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("not-the-password"), wrong.getMessage());
        SharedStoreException none = assertThrows(SharedStoreException.class, () -> RedisSharedState.connect(
                SharedStoreSettings.parse("redis://127.0.0.1:1", null, prefix)));
        assertTrue(none.getMessage().startsWith("cannot use the shared store redis://127.0.0.1:1: "), none.getMessage());
    }

    /**
     * Lettuce's handshake can report a refused password as a premature close (its own close overtakes
     * the answer), so a connection closed during the handshake is tried once more: here a relay in
     * front of Redis closes the first connection as soon as it is accepted and relays the next.
     */
    @Test
    void aConnectionClosedDuringTheHandshakeIsTriedOnceMore() throws Exception {
        SharedStoreSettings good = redis.settings(prefix);
        AtomicInteger accepted = new AtomicInteger();
        List<Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ServerSocket front = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread relay = new Thread(() -> {
                try {
                    front.accept().close();
                    accepted.incrementAndGet();
                    Socket client = front.accept();
                    accepted.incrementAndGet();
                    Socket server = new Socket(good.host(), good.port());
                    open.addAll(List.of(client, server));
                    pipe(client.getInputStream(), server.getOutputStream());
                    pipe(server.getInputStream(), client.getOutputStream());
                } catch (IOException e) {
                    // the test is over and closed the front socket
                }
            }, "handshake-closer");
            relay.setDaemon(true);
            relay.start();
            RedisSharedState s = RedisSharedState.connect(SharedStoreSettings.parse(
                    "redis://:" + good.password() + "@127.0.0.1:" + front.getLocalPort(), null, prefix));
            try {
                assertEquals(2, accepted.get(), "one connection closed, one relayed");
                assertTrue(s.keysForTests("*").isEmpty(), "the second connection answers");
            } finally {
                s.close();
                for (Socket k : open) {
                    k.close();
                }
            }
        }
    }

    private static void pipe(InputStream in, OutputStream out) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(out);
            } catch (IOException e) {
                // one side closed
            }
        }, "handshake-closer-pipe");
        t.setDaemon(true);
        t.start();
    }
}
