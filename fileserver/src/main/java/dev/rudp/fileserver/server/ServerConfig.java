package dev.rudp.fileserver.server;

import dev.rudp.fileserver.auth.PasswordHasher;
import dev.rudp.fileserver.shared.SharedStoreSettings;
import dev.rudp.fileserver.storage.StoreBackend;
import dev.rudp.fileserver.storage.local.LocalBackend;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Settings of a {@link FileServer}, with defaults; fluent setters. The data folder holds
 * {@code accounts}, {@code authorized_keys} and the DTLS identity, and, with the default backend
 * ({@link LocalBackend}), {@code home/<user>/} (each account's root) and {@code partial/<user>/}
 * (interrupted uploads).
 */
public final class ServerConfig {
    Path dataDir;
    InetSocketAddress bind = new InetSocketAddress(7777);
    int maxSessions = 100;
    long maxFileSize = 64L << 30;
    long quota = -1;
    int maxFailures = 5;
    long lockNanos = 10_000_000_000L;
    int perAccountPerMinute = 30;
    LongSupplier clock = System::nanoTime;
    PasswordHasher hasher = PasswordHasher.DEFAULT;
    int ioThreads = 8;
    int loops = 1;
    long idleTimeoutMillis = 30_000;
    long loginTimeoutMillis = 30_000;
    long sessionIdleMillis = 60 * 60_000L;
    int loginThreads = 2;
    long drainSeconds = 10;
    boolean plaintext;
    SharedStoreSettings shared;
    private StoreBackend backend;
    java.time.Duration uploadExpiry = java.time.Duration.ofDays(7);
    long userRate;
    long totalRate;

    /** Defaults over data folder {@code dataDir}: port 7777, 100 sessions, 64 GiB files, no quota. */
    public ServerConfig(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Address and port to listen on; default all addresses, port 7777 (port 0: any free port). */
    public ServerConfig bind(InetSocketAddress bind) {
        this.bind = bind;
        return this;
    }

    /** Most sessions at once; default 100. */
    public ServerConfig maxSessions(int n) {
        this.maxSessions = n;
        return this;
    }

    /** Largest file accepted by put; default 64 GiB. */
    public ServerConfig maxFileSize(long bytes) {
        this.maxFileSize = bytes;
        return this;
    }

    /** Bytes each account may store; default -1 (no quota). */
    public ServerConfig quota(long bytes) {
        this.quota = bytes;
        return this;
    }

    /** Consecutive failures per (account, address) before a lock; default 5. */
    public ServerConfig maxFailures(int n) {
        this.maxFailures = n;
        return this;
    }

    /** How long a lock lasts; default 10 s. */
    public ServerConfig lockMillis(long millis) {
        this.lockNanos = millis * 1_000_000L;
        return this;
    }

    /** Login attempts per account per minute from all addresses; default 30. */
    public ServerConfig perAccountPerMinute(int n) {
        this.perAccountPerMinute = n;
        return this;
    }

    /** The clock (nanoseconds) of the lockout logic; default {@code System::nanoTime}. */
    public ServerConfig clock(LongSupplier clock) {
        this.clock = clock;
        return this;
    }

    /** The hasher used for dummy verifications of unknown users (match the accounts' cost). */
    public ServerConfig hasher(PasswordHasher hasher) {
        this.hasher = hasher;
        return this;
    }

    /**
     * Event loops serving the address, each on its own SO_REUSEPORT socket (epoll only; NIO serves with
     * one and logs why); default 1. More pays when one loop's core is saturated by several transfers.
     */
    public ServerConfig loops(int n) {
        if (n < 1 || n > 256) {
            throw new IllegalArgumentException("loops must be within [1, 256]: " + n);
        }
        this.loops = n;
        return this;
    }

    /** Threads for blocking file I/O; default 8. */
    public ServerConfig ioThreads(int n) {
        this.ioThreads = n;
        return this;
    }

    /** A silent connection is closed after this long; default 30 s. */
    public ServerConfig idleTimeoutMillis(long millis) {
        this.idleTimeoutMillis = millis;
        return this;
    }

    /**
     * How long a graceful stop lets running transfers finish after telling every client to move
     * (idle sessions close at once; 0: stop at once, as before); default 10 s.
     */
    public ServerConfig drainSeconds(long seconds) {
        this.drainSeconds = Math.max(0, seconds);
        return this;
    }

    /** See {@link #drainSeconds(long)}. */
    public long drainSeconds() {
        return drainSeconds;
    }

    /**
     * A logged-in session with no request, no transfer and no byte either way for this long is closed,
     * after a notice telling the client to reconnect (its next command does); 0 never closes one;
     * default 60 minutes. The transport's idle timeout ({@link #idleTimeoutMillis}) ends dead clients;
     * this ends abandoned ones, which a keepalive would otherwise hold open, each taking one of
     * {@link #maxSessions(int)}. A user waiting in an idle shell for peer offers drops out of
     * {@code peers} when it closes.
     */
    public ServerConfig sessionIdleMillis(long millis) {
        this.sessionIdleMillis = Math.max(0, millis);
        return this;
    }

    /**
     * A connection that has not logged in after this long is closed; default 30 s. A password login
     * the server itself still has queued or is checking then is not cut off: the connection closes
     * only if that login fails.
     */
    public ServerConfig loginTimeoutMillis(long millis) {
        this.loginTimeoutMillis = millis;
        return this;
    }

    /**
     * Threads checking passwords (scrypt, about one CPU-second each at the default cost); default 2.
     * Logins beyond them queue, and a client that understands it is told so ({@code Status.QUEUED}).
     */
    public ServerConfig loginThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("loginThreads: " + n);
        }
        this.loginThreads = n;
        return this;
    }

    /**
     * Bytes per second each account may move each way, all its sessions together; default 0 (no
     * limit). See {@link RateLimits}.
     */
    public ServerConfig userRate(long bytesPerSecond) {
        this.userRate = bytesPerSecond;
        return this;
    }

    /** Bytes per second the whole server may move each way; default 0 (no limit). See {@link RateLimits}. */
    public ServerConfig totalRate(long bytesPerSecond) {
        this.totalRate = bytesPerSecond;
        return this;
    }

    /**
     * Turns DTLS off: packets, file contents and passwords travel in the clear. Default false (DTLS 1.2
     * with the identity in the data folder, see {@link ServerIdentity}).
     */
    public ServerConfig plaintext(boolean plaintext) {
        this.plaintext = plaintext;
        return this;
    }

    /**
     * Keeps lockout, the rate window, P2P presence and tickets in this Redis, shared with every server
     * given the same; default null (this server's memory only).
     */
    public ServerConfig shared(SharedStoreSettings settings) {
        this.shared = settings;
        return this;
    }

    /** Whether DTLS is off. */
    public boolean plaintext() {
        return plaintext;
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * Where the users' files live; default a {@link LocalBackend} over the data folder. The server
     * does not close it: whoever made it does, after the server stopped.
     */
    public synchronized ServerConfig backend(StoreBackend backend) {
        this.backend = backend;
        return this;
    }

    /**
     * Interrupted uploads nobody resumed for this long are removed (partial files, or an object
     * store's multipart uploads and their state, whichever server left them); checked at start and
     * then hourly. Default 7 days.
     */
    public ServerConfig uploadExpiry(java.time.Duration age) {
        this.uploadExpiry = age;
        return this;
    }

    /** The backend: the one set, else the data folder's. */
    public synchronized StoreBackend backend() {
        if (backend == null) {
            backend = new LocalBackend(dataDir);
        }
        return backend;
    }
}
