package dev.rudp.fileserver.shared;

import dev.rudp.fileserver.auth.LoginGuard;
import java.util.function.LongSupplier;

/**
 * What a server keeps about logins and peers, either in its own memory (one server: {@link #inMemory},
 * exactly as before) or in a Redis that several servers share ({@link #open}), so that failures spread
 * over servers lock an account on all of them, {@code peers} lists users on every server and a ticket
 * is redeemed once across all. Close it when the server stops.
 */
public interface SharedState extends AutoCloseable {
    /** Lockout and rate window with these settings; {@code clock} drives the in-memory part. */
    LoginLimits logins(int maxFailures, long lockNanos, int perAccountPerMinute, LongSupplier clock);

    /** P2P presence and tickets; {@code clock} drives the in-memory part. */
    PeerStore peers(LongSupplier clock);

    /** What this is, for the log (never a password): {@code memory} or {@code redis://HOST:PORT}. */
    String describe();

    @Override
    void close();

    /** State in this server's memory: nothing shared, nothing to connect to. */
    static SharedState inMemory() {
        return new SharedState() {
            @Override
            public LoginLimits logins(int maxFailures, long lockNanos, int perAccountPerMinute, LongSupplier clock) {
                return LoginLimits.local(new LoginGuard(maxFailures, lockNanos, perAccountPerMinute, clock));
            }

            @Override
            public PeerStore peers(LongSupplier clock) {
                return new LocalPeerStore(clock);
            }

            @Override
            public String describe() {
                return "memory";
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * Connects to the Redis of {@code settings} (Lettuce, with its own event loops) and checks it
     * answers; afterwards an outage is survived (see {@link RedisSharedState}).
     *
     * @throws SharedStoreException when it cannot be reached or refuses the password
     */
    static SharedState open(SharedStoreSettings settings) throws SharedStoreException {
        return RedisSharedState.connect(settings);
    }
}
