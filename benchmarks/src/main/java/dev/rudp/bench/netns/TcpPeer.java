package dev.rudp.bench.netns;

import dev.rudp.bench.e2e.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32C;

/**
 * Kernel TCP ends of a namespace transfer, as the e2e runner's TCP transport: blocking NIO, the sender
 * calls {@code FileChannel.transferTo} (sendfile) on a temp file holding the payload, the receiver reads
 * into a 1 MiB direct buffer and checksums it. The congestion control is the namespace's
 * {@code net.ipv4.tcp_congestion_control}, set by the runner.
 */
final class TcpPeer {
    private TcpPeer() {
    }

    static Peer.Receiving receive(Peer.Settings s, Payload payload, String bindHost) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.bind(new InetSocketAddress(bindHost, 0));
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        return new Peer.Receiving() {
            private final CRC32C crc = new CRC32C();
            private volatile long received;
            private volatile long startNanos;
            private volatile SocketChannel in;

            @Override
            public int port() {
                return ((InetSocketAddress) listener.socket().getLocalSocketAddress()).getPort();
            }

            @Override
            public String fingerprint() {
                return "-";
            }

            @Override
            public Peer.Outcome await(long acceptMillis) throws Exception {
                CompletableFuture<Long> accepted = new CompletableFuture<>();
                CompletableFuture<Long> done = new CompletableFuture<>();
                Thread reader = new Thread(() -> {
                    try (SocketChannel ch = listener.accept()) {
                        startNanos = System.nanoTime();
                        in = ch;
                        accepted.complete(startNanos);
                        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                        long n = 0;
                        while (n < s.bytes()) {
                            int r = ch.read(buf);
                            if (r < 0) {
                                break;
                            }
                            buf.flip();
                            synchronized (crc) {
                                crc.update(buf);
                                n += r;
                                received = n;
                            }
                            buf.clear();
                        }
                        done.complete(System.nanoTime());
                    } catch (IOException e) {
                        accepted.completeExceptionally(e);
                        done.completeExceptionally(e);
                    }
                }, "tcp-receiver");
                reader.setDaemon(true);
                reader.start();
                long start = accepted.get(acceptMillis, TimeUnit.MILLISECONDS);
                long deadline = start + TimeUnit.MILLISECONDS.toNanos(s.timeoutMillis());
                try {
                    long end = done.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    long got = received;
                    return new Peer.Outcome(got, got >= s.bytes(), crc.getValue() == payload.expectedCrc(got),
                            (end - start) / 1e9);
                } catch (TimeoutException e) {
                    long got;
                    long value;
                    synchronized (crc) {
                        got = received;
                        value = crc.getValue();
                    }
                    in.close();
                    reader.join(5000);
                    return new Peer.Outcome(got, false, value == payload.expectedCrc(got), s.timeoutMillis() / 1e3);
                }
            }

            @Override
            public void close() {
                try {
                    listener.close();
                } catch (IOException e) {
                    // closing a listener we own; nothing left to do
                }
            }
        };
    }

    static long send(Peer.Settings s, Payload payload, InetSocketAddress to, long timeoutMillis,
            CompletableFuture<?> receiverDone) throws Exception {
        Path file = payload.file(s.bytes());
        CompletableFuture<Void> done = new CompletableFuture<>();
        SocketChannel out = SocketChannel.open();
        Thread writer = new Thread(() -> {
            try (out; FileChannel source = FileChannel.open(file, StandardOpenOption.READ)) {
                out.connect(to);
                long sent = 0;
                while (sent < s.bytes()) {
                    sent += source.transferTo(sent, s.bytes() - sent, out);
                }
                done.complete(null);
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
        }, "tcp-sender");
        writer.setDaemon(true);
        writer.start();
        try {
            // Closing after the last transferTo is a graceful FIN; the kernel still delivers the rest.
            CompletableFuture.anyOf(done, receiverDone).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } finally {
            out.close();
            writer.join(5000);
        }
        return -1;
    }
}
