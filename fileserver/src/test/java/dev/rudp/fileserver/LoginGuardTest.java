package dev.rudp.fileserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rudp.fileserver.auth.LoginGuard;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginGuardTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1000 * SECOND);
    private final LoginGuard guard = new LoginGuard(5, 10 * SECOND, 30, now::get);

    private long failUntilLocked(String user, String addr) {
        long lock = 0;
        for (int i = 0; i < 5; i++) {
            assertInstanceOf(LoginGuard.Allowed.class, guard.check(user, addr));
            lock = guard.failure(user, addr);
            if (i < 4) {
                assertEquals(0, lock, "no lock before the fifth failure");
            }
        }
        return lock;
    }

    @Test
    void fifthFailureLocksThePairForTheLockTimeThenItExpires() {
        assertEquals(10 * SECOND, failUntilLocked("alice", "10.0.0.1"));
        LoginGuard.Locked l = assertInstanceOf(LoginGuard.Locked.class, guard.check("alice", "10.0.0.1"));
        assertEquals(10 * SECOND, l.remainingNanos());
        assertInstanceOf(LoginGuard.Allowed.class, guard.check("alice", "10.0.0.2"), "other addresses unaffected");
        now.addAndGet(4 * SECOND);
        l = assertInstanceOf(LoginGuard.Locked.class, guard.check("alice", "10.0.0.1"));
        assertEquals(6 * SECOND, l.remainingNanos());
        now.addAndGet(6 * SECOND);
        assertInstanceOf(LoginGuard.Allowed.class, guard.check("alice", "10.0.0.1"));
    }

    @Test
    void successResetsTheCount() {
        for (int i = 0; i < 4; i++) {
            guard.check("bob", "a");
            guard.failure("bob", "a");
        }
        guard.success("bob", "a");
        for (int i = 0; i < 4; i++) {
            guard.check("bob", "a");
            assertEquals(0, guard.failure("bob", "a"));
        }
    }

    @Test
    void perAccountRateLimitSlowsGuessesFromManyAddresses() {
        for (int i = 0; i < 30; i++) {
            assertInstanceOf(LoginGuard.Allowed.class, guard.check("carol", "10.0.0." + i));
        }
        LoginGuard.Limited l = assertInstanceOf(LoginGuard.Limited.class, guard.check("carol", "10.0.1.1"));
        assertTrue(l.retryNanos() > 0 && l.retryNanos() <= 60 * SECOND);
        now.addAndGet(60 * SECOND);
        assertInstanceOf(LoginGuard.Allowed.class, guard.check("carol", "10.0.1.1"));
    }

    @Test
    void successfulLoginsDoNotUseUpTheAccountsMinute() {
        for (int i = 0; i < 100; i++) {
            assertInstanceOf(LoginGuard.Allowed.class, guard.check("dave", "10.0.0.1"), "login " + i);
            guard.success("dave", "10.0.0.1");
        }
        for (int i = 0; i < 30; i++) {
            assertInstanceOf(LoginGuard.Allowed.class, guard.check("dave", "10.0.0." + i));
            guard.failure("dave", "10.0.0." + i);
        }
        assertInstanceOf(LoginGuard.Limited.class, guard.check("dave", "10.0.1.1"), "failed guesses still count");
    }
}
