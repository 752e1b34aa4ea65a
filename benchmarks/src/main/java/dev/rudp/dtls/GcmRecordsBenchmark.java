package dev.rudp.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
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
 *     {@link GcmRecords#open} in place in that buffer.</li>
 * </ul>
 * Both ends are joined in memory after one handshake per trial. Run with {@code -prof gc} for the
 * bytes allocated per record.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class GcmRecordsBenchmark {
    public enum Path { BOUNCYCASTLE, JDK }

    @Param({"BOUNCYCASTLE", "JDK"})
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
                return protocol.accept(TlsPeers.server(serverConfig, serverKeys::set), server);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        client.dtls = new DTLSClientProtocol().connect(
                TlsPeers.client(clientConfig, new InetSocketAddress("127.0.0.1", 1), clientKeys::set), client);
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
        return path == Path.JDK ? jdk() : bouncyCastle();
    }

    private int jdk() throws Exception {
        ByteBuf record = alloc.directBuffer(GcmRecords.BODY + size + GcmRecords.TAG);
        try {
            sealer.seal(RecordGuard.APPLICATION_DATA, plaintext, record);
            int n = opener.open(record, 0);
            if (n != size) {
                throw new IllegalStateException("record dropped");
            }
            return n;
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
