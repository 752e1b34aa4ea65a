package dev.rudp.dtls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DTLS 1.2 record protection plus unprotection of one {@code size}-byte datagram, through bctls directly
 * (the {@code DTLSTransport}s {@link DtlsHandler} drives), with the project's PSK peers
 * ({@link TlsPeers}, TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256) and each crypto back end: {@code JCA}
 * (JDK providers, AES-NI) and {@code BC} (pure Java). The two ends are joined in memory; the handshake
 * runs once per trial. Time is per record sealed and opened.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class DtlsRecordBenchmark {
    @Param({"JCA", "BC"})
    DtlsConfig.Crypto crypto;

    @Param({"1200", "1400", "16000"})
    int size;

    private DTLSTransport client;
    private DTLSTransport server;
    private MemoryTransport clientSide;
    private byte[] plaintext;
    private final byte[] received = new byte[1 << 14];

    @Setup(Level.Trial)
    public void handshake() throws Exception {
        byte[] identity = "bench".getBytes(StandardCharsets.UTF_8);
        byte[] key = "bench key bench key bench key 32".getBytes(StandardCharsets.UTF_8);
        DtlsConfig serverConfig = DtlsConfig.serverPsk(id -> key.clone()).crypto(crypto).build();
        DtlsConfig clientConfig = DtlsConfig.clientPsk(identity, key).crypto(crypto).build();
        BlockingQueue<byte[]> toServer = new LinkedBlockingQueue<>();
        BlockingQueue<byte[]> toClient = new LinkedBlockingQueue<>();
        MemoryTransport serverSide = new MemoryTransport(toServer, toClient);
        clientSide = new MemoryTransport(toClient, toServer);
        CompletableFuture<DTLSTransport> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                DTLSServerProtocol protocol = new DTLSServerProtocol();
                protocol.setVerifyRequests(false);
                return protocol.accept(TlsPeers.server(serverConfig), serverSide);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        client = new DTLSClientProtocol().connect(TlsPeers.client(clientConfig, new InetSocketAddress("127.0.0.1", 1)),
                clientSide);
        server = accepted.get(30, TimeUnit.SECONDS);
        // After the handshake both ends are driven from this thread: switch to a non-blocking queue.
        serverSide.direct = new ArrayDeque<>();
        clientSide.peerDirect = serverSide.direct;
        plaintext = new byte[size];
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        client.close();
        server.close();
    }

    @Benchmark
    public int sealAndOpen() throws IOException {
        client.send(plaintext, 0, size);
        int n = server.receive(received, 0, received.length, 1);
        if (n != size) {
            throw new IllegalStateException("record lost: " + n);
        }
        return n;
    }

    /**
     * One end of an in-memory datagram link. During the handshake it uses blocking queues (two threads);
     * afterwards the benchmark thread moves records through a plain deque.
     */
    private static final class MemoryTransport implements DatagramTransport {
        /** Room for the largest record the benchmark seals (16 KiB of plaintext plus the record's overhead). */
        private static final int LIMIT = (1 << 14) + 512;
        private final BlockingQueue<byte[]> in;
        private final BlockingQueue<byte[]> out;
        ArrayDeque<byte[]> direct;
        ArrayDeque<byte[]> peerDirect;

        MemoryTransport(BlockingQueue<byte[]> in, BlockingQueue<byte[]> out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public int getReceiveLimit() {
            return LIMIT;
        }

        @Override
        public int getSendLimit() {
            return LIMIT;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            byte[] d;
            if (direct != null) {
                d = direct.poll();
            } else {
                try {
                    d = in.poll(waitMillis, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            if (d == null) {
                return -1;
            }
            int n = Math.min(len, d.length);
            System.arraycopy(d, 0, buf, off, n);
            return n;
        }

        @Override
        public void send(byte[] buf, int off, int len) {
            byte[] d = new byte[len];
            System.arraycopy(buf, off, d, 0, len);
            if (peerDirect != null) {
                peerDirect.add(d);
            } else {
                out.add(d);
            }
        }

        @Override
        public void close() {
        }
    }
}
