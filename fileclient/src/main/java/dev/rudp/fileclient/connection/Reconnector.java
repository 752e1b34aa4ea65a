package dev.rudp.fileclient.connection;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Brings a session back after its server went away: connects again to the same host and port (behind
 * a balancer that is another server), checks the server's identity against the same pin as the first
 * connect (servers on one bucket share one identity; a different key is refused with the pinning
 * error, never trusted silently) and logs in again with the credentials this session holds in memory.
 * The caller counts the attempts; each one first waits its backoff (0.5, 1, 2 s, ... plus up to a
 * quarter of that as jitter, so the clients of a dead server do not all come back at the same instant).
 */
public final class Reconnector {
    /** Attempts per interrupted command when {@code --reconnect} is not given. */
    public static final int DEFAULT_ATTEMPTS = 3;
    /**
     * The transport's idle timeout while reconnecting is on: a server that sends nothing (not even a
     * keepalive, which goes out at half of it) for this long is taken for dead.
     */
    public static final long IDLE_TIMEOUT_MILLIS = 6_000;

    /** Opens a new connection (DTLS handshake and identity check included). */
    @FunctionalInterface
    public interface Connect {
        FileConnection open() throws ClientException;
    }

    /** Logs in on a new connection. */
    @FunctionalInterface
    public interface Login {
        void login(FileConnection conn) throws ClientException;
    }

    private final String host;
    private final int port;
    private final int attempts;
    private final Connect connect;
    private final Login login;

    /** Reconnects to {@code host:port} (as given on the command line) at most {@code attempts} times per command. */
    public Reconnector(String host, int port, int attempts, Connect connect, Login login) {
        this.host = host;
        this.port = port;
        this.attempts = attempts;
        this.connect = connect;
        this.login = login;
    }

    /** How many attempts a command gets. */
    public int attempts() {
        return attempts;
    }

    /** {@code HOST:PORT} as the user gave it. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The wait before attempt {@code attempt} (1-based), {@code random01} in [0, 1) giving the jitter. */
    public static long backoffMillis(int attempt, double random01) {
        long base = 500L << Math.max(0, Math.min(attempt - 1, 5));
        return base + (long) (base * 0.25 * random01);
    }

    /**
     * Attempt number {@code attempt} (1-based): waits its backoff (returning early with
     * {@link ExitCode#INTERRUPTED} when {@code cancel} is set), connects and logs in.
     */
    public FileConnection attempt(int attempt, CancelToken cancel) throws ClientException {
        long until = System.nanoTime() + backoffMillis(attempt, ThreadLocalRandom.current().nextDouble()) * 1_000_000L;
        try {
            // a backoff, not a synchronization: wake every 50 ms to notice Ctrl-C
            for (long left; (left = until - System.nanoTime()) > 0; ) {
                if (cancel != null && cancel.isCancelled()) {
                    throw new ClientException(ExitCode.INTERRUPTED, "interrupted while reconnecting");
                }
                Thread.sleep(Math.min(50, Math.max(1, left / 1_000_000L)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException(ExitCode.INTERRUPTED, "interrupted while reconnecting");
        }
        FileConnection c = connect.open();
        try {
            login.login(c);
        } catch (ClientException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }
}
