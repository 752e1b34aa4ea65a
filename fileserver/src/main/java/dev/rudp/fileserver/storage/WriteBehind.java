package dev.rudp.fileserver.storage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Makes the disk write a file back while it is still being received, a step at a time, so that
 * the fsync that makes it durable at the end waits for the last step instead of the whole file.
 * Without it the page cache held a whole transfer's worth of dirty pages until that fsync, which
 * then cost about 0.9 s per GiB on this machine's disk, all of it after the last byte had arrived
 * and on the wall time of every put and get (sftp, which does not fsync, pays nothing).
 *
 * <p>Each step is an {@code fdatasync} on one shared background thread (the JDK has no
 * {@code sync_file_range}), at most one per file at a time; the thread that writes never waits for
 * it. Linux reports a write-back error to only one fsync of an open file, so an error seen here is
 * kept and {@link #finish} throws it: the final fsync alone might no longer see it.
 */
public final class WriteBehind {
    /** Bytes written between two background flushes: a final fsync has at most about two of these left. */
    static final long STEP = 16L << 20;

    private static final ExecutorService FLUSHER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "write-behind");
        t.setDaemon(true);
        return t;
    });

    private final FileChannel file;
    private final long step;
    /** The background flush started last (done or not); null before the first. The writer's thread only. */
    private Future<?> flushing;
    private volatile IOException failure;
    /** Written since the last flush was started; the writer's thread only. */
    private long pending;

    public WriteBehind(FileChannel file) {
        this(file, STEP);
    }

    WriteBehind(FileChannel file, long step) {
        this.file = file;
        this.step = step;
    }

    /** {@code bytes} more were just written; starts a background flush once a step has gathered and none runs. */
    public void written(long bytes) {
        pending += bytes;
        Future<?> last = flushing;
        if (pending >= step && (last == null || last.isDone())) {
            pending = 0;
            flushing = FLUSHER.submit(this::flush);
        }
    }

    private void flush() {
        try {
            if (file.isOpen()) {
                file.force(false);
            }
        } catch (ClosedChannelException e) {
            // closed by the transfer's end or abort while this step ran: whoever closed it decided
        } catch (IOException e) {
            failure = e;
        }
    }

    /**
     * Makes everything written so far durable ({@code fsync}, metadata included): throws what a
     * background step met, or what this fsync meets. Waits for a step still running first, since the
     * error it may meet would not be reported to this fsync. The writer's thread, after its last
     * {@link #written}.
     */
    public void finish() throws IOException {
        Future<?> last = flushing;
        if (last != null) {
            try {
                last.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the file was written back");
            } catch (ExecutionException e) {
                throw new IOException(e.getCause()); // flush() catches what it expects; anything else is a bug
            }
        }
        IOException seen = failure;
        if (seen != null) {
            throw seen;
        }
        file.force(true);
    }
}
