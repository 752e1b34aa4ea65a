package dev.rudp.fileserver.server;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The password-hashing executor (scrypt, about one CPU-second a login) as a first-in-first-out queue
 * that can say how far back a login waits, so that a session can tell its client it is queued
 * (a burst of users slows down instead of running into the client's reply timeout). Thread-safe.
 */
final class LoginQueue {
    /** One submitted login: its place in the queue. */
    final class Ticket {
        private final long seq;
        private volatile boolean started;

        private Ticket(long seq) {
            this.seq = seq;
        }

        /** Whether a hashing thread took it up. */
        boolean started() {
            return started;
        }

        /**
         * Logins submitted before this one that have not finished (running or waiting): the executor
         * starts them in order, so none submitted after it can finish before it starts.
         */
        long ahead() {
            return Math.max(0, seq - finished.get());
        }

        /** Whether it waits for a free thread rather than running at once. */
        boolean waits() {
            return !started && ahead() >= threads;
        }
    }

    private final int threads;
    private final ExecutorService pool;
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();

    LoginQueue(int threads, ThreadFactory factory) {
        if (threads < 1) {
            throw new IllegalArgumentException("login threads: " + threads);
        }
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, factory);
    }

    /** Queues {@code login}; the ticket says where it stands. */
    Ticket submit(Runnable login) {
        // Numbered under the executor's own order: submit is synchronized so that numbers and queue agree.
        synchronized (this) {
            Ticket t = new Ticket(submitted.getAndIncrement());
            pool.execute(() -> {
                t.started = true;
                try {
                    login.run();
                } finally {
                    finished.incrementAndGet();
                }
            });
            return t;
        }
    }

    void shutdown() {
        pool.shutdown();
    }

    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
    }
}
