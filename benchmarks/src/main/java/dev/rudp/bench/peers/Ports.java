package dev.rudp.bench.peers;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Ports for the tools' servers, and waiting until a server listens: read in {@code /proc/PID/net/udp}
 * or {@code tcp} of the server itself, which shows the sockets of that process's network namespace.
 */
final class Ports {
    private Ports() {
    }

    /**
     * An even port (udpcast wants an even base) free for TCP and UDP on this machine's loopback, from a
     * random start; inside namespaces the benchmark made nothing else listens.
     */
    static int pick() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 20_000 + 2 * ThreadLocalRandom.current().nextInt(10_000);
            try (ServerSocket t = new ServerSocket(); DatagramSocket u = new DatagramSocket(null);
                    DatagramSocket u2 = new DatagramSocket(null)) {
                t.bind(new InetSocketAddress("127.0.0.1", port));
                u.bind(new InetSocketAddress("127.0.0.1", port));
                u2.bind(new InetSocketAddress("127.0.0.1", port + 1));
                return port;
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free port pair found");
    }

    /** Waits until {@code p} has a UDP socket on {@code port}; false when it exited or time ran out. */
    static boolean awaitUdp(Proc p, int port, long millis) throws InterruptedException {
        return await(p, "udp", port, null, millis);
    }

    /** Waits until {@code p} listens on TCP {@code port}. */
    static boolean awaitTcp(Proc p, int port, long millis) throws InterruptedException {
        return await(p, "tcp", port, "0A", millis);
    }

    private static boolean await(Proc p, String table, int port, String state, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        String local = String.format(Locale.ROOT, ":%04X ", port);
        Path file = Path.of("/proc", String.valueOf(p.pid()), "net", table);
        while (System.nanoTime() < deadline && p.alive()) {
            try {
                List<String> lines = Files.readAllLines(file);
                for (String line : lines) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && (f[1] + " ").endsWith(local) && (state == null || f[3].equals(state))) {
                        return true;
                    }
                }
            } catch (IOException e) {
                // the process is between ip and exec, or gone: look again
            }
            Thread.sleep(20);
        }
        return false;
    }
}
