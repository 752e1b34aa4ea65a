package dev.rudp.fileserver.storage.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Frees a large file that an upload replaced, or that {@code rm} removed, on a background thread
 * instead of before the reply. The kernel frees a file's blocks and its cached pages when its last name and its last
 * open descriptor are gone: inside {@code rename(2)} or {@code unlink(2)} when nothing holds the file
 * open, which took 0.5 s for a 1 GiB file on this machine's ext4 (strace of a put over an existing
 * file: the rename alone), all of it on the command's wall time. Holding the file open across the
 * rename or unlink moves that work to the close, handed to one background thread right after the
 * rename or unlink, while the caller goes on to reply. The work is the same and the space comes back
 * moments later; what changes is who waits for it.
 */
final class ReplacedFiles {
    /** Below this a file is freed in the rename or unlink itself: too little work to hand over. */
    static final long WORTH = 1L << 20;

    /**
     * One daemon thread; when 64 closes are waiting (a burst of replacing puts), the caller closes
     * its own, so held descriptors stay bounded.
     */
    private static final ThreadPoolExecutor CLOSER = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(64), r -> {
                Thread t = new Thread(r, "file-release");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.CallerRunsPolicy());

    private ReplacedFiles() {
    }

    /**
     * Opens {@code file} for reading when it is a regular file of at least {@link #WORTH} bytes (a
     * link is not followed; a folder, a FIFO or a device is never opened); null otherwise, or when it
     * cannot be opened, in which case the rename or unlink simply frees it itself.
     */
    static FileChannel hold(Path file) {
        try {
            return hold(file, Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            return null;
        }
    }

    /** {@link #hold(Path)} with the attributes a folder walk already read (not following links). */
    static FileChannel hold(Path file, BasicFileAttributes a) {
        if (!a.isRegularFile() || a.size() < WORTH) {
            return null;
        }
        try {
            return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    /** Closes {@code held} (from {@link #hold}; null is ignored) on the background thread. */
    static void release(FileChannel held) {
        if (held != null) {
            CLOSER.execute(() -> close(held));
        }
    }

    /** Returns once every close handed over before this call has run. For tests. */
    static void awaitReleased() throws InterruptedException {
        try {
            CLOSER.submit(() -> { }).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // a read-only descriptor of a file already gone: nothing is lost
        }
    }
}
