package dev.rudp.dtls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;

/**
 * Not a test: measures record protection plus unprotection of 1200-byte records, in memory (no sockets),
 * with BouncyCastle's {@code JcaTlsCrypto} and {@code BcTlsCrypto}, over the suite the PSK configs use
 * (TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256). Prints MB/s of plaintext for each round and the best.
 *
 * <pre>
 * mvn -B -q -pl rudp-core test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp "rudp-core/target/classes:rudp-core/target/test-classes:$(cat /tmp/cp.txt)" \
 *     dev.rudp.dtls.DtlsCryptoComparison 100000
 * </pre>
 */
public final class DtlsCryptoComparison {
    private static final int RECORD = 1200;
    private static final int ROUNDS = 4;

    private DtlsCryptoComparison() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        System.out.printf("JDK %s, %d records of %d bytes per round, best of %d rounds%n",
                System.getProperty("java.version"), records, RECORD, ROUNDS);
        for (DtlsConfig.Crypto crypto : DtlsConfig.Crypto.values()) {
            DTLSTransport[] pair = connect(crypto);
            byte[] plaintext = new byte[RECORD];
            byte[] received = new byte[1 << 14];
            double best = 0;
            for (int round = 0; round < ROUNDS; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < records; i++) {
                    plaintext[0] = (byte) i;
                    pair[0].send(plaintext, 0, RECORD);
                    int n = pair[1].receive(received, 0, received.length, 1000);
                    if (n != RECORD || received[0] != (byte) i) {
                        throw new IllegalStateException("record " + i + " lost: " + n);
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double mbs = (double) records * RECORD / seconds / 1e6;
                best = Math.max(best, mbs);
                System.out.printf("  %-3s round %d: %7.1f MB/s (%.0f records/s)%n", crypto, round, mbs,
                        records / seconds);
            }
            System.out.printf("%-3s best: %.1f MB/s protect+unprotect%n", crypto, best);
            pair[0].close();
            pair[1].close();
        }
    }

    /** A client and server DTLS transport joined in memory, handshaken with the PSK configs. */
    private static DTLSTransport[] connect(DtlsConfig.Crypto crypto) throws Exception {
        byte[] identity = "bench".getBytes(StandardCharsets.UTF_8);
        byte[] key = "bench key bench key".getBytes(StandardCharsets.UTF_8);
        DtlsConfig server = DtlsConfig.serverPsk(id -> key.clone()).crypto(crypto).build();
        DtlsConfig client = DtlsConfig.clientPsk(identity, key).crypto(crypto).build();
        BlockingQueue<byte[]> toServer = new LinkedBlockingQueue<>();
        BlockingQueue<byte[]> toClient = new LinkedBlockingQueue<>();
        DatagramTransport serverSide = new MemoryTransport(toServer, toClient);
        DatagramTransport clientSide = new MemoryTransport(toClient, toServer);
        CompletableFuture<DTLSTransport> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                DTLSServerProtocol protocol = new DTLSServerProtocol();
                protocol.setVerifyRequests(false);
                return protocol.accept(TlsPeers.server(server), serverSide);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        DTLSTransport connected = new DTLSClientProtocol().connect(
                TlsPeers.client(client, new InetSocketAddress("127.0.0.1", 1)), clientSide);
        return new DTLSTransport[] {connected, accepted.get(30, TimeUnit.SECONDS)};
    }

    private static final class MemoryTransport implements DatagramTransport {
        private final BlockingQueue<byte[]> in;
        private final BlockingQueue<byte[]> out;

        MemoryTransport(BlockingQueue<byte[]> in, BlockingQueue<byte[]> out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public int getReceiveLimit() {
            return 1500;
        }

        @Override
        public int getSendLimit() {
            return 1500;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            try {
                byte[] d = in.poll(waitMillis, TimeUnit.MILLISECONDS);
                if (d == null) {
                    return -1;
                }
                System.arraycopy(d, 0, buf, off, d.length);
                return d.length;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        public void send(byte[] buf, int off, int len) {
            byte[] d = new byte[len];
            System.arraycopy(buf, off, d, 0, len);
            out.add(d);
        }

        @Override
        public void close() {
        }
    }
}
