package dev.rudp.fileserver.server;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: a session's blocking work is
 * serialised without holding a thread while idle.
 */
public final class SerialExecutor implements Executor {
    private final Executor pool;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    public SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        pool.execute(this::drain);
    }

    /** Whether a task runs or waits. */
    public synchronized boolean busy() {
        return running || !tasks.isEmpty();
    }

    private void drain() {
        for (int i = 0; i < 64; i++) {
            Runnable next;
            synchronized (this) {
                next = tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                System.getLogger("fileserver").log(System.Logger.Level.ERROR, "task failed: " + e);
            }
        }
        pool.execute(this::drain);
    }
}
