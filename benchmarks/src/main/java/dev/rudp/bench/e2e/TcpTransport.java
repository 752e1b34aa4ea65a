package dev.rudp.bench.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.net.SocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Plain TCP with blocking Java NIO, the kernel's best case: the sender calls {@code FileChannel.transferTo}
 * (sendfile) on a temp file holding the same bytes, the receiver reads into a 1 MiB direct buffer and
 * checksums it. Runs on loopback only: there is no simulator for a TCP byte stream here, so impaired
 * profiles show "n/a".
 */
public final class TcpTransport implements Transport {
    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public boolean supports(Profile profile) {
        return !profile.simulated();
    }

    @Override
    public Result transfer(Job job, Meter meter) throws Exception {
        long bytes = job.bytes();
        Path file = job.payload().file(bytes);
        AtomicLong received = new AtomicLong();
        CRC32C crc = new CRC32C();
        CompletableFuture<Void> done = new CompletableFuture<>();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel[] accepted = new SocketChannel[1];
            Thread reader = new Thread(() -> {
                try (SocketChannel in = listener.accept()) {
                    synchronized (accepted) {
                        accepted[0] = in;
                    }
                    readUpTo(in, bytes, received, crc::update);
                    if (received.get() >= bytes) {
                        meter.stop();
                    }
                    done.complete(null);
                } catch (IOException e) {
                    done.completeExceptionally(e);
                }
            }, "tcp-reader");
            reader.setDaemon(true);
            reader.start();
            meter.start();
            Sender writer = sendfile("tcp-writer", listener.getLocalAddress(), file, bytes, done);
            boolean complete;
            try {
                done.get(job.timeoutMillis(), TimeUnit.MILLISECONDS);
                complete = received.get() >= bytes;
            } catch (TimeoutException e) {
                complete = false;
            }
            writer.socket().close();
            synchronized (accepted) {
                if (accepted[0] != null) {
                    accepted[0].close();
                }
            }
            writer.thread().join(5000);
            reader.join(5000);
            return new Result(received.get(), complete, crc.getValue(), -1);
        }
    }

    /**
     * Starts a daemon thread that connects to {@code to} and sends the first {@code bytes} of
     * {@code file} with {@code transferTo} (sendfile); a failure completes {@code failure}.
     */
    public static Sender sendfile(String name, SocketAddress to, Path file, long bytes, CompletableFuture<?> failure)
            throws IOException {
        SocketChannel out = SocketChannel.open();
        Thread writer = new Thread(() -> {
            try (out; FileChannel source = FileChannel.open(file, StandardOpenOption.READ)) {
                out.connect(to);
                long sent = 0;
                while (sent < bytes) {
                    sent += source.transferTo(sent, bytes - sent, out);
                }
            } catch (IOException e) {
                failure.completeExceptionally(e);
            }
        }, name);
        writer.setDaemon(true);
        writer.start();
        return new Sender(writer, out);
    }

    /** Takes each chunk a {@link #readUpTo} reads; the buffer is flipped and is consumed by the call. */
    public interface Chunks {
        void accept(ByteBuffer chunk) throws IOException;
    }

    /**
     * Reads {@code in} through a 1 MiB direct buffer until {@code bytes} arrived or the stream ended,
     * handing each chunk to {@code chunks} and counting it in {@code received} (read by the waiting thread).
     */
    public static void readUpTo(SocketChannel in, long bytes, AtomicLong received, Chunks chunks) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        while (received.get() < bytes) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            buf.flip();
            chunks.accept(buf);
            buf.clear();
            received.addAndGet(n);
        }
    }

    /** A running {@link #sendfile} sender: closing its socket ends it. */
    public record Sender(Thread thread, SocketChannel socket) {
    }
}
