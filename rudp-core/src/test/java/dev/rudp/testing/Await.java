package dev.rudp.testing;

import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for state that changes without an event to wait on (time accounts, kernel counters): the
 * check runs on the event loop that owns the state, every {@link #PERIOD_MILLIS} ms, and completes a
 * future the test thread waits on, so the test neither sleeps nor reads the state from a foreign thread.
 */
public final class Await {
    /** Period of the check. */
    public static final long PERIOD_MILLIS = 10;

    private Await() {
    }

    /**
     * Returns the first value of {@code value} that satisfies {@code done}, read on {@code loop};
     * fails with the last value read after {@code timeoutSeconds}.
     */
    public static <T> T onLoop(EventLoop loop, Supplier<T> value, Predicate<T> done, long timeoutSeconds, String what)
            throws InterruptedException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Object[] last = new Object[1];
        ScheduledFuture<?> check = loop.scheduleAtFixedRate(() -> {
            T v = value.get();
            last[0] = v;
            if (done.test(v)) {
                result.complete(v);
            }
        }, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        try {
            return result.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("not within " + timeoutSeconds + " s: " + what + "; last: " + last[0]);
        } catch (ExecutionException e) {
            throw new AssertionError(what + ": " + e.getCause(), e.getCause());
        } finally {
            check.cancel(false);
        }
    }
}
