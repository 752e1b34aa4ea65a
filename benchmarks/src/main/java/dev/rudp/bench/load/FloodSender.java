package dev.rudp.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A raw UDP flood at a fixed rate from many source ports (plain {@link DatagramChannel}s, no rudp code):
 * random garbage, truncated handshake datagrams, valid-looking first handshake datagrams (a captured
 * one with fresh random bytes where a DTLS ClientHello has its random) and replays of the datagrams a
 * real client sent while connecting. Everything the server sends back to these sockets is counted: none
 * of them ever completes a handshake, so it is what the server sent to unvalidated addresses.
 */
final class FloodSender implements AutoCloseable {
    /** The kinds of datagrams, sent in turn. */
    enum Kind {
        GARBAGE, TRUNCATED, VALID_LOOKING, REPLAY
    }

    /** DTLS record header (13) + handshake header (12) + client_version (2): where a ClientHello's random starts. */
    private static final int CLIENT_RANDOM = 27;

    private final List<DatagramChannel> sockets = new ArrayList<>();
    private final Selector selector;
    private final InetSocketAddress target;
    private final List<byte[]> captured;
    private final SplittableRandom rnd;
    final AtomicLong[] sentPackets = new AtomicLong[Kind.values().length];
    final AtomicLong[] sentBytes = new AtomicLong[Kind.values().length];
    final AtomicLong receivedPackets = new AtomicLong();
    final AtomicLong receivedBytes = new AtomicLong();
    final AtomicLong sendErrors = new AtomicLong();
    private final Thread receiver;
    private volatile boolean closed;

    FloodSender(InetSocketAddress target, List<byte[]> captured, int sockets, long seed) throws IOException {
        if (captured.isEmpty()) {
            throw new IllegalArgumentException("nothing captured to replay");
        }
        this.target = target;
        this.captured = captured;
        this.rnd = new SplittableRandom(seed);
        for (int i = 0; i < sentPackets.length; i++) {
            sentPackets[i] = new AtomicLong();
            sentBytes[i] = new AtomicLong();
        }
        this.selector = Selector.open();
        for (int i = 0; i < sockets; i++) {
            DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
            ch.bind(new InetSocketAddress("127.0.0.1", 0));
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            this.sockets.add(ch);
        }
        this.receiver = new Thread(this::receive, "flood-receiver");
        receiver.setDaemon(true);
        receiver.start();
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65536);
        try {
            while (!closed) {
                if (selector.select(100) == 0) {
                    continue;
                }
                for (var it = selector.selectedKeys().iterator(); it.hasNext();) {
                    SelectionKey k = it.next();
                    it.remove();
                    DatagramChannel ch = (DatagramChannel) k.channel();
                    while (true) {
                        buf.clear();
                        if (ch.receive(buf) == null) {
                            break;
                        }
                        receivedPackets.incrementAndGet();
                        receivedBytes.addAndGet(buf.position());
                    }
                }
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // closed
        }
    }

    /** Sends {@code rate} datagrams a second for {@code seconds}, paced per millisecond; returns the datagrams sent. */
    long flood(int rate, double seconds) {
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        long sent = 0;
        ByteBuffer out = ByteBuffer.allocateDirect(65536);
        Kind[] kinds = Kind.values();
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                return sent;
            }
            long due = (long) ((now - t0) / 1e9 * rate) + 1;
            for (; sent < due; sent++) {
                Kind kind = kinds[(int) (sent % kinds.length)];
                byte[] d = datagram(kind);
                out.clear();
                out.put(d).flip();
                try {
                    sockets.get(rnd.nextInt(sockets.size())).send(out, target);
                    sentPackets[kind.ordinal()].incrementAndGet();
                    sentBytes[kind.ordinal()].addAndGet(d.length);
                } catch (IOException e) {
                    sendErrors.incrementAndGet();
                }
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500)); // pacing: the next millisecond's share
        }
    }

    private byte[] datagram(Kind kind) {
        byte[] first = captured.get(0);
        switch (kind) {
            case GARBAGE -> {
                byte[] b = new byte[1 + rnd.nextInt(1400)];
                rnd.nextBytes(b);
                if (rnd.nextBoolean()) {
                    b[0] = first[0]; // a plausible first byte (a DTLS content type, an rudp packet type)
                }
                return b;
            }
            case TRUNCATED -> {
                byte[] c = captured.get(rnd.nextInt(captured.size()));
                return java.util.Arrays.copyOf(c, 1 + rnd.nextInt(Math.max(1, c.length - 1)));
            }
            case VALID_LOOKING -> {
                byte[] b = first.clone();
                if (isDtlsClientHello(b) && b.length >= CLIENT_RANDOM + 32) {
                    byte[] random = new byte[32];
                    rnd.nextBytes(random);
                    System.arraycopy(random, 0, b, CLIENT_RANDOM, 32);
                }
                return b;
            }
            default -> {
                return captured.get(rnd.nextInt(captured.size()));
            }
        }
    }

    static boolean isDtlsClientHello(byte[] b) {
        return b.length > 13 && b[0] == 22 && b[13] == 1;
    }

    long sentBytesTotal() {
        long n = 0;
        for (AtomicLong a : sentBytes) {
            n += a.get();
        }
        return n;
    }

    long sentPacketsTotal() {
        long n = 0;
        for (AtomicLong a : sentPackets) {
            n += a.get();
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        selector.wakeup();
        try {
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (DatagramChannel ch : sockets) {
            ch.close();
        }
        selector.close();
    }
}
