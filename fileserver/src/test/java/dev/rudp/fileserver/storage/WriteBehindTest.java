package dev.rudp.fileserver.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Background write-back: one step at a time, never on the writer's thread, and no error lost. */
@Timeout(60)
class WriteBehindTest {
    private static final long STEP = 4096;
    @TempDir
    Path dir;

    @Test
    void aStepStartsOneBackgroundFlushAtATimeAndFinishWaitsForIt() throws Exception {
        try (Recording ch = new Recording(open("a"))) {
            CountDownLatch release = new CountDownLatch(1);
            ch.blockDataSyncs(release);
            WriteBehind w = new WriteBehind(ch, STEP);
            w.written(STEP - 1);
            assertEquals(List.of(), ch.forces(), "less than a step: nothing started");
            w.written(1);
            assertTrue(ch.entered.await(10, TimeUnit.SECONDS), "a step started a flush");
            // the flush is held: more steps neither wait for it nor start a second one
            w.written(5 * STEP);
            assertEquals(List.of(false), ch.forces());
            CompletableFuture<Void> finished = finishMeanwhile(w, ch);
            release.countDown();
            finished.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(false, true), ch.forces());
        }
    }

    @Test
    void anErrorOfABackgroundStepIsThrownByFinishEvenWhenTheFinalFsyncSucceeds() throws Exception {
        try (Recording ch = new Recording(open("b"))) {
            IOException eio = new IOException("Input/output error");
            CountDownLatch release = new CountDownLatch(1);
            ch.blockDataSyncs(release);
            ch.failDataSyncWith(eio);
            WriteBehind w = new WriteBehind(ch, STEP);
            w.written(STEP);
            assertTrue(ch.entered.await(10, TimeUnit.SECONDS), "a step started a flush");
            CompletableFuture<Void> finished = finishMeanwhile(w, ch);
            release.countDown();
            java.util.concurrent.ExecutionException thrown = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> finished.get(10, TimeUnit.SECONDS));
            assertSame(eio, thrown.getCause().getCause(),
                    "Linux reports a write-back error to one fsync only: the step's must not be lost");
        }
    }

    /**
     * Starts {@link WriteBehind#finish} while a step is held, and gives it half a second to reach
     * its own fsync, which it must not do before the step ends.
     */
    private static CompletableFuture<Void> finishMeanwhile(WriteBehind w, Recording ch) throws InterruptedException {
        CompletableFuture<Void> finished = CompletableFuture.runAsync(() -> {
            try {
                w.finish();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertFalse(ch.fullSync.await(500, TimeUnit.MILLISECONDS), "finish's fsync ran while the step was still running");
        return finished;
    }

    @Test
    void theBytesWrittenAreTheFileAfterFinish() throws Exception {
        Path p = dir.resolve("c");
        byte[] content = new byte[(int) (10 * STEP + 123)];
        new java.util.Random(7).nextBytes(content);
        try (FileChannel ch = open("c")) {
            WriteBehind w = new WriteBehind(ch, STEP);
            for (int pos = 0; pos < content.length; pos += 1000) {
                int n = Math.min(1000, content.length - pos);
                ch.write(ByteBuffer.wrap(content, pos, n), pos);
                w.written(n);
            }
            w.finish();
        }
        assertArrayEquals(content, Files.readAllBytes(p));
    }

    private FileChannel open(String name) throws IOException {
        return FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
    }

    /** A real file channel that records its fsyncs and can hold or fail the data-only ones. */
    private static final class Recording extends FileChannel {
        private final FileChannel real;
        private final List<Boolean> forces = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch entered = new CountDownLatch(1);
        private volatile CountDownLatch hold;
        private volatile IOException fail;
        final CountDownLatch fullSync = new CountDownLatch(1);

        Recording(FileChannel real) {
            this.real = real;
        }

        void blockDataSyncs(CountDownLatch release) {
            hold = release;
        }

        void failDataSyncWith(IOException e) {
            fail = e;
        }

        List<Boolean> forces() {
            synchronized (forces) {
                return List.copyOf(forces);
            }
        }

        @Override
        public void force(boolean metaData) throws IOException {
            forces.add(metaData);
            if (metaData) {
                fullSync.countDown();
            } else {
                entered.countDown();
                CountDownLatch h = hold;
                if (h != null) {
                    try {
                        h.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (fail != null) {
                    throw fail;
                }
            }
            real.force(metaData);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return real.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return real.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return real.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return real.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return real.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            CountDownLatch h = hold;
            if (h != null) {
                h.countDown(); // a failed test must not leave the shared write-behind thread held
            }
            real.close();
        }
    }
}
