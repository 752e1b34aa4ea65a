package dev.rudp.channel;

import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Datagrams the kernel dropped at one UDP socket before the application read them (receive buffer
 * full, bad checksum): the {@code drops} column of Linux's {@code /proc/net/udp} and
 * {@code /proc/net/udp6}. Those are losses on this host, which the peer's loss detection cannot tell
 * from network loss.
 *
 * <p>The socket's row is found by its inode when the channel exposes its file descriptor (epoll),
 * otherwise by local address and port (and only if exactly one row matches). The files list every
 * UDP socket of the network namespace, so they are read on demand and at most every
 * {@link #REFRESH_NANOS}; {@link #UNKNOWN} wherever the count cannot be had (not Linux, no
 * {@code /proc}, socket not found). Event-loop only.
 */
final class SocketDrops {
    /** The count cannot be had here. */
    static final long UNKNOWN = -1;
    /** Snapshots closer together than this share one reading. */
    static final long REFRESH_NANOS = 200_000_000L;

    private static final int LOCAL_ADDRESS = 1;
    private static final int INODE = 9;
    private static final int DROPS = 12;

    private final Path udp;
    private final Path udp6;
    private final Path fdDir;
    private boolean unavailable;
    private long inode = -1;
    private boolean inodeTried;
    private long cached = UNKNOWN;
    private long readAtNanos;
    private boolean read;

    SocketDrops() {
        this(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"), Path.of("/proc/self/fd"));
    }

    SocketDrops(Path udp, Path udp6, Path fdDir) {
        this.udp = udp;
        this.udp6 = udp6;
        this.fdDir = fdDir;
    }

    /** Drops at {@code channel}'s socket since it was opened, or {@link #UNKNOWN}. */
    long drops(Channel channel, long nowNanos) {
        if (unavailable || !channel.isActive() || !(channel.localAddress() instanceof InetSocketAddress local)) {
            return UNKNOWN;
        }
        if (read && nowNanos - readAtNanos < REFRESH_NANOS) {
            return cached;
        }
        if (!inodeTried) {
            inodeTried = true;
            inode = inodeOf(channel);
        }
        try {
            long n = find(udp, inode, local, false);
            if (n == UNKNOWN || n == AMBIGUOUS) {
                long n6 = find(udp6, inode, local, true);
                n = n == AMBIGUOUS || n6 == AMBIGUOUS ? UNKNOWN : n6;
            }
            cached = n;
        } catch (NoSuchFileException e) {
            unavailable = true; // not Linux, or /proc not mounted: it will not appear later
            cached = UNKNOWN;
        } catch (IOException | RuntimeException e) {
            cached = UNKNOWN;
        }
        read = true;
        readAtNanos = nowNanos;
        return cached;
    }

    /** The socket inode behind an epoll channel's descriptor, or -1 (NIO hides its descriptor). */
    private long inodeOf(Channel channel) {
        if (!(channel instanceof UnixChannel unix)) {
            return -1;
        }
        try {
            return parseSocketLink(Files.readSymbolicLink(fdDir.resolve(Integer.toString(unix.fd().intValue())))
                    .toString());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The inode in a descriptor link such as {@code socket:[12345]}, or -1. */
    static long parseSocketLink(String link) {
        if (!link.startsWith("socket:[") || !link.endsWith("]")) {
            return -1;
        }
        try {
            return Long.parseLong(link.substring(8, link.length() - 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Found more than one row for a local address: the count would be a guess. */
    static final long AMBIGUOUS = -2;

    private static long find(Path file, long inode, InetSocketAddress local, boolean v6) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file)) {
            return find(in, inode, local, v6);
        }
    }

    /**
     * Reads a {@code /proc/net/udp} style table: the drops of the row with {@code inode} if it is
     * positive, else of the single row bound to {@code local}; {@link #UNKNOWN} if none matches,
     * {@link #AMBIGUOUS} if several do.
     *
     * @param v6 whether the table is {@code udp6} (addresses of 16 bytes)
     */
    static long find(BufferedReader in, long inode, InetSocketAddress local, boolean v6) throws IOException {
        String[] wanted = inode > 0 ? null : addressKeys(local, v6);
        if (wanted != null && wanted.length == 0) {
            return UNKNOWN;
        }
        long found = UNKNOWN;
        String line = in.readLine(); // header
        while ((line = in.readLine()) != null) {
            String[] f = line.trim().split("\\s+");
            if (f.length <= DROPS) {
                continue;
            }
            boolean match;
            if (wanted == null) {
                match = Long.parseLong(f[INODE]) == inode;
            } else {
                match = false;
                for (String w : wanted) {
                    match |= f[LOCAL_ADDRESS].equalsIgnoreCase(w);
                }
            }
            if (match) {
                if (wanted == null) {
                    return Long.parseLong(f[DROPS]);
                }
                if (found != UNKNOWN) {
                    return AMBIGUOUS;
                }
                found = Long.parseLong(f[DROPS]);
            }
        }
        return found;
    }

    /** How {@code local} appears in the table: {@code ADDRESS:PORT} in upper-case hex, as the kernel prints it. */
    static String[] addressKeys(InetSocketAddress local, boolean v6) {
        String port = String.format(Locale.ROOT, ":%04X", local.getPort());
        InetAddress a = local.getAddress();
        if (a == null) {
            return new String[0];
        }
        byte[] raw = a.getAddress();
        if (!v6) {
            if (a instanceof Inet4Address) {
                return new String[] {hex(raw) + port};
            }
            // An IPv6 socket bound to the wildcard may be reported as 0.0.0.0 or ::; only v4 rows for 0.0.0.0.
            return new String[0];
        }
        if (a instanceof Inet6Address) {
            return new String[] {hex(raw) + port};
        }
        // Java opens dual-stack IPv6 sockets where it can: an IPv4 bind is a v4-mapped address in udp6,
        // and the IPv4 wildcard is the IPv6 one.
        byte[] mapped = new byte[16];
        if (!a.isAnyLocalAddress()) {
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(raw, 0, mapped, 12, 4);
        }
        return new String[] {hex(mapped) + port};
    }

    /**
     * The kernel prints an address as 32-bit words in the host's byte order ({@code %08X} of each
     * word of the network-order address), so 127.0.0.1 reads {@code 0100007F} on x86.
     */
    static String hex(byte[] address) {
        return hex(address, ByteOrder.nativeOrder());
    }

    static String hex(byte[] address, ByteOrder order) {
        StringBuilder sb = new StringBuilder(address.length * 2);
        for (int w = 0; w < address.length; w += 4) {
            for (int i = 0; i < 4; i++) {
                int b = address[w + (order == ByteOrder.LITTLE_ENDIAN ? 3 - i : i)] & 0xff;
                sb.append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
