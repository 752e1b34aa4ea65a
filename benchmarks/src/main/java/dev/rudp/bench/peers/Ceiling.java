package dev.rudp.bench.peers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The path's ceiling, measured before a profile's rows: a receiver in one namespace counts the UDP
 * payload that arrives while a sender in the other sends 1472-byte datagrams (one 1500-byte IP packet
 * each) as fast as its socket takes them, or at 1.2 times the path's rate when it has one (an unpaced
 * blast would only measure how fast the user-space relay drops the excess), for a few seconds. The rate over the last part of the
 * window (after the first second: the queue has filled) is what any transport could deliver as
 * payload at most: the rate limit less IP/UDP headers and the loss. Run as a child JVM:
 * <pre>
 * Ceiling receive ADDR PORT SECONDS    prints "CEILING MBPS BYTES" when the sender stopped
 * Ceiling send ADDR PORT SECONDS [RATE_MBIT]
 * </pre>
 */
public final class Ceiling {
    static final int PAYLOAD = 1472;
    /** Sending rate over the path's rate when it has one: enough to fill it, not to flood the relay. */
    static final double PACING = 1.2;

    private Ceiling() {
    }

    public static void main(String[] args) throws IOException {
        InetSocketAddress at = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        double seconds = Double.parseDouble(args[3]);
        if (args[0].equals("send")) {
            send(at, seconds, args.length > 4 ? Double.parseDouble(args[4]) : 0);
        } else {
            receive(at, seconds);
        }
    }

    private static void send(InetSocketAddress to, double seconds, double rateMbit) throws IOException {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(to);
            ByteBuffer b = ByteBuffer.allocateDirect(PAYLOAD);
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            double packetsPerNano = rateMbit * PACING * 1e6 / 8 / 1500 / 1e9;
            long sent = 0;
            while (System.nanoTime() < end) {
                if (rateMbit > 0 && sent > (System.nanoTime() - start) * packetsPerNano) {
                    LockSupport.parkNanos(50_000);
                    continue;
                }
                sent++;
                b.clear();
                try {
                    ch.write(b);
                } catch (IOException e) {
                    // ENOBUFS from a full qdisc: the packet is lost at the sender, as the link would lose it
                }
            }
        }
    }

    private static void receive(InetSocketAddress at, double seconds) throws IOException {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.socket().setReceiveBufferSize(4 << 20);
            ch.bind(at);
            ch.socket().setSoTimeout(3000);
            System.out.println("READY");
            System.out.flush();
            var in = ch.socket();
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[65536], 65536);
            long first = 0;
            long windowStart = 0;
            long windowBytes = 0;
            long last = 0;
            long limit = System.nanoTime() + (long) ((seconds + 30) * 1e9);
            while (System.nanoTime() < limit) {
                try {
                    in.receive(p);
                } catch (SocketTimeoutException e) {
                    break; // the sender stopped
                }
                long now = System.nanoTime();
                if (first == 0) {
                    first = now;
                }
                if (now - first >= 1_000_000_000L) {
                    if (windowStart == 0) {
                        windowStart = now;
                    } else {
                        windowBytes += p.getLength();
                    }
                }
                last = now;
            }
            double span = (last - windowStart) / 1e9;
            System.out.printf(Locale.ROOT, "CEILING %.3f %d%n", span > 0 ? windowBytes / 1e6 / span : 0, windowBytes);
        }
    }
}
