package dev.rudp.fileserver.shared;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Whether the shared store answered last time, so that an outage is logged once when it begins
 * and once when it ends, not once per login. Thread-safe.
 */
final class StoreHealth {
    /** UP: the last command worked; DOWN: it failed and the server works on its own. */
    enum State { UP, DOWN }

    private static final Logger LOG = System.getLogger("dev.rudp.fileserver");

    private final String store;
    private State state = State.UP;

    StoreHealth(String store) {
        this.store = store;
    }

    private void transitionTo(State next) {
        if (next == state) {
            throw new IllegalStateException("store health " + state + " -> " + next);
        }
        state = next;
    }

    /** A command worked. */
    synchronized void ok() {
        if (state == State.DOWN) {
            transitionTo(State.UP);
            LOG.log(Level.WARNING, "shared-store-back " + store + ": lockout, rate limits, peers and tickets are"
                    + " shared again");
        }
    }

    /** A command failed with {@code e}. */
    synchronized void failed(RuntimeException e) {
        if (state == State.UP) {
            transitionTo(State.DOWN);
            LOG.log(Level.ERROR, "shared-store-down " + store + " (" + reason(e) + "): logins fall back to this"
                    + " server's own lockout and P2P introductions fail until it returns");
        }
    }

    /** The innermost message of {@code e}, one line. */
    static String reason(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        return m.replaceAll("[\\r\\n]+", " ").strip();
    }
}
