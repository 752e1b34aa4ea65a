package dev.rudp.fileclient.connection;

/** A flag a Ctrl-C handler sets to cancel the running transfer; checked by the transfer loops. */
public final class CancelToken {
    private volatile boolean cancelled;

    /** Requests cancellation; running transfers and waits notice within 100 ms. */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Clears the flag before a new command. */
    public void reset() {
        cancelled = false;
    }
}
