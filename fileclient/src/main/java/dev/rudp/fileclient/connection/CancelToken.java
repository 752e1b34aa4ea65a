package dev.rudp.fileclient.connection;

/** A flag a Ctrl-C handler sets to cancel the running transfer; checked by the transfer loops. */
public final class CancelToken {
    private volatile boolean cancelled;
    private final Object lock = new Object();

    /** Requests cancellation and wakes any waiting transfer. */
    public void cancel() {
        cancelled = true;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Clears the flag before a new command. */
    public void reset() {
        cancelled = false;
    }

    /** Waits until notified, cancelled or {@code millis} pass (for writability waits). */
    void await(long millis) throws InterruptedException {
        synchronized (lock) {
            if (!cancelled) {
                lock.wait(millis);
            }
        }
    }

    /** Wakes waiters without cancelling (writability came back). */
    void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }
}
