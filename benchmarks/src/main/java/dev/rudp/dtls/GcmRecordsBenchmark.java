package dev.rudp.dtls;

import dev.rudp.wire.WireReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One DTLS 1.2 application record (TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256, JCA crypto) sealed and opened,
 * the way {@link DtlsHandler} moves it on each {@code path}:
 * <ul>
 * <li>{@code BOUNCYCASTLE}: {@code DTLSTransport.send} of a heap plaintext, the sealed record copied into
 *     a pooled direct buffer (the datagram written), then copied into BouncyCastle's array and opened by
 *     {@code DTLSTransport.receive} into a pooled heap buffer, as {@link RecordPath} did before
 *     {@link GcmRecords};</li>
 * <li>{@code JDK}: {@link GcmRecords#seal} of a direct plaintext into a pooled direct buffer, then
 *     {@link GcmRecords#open} of that buffer into an array of its own, as the handler does;</li>
 * <li>{@code JDK_HEAP}: the same on heap buffers, for comparison only: the JDK's AES-GCM works on
 *     arrays without its chunked copies, but a handler on heap buffers would add a copy from the
 *     received direct datagram and one into the direct buffer written.</li>
 * </ul>
 * Both ends are joined in memory after one handshake per trial. Run with {@code -prof gc} for the
 * bytes allocated per record.
 *
 * <p>On a shared machine JMH's times are wall times; {@link #main} measures this thread's CPU time per
 * record instead, both paths interleaved, {@code rounds} rounds of {@code records} records each, and
 * prints the median per path and size:
 * {@code java -cp benchmarks/target/benchmarks.jar dev.rudp.dtls.GcmRecordsBenchmark [rounds] [records]}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class GcmRecordsBenchmark {
    public enum Path { BOUNCYCASTLE, JDK, JDK_HEAP }

    @Param({"BOUNCYCASTLE", "JDK", "JDK_HEAP"})
    Path path;

    @Param({"1400", "16384"})
    int size;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private End client;
    private End server;
    private GcmRecords sealer;
    private GcmRecords opener;
    private ByteBuf plaintext;
    private byte[] heapPlaintext;
    private byte[] datagram;

    @Setup(Level.Trial)
    public void handshake() throws Exception {
        byte[] identity = "bench".getBytes(StandardCharsets.UTF_8);
        byte[] key = "bench key bench key bench key 32".getBytes(StandardCharsets.UTF_8);
        DtlsConfig serverConfig = DtlsConfig.serverPsk(id -> key.clone()).build();
        DtlsConfig clientConfig = DtlsConfig.clientPsk(identity, key).build();
        BlockingQueue<byte[]> toServer = new LinkedBlockingQueue<>();
        BlockingQueue<byte[]> toClient = new LinkedBlockingQueue<>();
        server = new End(toServer, toClient);
        client = new End(toClient, toServer);
        AtomicReference<RecordKeys> serverKeys = new AtomicReference<>();
        AtomicReference<RecordKeys> clientKeys = new AtomicReference<>();
        CompletableFuture<DTLSTransport> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                DTLSServerProtocol protocol = new DTLSServerProtocol();
                protocol.setVerifyRequests(false);
                return protocol.accept(TlsPeers.server(serverConfig, (k, resumed, values) -> serverKeys.set(k)), server);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        client.dtls = new DTLSClientProtocol().connect(
                TlsPeers.client(clientConfig, new InetSocketAddress("127.0.0.1", 1), (k, resumed, values) -> clientKeys.set(k)), client);
        server.dtls = accepted.get(30, TimeUnit.SECONDS);
        client.direct = new ArrayDeque<>();
        server.direct = new ArrayDeque<>();
        sealer = GcmRecords.start(clientKeys.get(), client.handover);
        opener = GcmRecords.start(serverKeys.get(), server.handover);
        if (sealer == null || opener == null) {
            throw new IllegalStateException("the JDK record path did not start");
        }
        heapPlaintext = new byte[size];
        plaintext = alloc.directBuffer(size).writeBytes(heapPlaintext);
        datagram = new byte[size + 64];
    }

    @Benchmark
    public int sealAndOpen() throws Exception {
        return path == Path.JDK ? jdk() : path == Path.JDK_HEAP ? jdkHeap() : bouncyCastle();
    }

    private int jdk() throws Exception {
        ByteBuf record = alloc.directBuffer(GcmRecords.BODY + size + GcmRecords.TAG);
        try {
            sealer.seal(RecordGuard.APPLICATION_DATA, plaintext, record);
            ByteBuf opened = opener.open(WireReader.of(record), 0);
            if (opened == null || opened.readableBytes() != size) {
                throw new IllegalStateException("record dropped");
            }
            opened.release();
            return size;
        } finally {
            record.release();
        }
    }

    /** {@code JDK_HEAP}'s plaintext, made on first use. */
    private ByteBuf heapPlaintextBuf;

    private int jdkHeap() throws Exception {
        if (heapPlaintextBuf == null) {
            heapPlaintextBuf = alloc.heapBuffer(size).writeBytes(heapPlaintext);
        }
        ByteBuf record = alloc.heapBuffer(GcmRecords.BODY + size + GcmRecords.TAG);
        try {
            sealer.seal(RecordGuard.APPLICATION_DATA, heapPlaintextBuf, record);
            ByteBuf opened = opener.open(WireReader.of(record), 0);
            if (opened == null || opened.readableBytes() != size) {
                throw new IllegalStateException("record dropped");
            }
            opened.release();
            return size;
        } finally {
            record.release();
        }
    }

    private int bouncyCastle() throws IOException {
        client.dtls.send(heapPlaintext, 0, size);
        ByteBuf sent = client.sent;
        client.sent = null;
        ByteBuf out = alloc.heapBuffer(1 << 14);
        try {
            int length = sent.readableBytes();
            sent.getBytes(0, datagram, 0, length);
            server.direct.add(datagram);
            server.directLength = length;
            int n = server.dtls.receive(out.array(), out.arrayOffset(), 1 << 14, 1);
            if (n != size) {
                throw new IllegalStateException("record lost: " + n);
            }
            return n;
        } finally {
            sent.release();
            out.release();
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int size : new int[] {1400, 16384}) {
            GcmRecordsBenchmark[] benches = new GcmRecordsBenchmark[Path.values().length];
            for (Path p : Path.values()) {
                GcmRecordsBenchmark b = new GcmRecordsBenchmark();
                b.path = p;
                b.size = size;
                b.handshake();
                for (int i = 0; i < records; i++) {
                    b.sealAndOpen(); // warm-up: the JIT compiles both paths before any round counts
                }
                benches[p.ordinal()] = b;
            }
            double[][] nanos = new double[benches.length][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < benches.length; k++) {
                    GcmRecordsBenchmark b = benches[(k + r) % benches.length]; // alternate which path goes first
                    long t0 = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < records; i++) {
                        b.sealAndOpen();
                    }
                    nanos[b.path.ordinal()][r] = (threads.getCurrentThreadCpuTime() - t0) / (double) records;
                }
            }
            for (Path p : Path.values()) {
                double[] n = nanos[p.ordinal()].clone();
                Arrays.sort(n);
                System.out.printf("%-12s %6d bytes: median %8.0f ns CPU per record sealed and opened (min %.0f, max %.0f, %d rounds of %d)%n",
                        p, size, n[n.length / 2], n[0], n[n.length - 1], rounds, records);
            }
        }
    }

    /** One end of the in-memory link; records {@link Handover} during the handshake as {@link PeerTransport} does. */
    private final class End implements DatagramTransport {
        private static final int LIMIT = (1 << 14) + 512;
        private final BlockingQueue<byte[]> in;
        private final BlockingQueue<byte[]> out;
        final Handover handover = new Handover();
        DTLSTransport dtls;
        ArrayDeque<byte[]> direct;
        int directLength;
        ByteBuf sent;

        End(BlockingQueue<byte[]> in, BlockingQueue<byte[]> out) {
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
            if (direct != null) {
                byte[] d = direct.poll();
                if (d == null) {
                    return -1;
                }
                System.arraycopy(d, 0, buf, off, directLength);
                return directLength;
            }
            byte[] d;
            try {
                d = in.poll(waitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            if (d == null) {
                return -1;
            }
            handover.received(d);
            System.arraycopy(d, 0, buf, off, d.length);
            return d.length;
        }

        @Override
        public void send(byte[] buf, int off, int len) {
            if (direct != null) {
                sent = alloc.directBuffer(len).writeBytes(buf, off, len);
                return;
            }
            handover.sent(buf, off, len);
            byte[] d = new byte[len];
            System.arraycopy(buf, off, d, 0, len);
            out.add(d);
        }

        @Override
        public void close() {
        }
    }
}
