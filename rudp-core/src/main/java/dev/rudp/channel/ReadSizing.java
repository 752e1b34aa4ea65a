package dev.rudp.channel;

import io.netty.channel.Channel;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import java.util.TreeMap;

/**
 * How the datagram channel reads: the size of one read slot and whether several datagrams come in
 * one {@code recvmmsg}. A slot must hold the largest datagram any peer may send, and a peer never
 * sends more than the limit this side announced to it in the handshake (its path MTU probes stop
 * there). Each connection announces the payload its route's interface carries, so a socket whose
 * peers are all behind Ethernet reads 2 KiB slots, {@value #BATCH} to a system call, and one with a
 * loopback peer falls back to one 64 KiB read per datagram. A read cut short fails its checksum or
 * DTLS record check and counts as lost, which is what a path MTU probe too large for the slot is.
 *
 * <p>The slot only grows before the announcement that needs it goes out (all on the event loop),
 * and shrinks again when the connection that needed it is gone.
 */
final class ReadSizing {
    /**
     * The sockets that share this one's address ({@link LoopRouter}): a socket may read datagrams of
     * another's connections, so every socket's slot holds the largest datagram any of them announced.
     */
    interface Shared {
        /** Called once, from the constructor: the shared slot size follows through {@link #raiseFloor}. */
        void attach(ReadSizing reads);

        /** A connection of this socket is about to announce {@code limit}. */
        void announced(int limit);
    }

    /** Smallest slot: Netty's datagram default, above every handshake datagram and DTLS flight. */
    static final int FLOOR = 2048;
    /** Largest slot still read in batches: a 9000-byte jumbo frame's payload fits. */
    static final int BATCH_MAX_SLOT = 9216;
    /** Datagrams per {@code recvmmsg}. */
    static final int BATCH = 16;
    /**
     * Datagrams per {@code recvmmsg} while reads are moderated ({@link ReadModeration}): a pause's
     * worth (2 ms at 200 Mbit/s is ~35 Ethernet frames) in one system call. With auto-read off Netty
     * makes one call per read asked for.
     */
    static final int MODERATED_BATCH = 64;
    /**
     * Datagrams read before the pipeline hears that the read is complete (and rudp sends its ACKs).
     * An allocator set by hand reads one, so a 64 KiB loopback stream paid a wake-up and an ACK per
     * datagram: 8 measured 1.9-2.3 GB/s against 1.7 (2 GiB e2e runs), 16 about the same speed with
     * 3x the socket drops at a 4 MiB rmem_max. A batch of slots counts as its datagrams, so one
     * {@code recvmmsg} already fills it.
     */
    static final int READS_PER_WAKEUP = 8;

    private final Channel channel;
    private final boolean batchable;
    private final int fixedSize;
    private final SlotAllocator allocator = new SlotAllocator();
    private final Shared shared;
    /** The smallest slot: {@link #FLOOR}, or more for what another socket of the address announced. */
    private int floor = FLOOR;
    /** Announced limits of live connections, with how many connections announced each. */
    private final TreeMap<Integer, Integer> limits = new TreeMap<>();
    private int slot;
    private boolean moderated;

    /** Sizing for a socket alone on its address. */
    ReadSizing(Channel channel, int fixedSize) {
        this(channel, fixedSize, null);
    }

    /**
     * @param fixedSize when positive, every read takes this many bytes and nothing else changes
     *        (UDP GRO, which reads coalesced runs of up to 64 KiB)
     * @param shared the other sockets of this address, or null
     */
    ReadSizing(Channel channel, int fixedSize, Shared shared) {
        this.channel = channel;
        this.fixedSize = fixedSize;
        this.shared = shared;
        this.batchable = fixedSize <= 0 && isEpoll(channel);
        // Set once: the channel keeps the first handle it gets from its allocator for good.
        channel.config().setRecvByteBufAllocator(allocator);
        apply(fixedSize > 0 ? fixedSize : FLOOR);
        if (shared != null) {
            shared.attach(this);
        }
    }

    private static boolean isEpoll(Channel channel) {
        try {
            return channel instanceof EpollDatagramChannel;
        } catch (LinkageError e) {
            return false; // no native epoll library on this system
        }
    }

    /** The slot in use: the largest datagram a read takes whole. */
    int slot() {
        return slot;
    }

    /** Whether reads take several datagrams per system call now. */
    boolean batching() {
        return batchable && slot <= BATCH_MAX_SLOT;
    }

    /** Datagrams one read takes at most now. */
    int batch() {
        return batching() ? (moderated ? MODERATED_BATCH : BATCH) : 1;
    }

    /** Reads are moderated (few, large) or on arrival: sizes the batch of one read. */
    void setModerated(boolean moderated) {
        if (this.moderated != moderated) {
            this.moderated = moderated;
            apply(slot);
        }
    }

    /** A connection is about to announce {@code limit}: reads must take datagrams that large from now on. */
    void add(int limit) {
        limits.merge(limit, 1, Integer::sum);
        update();
        if (shared != null) {
            shared.announced(limit);
        }
    }

    /**
     * Another socket of the address announced {@code size}: this one reads slots at least that large
     * from now on (it only grows: an address with a loopback peer once reads 64 KiB slots until restart).
     */
    void raiseFloor(int size) {
        if (size > floor) {
            floor = size;
            update();
        }
    }

    /** A connection that announced {@code limit} is gone. */
    void remove(int limit) {
        Integer n = limits.get(limit);
        if (n == null) {
            return;
        }
        if (n == 1) {
            limits.remove(limit);
        } else {
            limits.put(limit, n - 1);
        }
        update();
    }

    private void update() {
        if (fixedSize > 0) {
            return;
        }
        int wanted = limits.isEmpty() ? floor : Math.max(floor, limits.lastKey());
        if (wanted != slot) {
            apply(wanted);
        }
    }

    private void apply(int size) {
        slot = size;
        if (batching()) {
            // Netty's epoll channel cuts one buffer into slots of this size and fills them with recvmmsg.
            channel.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, size);
            allocator.readSize = size * (moderated ? MODERATED_BATCH : BATCH);
        } else {
            if (batchable) {
                channel.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 0);
            }
            allocator.readSize = size;
        }
    }

    /** Buffers of whatever size the slots need now; read and changed on the event loop only. */
    private static final class SlotAllocator extends DefaultMaxMessagesRecvByteBufAllocator {
        int readSize = FLOOR;

        SlotAllocator() {
            super(READS_PER_WAKEUP);
        }

        @Override
        @SuppressWarnings("deprecation")
        public Handle newHandle() {
            return new MaxMessageHandle() {
                @Override
                public int guess() {
                    return readSize;
                }
            };
        }
    }
}
