package dev.rudp.dtls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;

/**
 * Two BouncyCastle DTLS 1.2 endpoints (the project's PSK peers) joined in memory, with the server's
 * record keys and {@link Handover} captured as {@link DtlsHandler} captures them. After the handshake
 * nothing moves by itself: the test takes each side's sent records from {@link End#sent} and delivers
 * what it likes with {@link End#deliver}, all on its own thread.
 */
final class MemoryDtls {
    static final byte[] ID = "memory".getBytes(StandardCharsets.UTF_8);
    static final byte[] KEY = "memory key memory key memory key".getBytes(StandardCharsets.UTF_8);

    final End client;
    final End server;
    final RecordKeys serverKeys;
    final Handover serverHandover;

    private MemoryDtls(End client, End server, RecordKeys serverKeys, Handover serverHandover) {
        this.client = client;
        this.server = server;
        this.serverKeys = serverKeys;
        this.serverHandover = serverHandover;
    }

    static MemoryDtls handshake() throws Exception {
        DtlsConfig serverConfig = DtlsConfig.serverPsk(id -> KEY.clone()).build();
        DtlsConfig clientConfig = DtlsConfig.clientPsk(ID, KEY).build();
        BlockingQueue<byte[]> toServer = new LinkedBlockingQueue<>();
        BlockingQueue<byte[]> toClient = new LinkedBlockingQueue<>();
        Handover handover = new Handover();
        End serverEnd = new End(toServer, toClient, handover);
        End clientEnd = new End(toClient, toServer, null);
        AtomicReference<RecordKeys> keys = new AtomicReference<>();
        CompletableFuture<DTLSTransport> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                DTLSServerProtocol protocol = new DTLSServerProtocol();
                protocol.setVerifyRequests(false);
                return protocol.accept(TlsPeers.server(serverConfig, (k, resumed, values) -> keys.set(k)), serverEnd);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        clientEnd.dtls = new DTLSClientProtocol().connect(
                TlsPeers.client(clientConfig, new InetSocketAddress("127.0.0.1", 1)), clientEnd);
        serverEnd.dtls = accepted.get(30, TimeUnit.SECONDS);
        serverEnd.handshakeDone();
        clientEnd.handshakeDone();
        return new MemoryDtls(clientEnd, serverEnd, keys.get(), handover);
    }

    /** One endpoint: its BouncyCastle transport and the datagrams it sent since the handshake. */
    static final class End implements DatagramTransport {
        private static final int LIMIT = (1 << 14) + 512;
        private final BlockingQueue<byte[]> in;
        private final BlockingQueue<byte[]> out;
        private final Handover handover;
        private volatile boolean established;
        private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
        /** Datagrams sent after the handshake, oldest first. */
        final List<byte[]> sent = new ArrayList<>();
        /** Every datagram sent, the handshake's included, oldest first. */
        final List<byte[]> all = new ArrayList<>();
        /** Set when BouncyCastle closed the transport (after a close_notify or a fatal alert). */
        volatile boolean closed;
        DTLSTransport dtls;

        End(BlockingQueue<byte[]> in, BlockingQueue<byte[]> out, Handover handover) {
            this.in = in;
            this.out = out;
            this.handover = handover;
        }

        void handshakeDone() {
            established = true;
        }

        /** Gives {@code datagram} to this end's BouncyCastle and returns the application data it yields, or null. */
        byte[] deliver(byte[] datagram) throws IOException {
            pending.add(datagram.clone());
            byte[] buf = new byte[LIMIT];
            int n = dtls.receive(buf, 0, buf.length, 1);
            pending.clear();
            return n < 0 ? null : java.util.Arrays.copyOf(buf, n);
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
            if (established) {
                d = pending.poll();
            } else {
                try {
                    d = in.poll(waitMillis, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                if (d != null && handover != null) {
                    handover.received(d);
                }
            }
            if (d == null) {
                return -1;
            }
            System.arraycopy(d, 0, buf, off, d.length);
            return d.length;
        }

        @Override
        public void send(byte[] buf, int off, int len) {
            byte[] d = java.util.Arrays.copyOfRange(buf, off, off + len);
            synchronized (all) {
                all.add(d);
            }
            if (established) {
                sent.add(d);
                return;
            }
            if (handover != null) {
                handover.sent(buf, off, len);
            }
            out.add(d);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
