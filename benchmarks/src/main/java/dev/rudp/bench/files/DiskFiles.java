package dev.rudp.bench.files;

import dev.rudp.bench.e2e.Payload;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/** File helpers of the file rows: writing the source, checking what landed, flushing, cleaning up. */
public final class DiskFiles {
    private DiskFiles() {
    }

    /** Writes exactly {@code bytes} bytes of the payload stream to {@code file}. */
    public static void write(Payload payload, Path file, long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long written = 0;
            while (written < bytes) {
                ByteBuffer b = payload.slice(0, (int) Math.min(Payload.BLOCK, bytes - written)).nioBuffer();
                while (b.hasRemaining()) {
                    written += ch.write(b);
                }
            }
        }
    }

    /**
     * "ok" when {@code file} holds exactly the first {@code bytes} bytes of the payload stream,
     * else "corrupt"; done after the clock stopped, so it costs no row anything.
     */
    static String check(Payload payload, Path file, long bytes) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) != bytes) {
            return "corrupt";
        }
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        }
        return crc.getValue() == payload.expectedCrc(bytes) ? "ok" : "corrupt";
    }

    /** Size of {@code file}, 0 when absent. */
    public static long size(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Runs {@code sync} so that the dirty pages of one row (sftp does not fsync) are not written back
     * during the next; bounded to {@code timeoutMillis}.
     */
    public static void sync(long timeoutMillis) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("sync").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            // no sync(1): the rows are then a little less independent, nothing more
        }
    }

    /** Deletes {@code dir} and everything under it, best effort. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // temp files only; what is left is in java.io.tmpdir
        }
    }
}
