package dev.rudp.fileserver.server;

import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Read backpressure for a connection receiving uploads: when more than 16 MiB of received chunks
 * wait for the disk, stop reading (the sender then runs into rudp's flow control); resume below
 * 4 MiB. Used by the server's sessions and by a client's peer inbox. It turns auto-read back on
 * only when it turned it off itself: a {@link RateLimits} shaper holding reads back uses the same
 * switch, and a chunk reaching the disk must not end the shaper's pause.
 */
public final class ReadThrottle {
    private static final long PAUSE_READ_BYTES = 16L << 20;
    private static final long RESUME_READ_BYTES = 4L << 20;

    private final AtomicLong pending = new AtomicLong();
    /** Whether this throttle turned auto-read off (and so owes turning it on again). */
    private final java.util.concurrent.atomic.AtomicBoolean paused = new java.util.concurrent.atomic.AtomicBoolean();

    /** Bytes accepted but not yet written; {@link Upload} counts them. */
    public AtomicLong pending() {
        return pending;
    }

    /** After a chunk was handed to an upload, on the event loop. */
    public void afterAccept(Channel channel) {
        if (pending.get() > PAUSE_READ_BYTES) {
            paused.set(true);
            channel.config().setAutoRead(false);
        }
    }

    /** After a chunk reached the disk, on the writer thread. */
    public void afterWrite(Channel channel) {
        if (pending.get() < RESUME_READ_BYTES && paused.compareAndSet(true, false)) {
            channel.eventLoop().execute(() -> channel.config().setAutoRead(true));
        }
    }
}
