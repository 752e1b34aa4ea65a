package dev.rudp.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * UDP segmentation offload: on sends (GSO), several equal datagrams (the last may be shorter) handed
 * to the kernel in one buffer and one {@code sendmsg}, which the kernel cuts into datagrams as late as
 * it can; on receives (GRO, set up by the codec), a run the kernel coalesced read in one call. Saves a
 * system call and a trip through the IP stack per datagram on Ethernet-sized paths.
 */
final class Gso {
    /** Linux's UDP_MAX_SEGMENTS on older kernels; newer ones allow 128. */
    static final int MAX_SEGMENTS = 64;
    /** The whole run travels as one IP packet through the stack until it is segmented. */
    static final int MAX_BYTES = 65_000;
    /** The most one GRO read can hold: the kernel coalesces up to 64 KiB of one flow. */
    static final int MAX_COALESCED_BYTES = 65_536;

    private Gso() {
    }

    /** Whether {@code channel} can offload: the epoll transport on a kernel with UDP_SEGMENT (and so UDP_GRO). */
    static boolean available(Channel channel) {
        try {
            return channel instanceof EpollDatagramChannel && SegmentedDatagramPacket.isSupported();
        } catch (LinkageError e) {
            return false; // no native epoll library on this system
        }
    }

    /** Datagrams of {@code size} bytes per send; 1 when a run would not pay. */
    static int segmentsPerSend(int size) {
        return Math.max(1, Math.min(MAX_SEGMENTS, MAX_BYTES / size));
    }

    static DatagramPacket packet(ByteBuf run, int segmentSize, InetSocketAddress to) {
        return new SegmentedDatagramPacket(run, segmentSize, to);
    }
}
