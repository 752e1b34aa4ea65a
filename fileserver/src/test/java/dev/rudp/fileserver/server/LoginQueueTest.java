package dev.rudp.fileserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hashing queue says how many logins are ahead and whether a login waits for a thread. */
@Timeout(30)
class LoginQueueTest {
    @Test
    void loginsBehindABusyThreadKnowTheirPlace() throws Exception {
        LoginQueue q = new LoginQueue(1, r -> {
            Thread t = new Thread(r, "login-queue-test");
            t.setDaemon(true);
            return t;
        });
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(3);
        LoginQueue.Ticket first = q.submit(() -> {
            running.countDown();
            await(release);
            done.countDown();
        });
        assertTrue(running.await(10, TimeUnit.SECONDS));
        LoginQueue.Ticket second = q.submit(done::countDown);
        LoginQueue.Ticket third = q.submit(done::countDown);
        assertTrue(first.started());
        assertFalse(first.waits(), "a running login does not wait");
        assertEquals(1, second.ahead());
        assertEquals(2, third.ahead());
        assertTrue(second.waits() && third.waits());
        release.countDown();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        q.shutdown();
        assertTrue(q.awaitTermination(10, TimeUnit.SECONDS)); // every login counted as finished
        assertEquals(0, third.ahead());
        assertFalse(third.waits());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
