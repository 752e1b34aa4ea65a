package dev.rudp.bench.files;

import dev.rudp.bench.e2e.Meter;
import dev.rudp.bench.e2e.Payload;
import dev.rudp.bench.e2e.TcpTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The plain TCP file copy the file service is held against: no encryption, no checksum, no protocol.
 * The sender sends the file with {@code FileChannel.transferTo} (sendfile), the receiver writes what
 * arrives to a new file and calls {@code FileChannel.force(true)} (fsync, as the file server does
 * before it renames an upload); the transfer counts as done when force returned. Put and get are the
 * same thing here, hence one row.
 */
final class TcpFsyncCopy {
    static final String NAME = "tcp+fsync";

    private TcpFsyncCopy() {
    }

    static FileRow copy(Payload payload, Path source, Path target, long bytes, long timeoutMillis)
            throws IOException, InterruptedException {
        AtomicLong received = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        SocketChannel[] accepted = new SocketChannel[1];
        double seconds;
        double cpu;
        boolean complete;
        try (Meter meter = new Meter(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread reader = new Thread(() -> {
                try (SocketChannel in = listener.accept();
                        FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                                StandardOpenOption.TRUNCATE_EXISTING)) {
                    synchronized (accepted) {
                        accepted[0] = in;
                    }
                    TcpTransport.readUpTo(in, bytes, received, chunk -> {
                        while (chunk.hasRemaining()) {
                            out.write(chunk);
                        }
                    });
                    out.force(true);
                    if (received.get() >= bytes) {
                        meter.stop();
                    }
                    done.complete(null);
                } catch (IOException e) {
                    done.completeExceptionally(e);
                }
            }, "tcp-fsync-reader");
            reader.setDaemon(true);
            reader.start();
            meter.start();
            TcpTransport.Sender writer = TcpTransport.sendfile("tcp-fsync-writer", listener.getLocalAddress(), source,
                    bytes, done);
            try {
                done.get(timeoutMillis, TimeUnit.MILLISECONDS);
                complete = received.get() >= bytes;
            } catch (TimeoutException e) {
                complete = false;
            } catch (ExecutionException e) {
                meter.stop();
                return FileRow.failed(NAME, bytes, e.getCause(), meter.seconds(), meter.cpuSeconds());
            } finally {
                meter.stop();
                writer.socket().close();
                synchronized (accepted) {
                    if (accepted[0] != null) {
                        accepted[0].close();
                    }
                }
                writer.thread().join(5000);
                reader.join(5000);
            }
            seconds = meter.seconds();
            cpu = meter.cpuSeconds();
        }
        if (!complete) {
            return new FileRow(NAME, bytes, Math.min(received.get(), bytes), "timeout", seconds, cpu);
        }
        return new FileRow(NAME, bytes, bytes, DiskFiles.check(payload, target, bytes), seconds, cpu);
    }
}
