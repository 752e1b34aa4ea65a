package dev.rudp.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rudp.CongestionControl;
import dev.rudp.RudpErrorCode;
import dev.rudp.wire.Checksum;
import dev.rudp.wire.PacketHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Two {@link ReliableConnection}s joined by a simulated network on a manual clock: a priority
 * queue of datagram arrivals ordered by time, plus each engine's own {@link
 * ReliableConnection#nextTimeout()}. No threads, no real time: a run is a pure function of its seed.
 */
final class Sim {
    static final long MS = 1_000_000;
    static final long S = 1_000_000_000;
    static final int DATAGRAM = 1200;
    static final int OVERHEAD = PacketHeader.DATA_HEADER_SIZE + Checksum.SIZE;
    static final int ROOM = DATAGRAM - OVERHEAD;

    /** Network impairments, each direction alike. */
    record Profile(double loss, double reorder, double duplicate, long delayNanos, long jitterNanos) {
        static Profile lossy(double loss) {
            return new Profile(loss, 0.05, 0.02, 20 * MS, 5 * MS);
        }

        @Override
        public String toString() {
            return String.format("loss=%.2f reorder=%.2f dup=%.2f delay=%dms jitter=%dms", loss, reorder, duplicate,
                    delayNanos / MS, jitterNanos / MS);
        }
    }

    /**
     * A bottleneck link in each direction, after the random loss of the {@link Profile}: it
     * serialises datagrams at {@code rateBytesPerSecond} through a drop-tail queue of
     * {@code queueBytes}, then delays them by {@code oneWayDelayNanos}. With a bottleneck the
     * profile's delay and jitter add on top; use a profile with none for a clean path.
     */
    record Bottleneck(long rateBytesPerSecond, long queueBytes, long oneWayDelayNanos) {
        /** Bytes/s of a rate in Mbit/s. */
        static long mbps(double megabits) {
            return (long) (megabits * 1e6 / 8);
        }
    }

    private record Arrival(long time, long seq, Peer to, long pn, byte[] frames) {
    }

    /** One endpoint: its engine and what its application saw. */
    final class Peer implements ReliableConnection.Listener {
        final String name;
        ReliableConnection conn;
        Peer other;
        final List<byte[]> ordered = new ArrayList<>();
        final List<byte[]> unordered = new ArrayList<>();
        final List<ByteBuf> written = new ArrayList<>();
        /** When set, received messages go here instead of into {@link #ordered}/{@link #unordered}. */
        Consumer<byte[]> inspector;
        /** When the bottleneck towards this peer has sent everything queued. */
        long linkFreeAtNanos;
        /** Datagrams towards this peer dropped by the bottleneck's full queue. */
        long bottleneckDrops;
        /** Queueing delay of datagrams towards this peer, summed from {@link #queueStatsFromNanos}. */
        long queueDelaySumNanos;
        long queueDelaySamples;
        long maxQueueDelayNanos;
        boolean consume = true;
        long unconsumedBytes;
        long deliveredBytes;
        boolean silent;
        long datagramsSent;
        /** Datagrams that carried nothing but PADDING: sent for no reason. */
        long paddingOnly;
        int closedCount;
        /** Latest arrival scheduled towards this peer, so that jitter alone keeps FIFO order. */
        long lastArrival;
        RudpErrorCode closedCode;
        String closedReason;
        boolean closedByPeer;

        Peer(String name) {
            this.name = name;
        }

        @Override
        public void onMessage(ByteBuf message, boolean isOrdered) {
            try {
                byte[] bytes = ByteBufUtil.getBytes(message);
                if (inspector != null) {
                    inspector.accept(bytes);
                } else {
                    (isOrdered ? ordered : unordered).add(bytes);
                }
                deliveredBytes += bytes.length;
                if (consume) {
                    conn.onConsumed(bytes.length);
                } else {
                    unconsumedBytes += bytes.length;
                }
            } finally {
                message.release();
            }
        }

        @Override
        public void onClosed(RudpErrorCode code, String reason, boolean byPeer) {
            closedCount++;
            closedCode = code;
            closedReason = reason;
            closedByPeer = byPeer;
        }

        /** The application writes a message; the engine takes a copy we keep an eye on. */
        void send(byte[] bytes, boolean isOrdered) {
            // a fresh buffer even when empty (copiedBuffer would hand out the shared EMPTY_BUFFER)
            ByteBuf buf = Unpooled.buffer(bytes.length).writeBytes(bytes);
            written.add(buf);
            try {
                conn.send(buf, isOrdered);
            } catch (Exception e) {
                throw new AssertionError(describe("send failed"), e);
            }
        }

        /** The application consumes everything it held back, and from now on consumes at once. */
        void consumeBacklog() {
            consume = true;
            long n = unconsumedBytes;
            unconsumedBytes = 0;
            conn.onConsumed(n);
            flush(this);
        }

        /** Number of written buffers the engine has not released yet. */
        int unreleased() {
            int n = 0;
            for (ByteBuf b : written) {
                if (b.refCnt() != 0) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public String toString() {
            return name + "{paddingOnly=" + paddingOnly + " state=" + conn.state() + " ordered=" + ordered.size() + " unordered=" + unordered.size()
                    + " buffered=" + conn.bufferedBytes() + " unsent=" + conn.unsentBytes() + " closed=" + closedCode
                    + " " + conn.stats() + "}";
        }
    }

    final long seed;
    final Profile profile;
    final Bottleneck bottleneck;
    /** Queueing-delay statistics count datagrams sent from this time on (to skip the start-up). */
    long queueStatsFromNanos;
    final Random random;
    final Peer a = new Peer("A");
    final Peer b = new Peer("B");
    long maxTimeNanos = 300 * S;
    long maxEvents = 3_000_000;
    long now;
    long events;
    private long seq;
    private long stepsAtThisTime;
    private final PriorityQueue<Arrival> queue = new PriorityQueue<>(
            (x, y) -> x.time != y.time ? Long.compare(x.time, y.time) : Long.compare(x.seq, y.seq));

    Sim(long seed, Profile profile, EngineConfig configA, EngineConfig configB) {
        this(seed, profile, configA, configB, CongestionControl.NEW_RENO, null);
    }

    /** Both engines use {@code cc}; {@code bottleneck} may be null (no rate limit). */
    Sim(long seed, Profile profile, EngineConfig configA, EngineConfig configB, CongestionControl cc,
            Bottleneck bottleneck) {
        this.seed = seed;
        this.profile = profile;
        this.bottleneck = bottleneck;
        this.random = new Random(seed);
        a.other = b;
        b.other = a;
        a.conn = new ReliableConnection(configA, cc.create(configA.maxDatagramSize()), UnpooledByteBufAllocator.DEFAULT,
                a, 0);
        b.conn = new ReliableConnection(configB, cc.create(configB.maxDatagramSize()), UnpooledByteBufAllocator.DEFAULT,
                b, 0);
    }

    /** Both engines announce ACK_FREQUENCY to each other, as the codec's do. */
    Sim ackFrequency() {
        a.conn.peerAppliesAckFrequency();
        b.conn.peerAppliesAckFrequency();
        return this;
    }

    /** Settings like the codec's defaults: 1200-byte datagrams, 25 ms max ack delay. */
    static EngineConfig config(long window, long maxWindow, long idleTimeoutNanos, long keepaliveNanos) {
        return new EngineConfig(DATAGRAM, 25 * MS, 100 * MS, idleTimeoutNanos, keepaliveNanos, window, maxWindow,
                1 << 20, 65_536, window, 1 << 20);
    }

    String describe(String what) {
        return what + " [seed=" + seed + " profile=" + profile + (bottleneck == null ? "" : " " + bottleneck) + " t=" + now / MS + "ms events=" + events + "]\n  " + a
                + "\n  " + b;
    }

    /** Lets {@code peer} send everything its engine offers now. */
    void flush(Peer peer) {
        for (int i = 0;; i++) {
            if (i > 100_000) {
                fail(describe(peer.name + " kept writing packets without end"));
            }
            long pn = peer.conn.nextPacketNumber();
            ByteBuf out = Unpooled.buffer(ROOM);
            int status;
            byte[] frames;
            try {
                status = peer.conn.writePacket(out, ROOM, OVERHEAD, now);
                frames = ByteBufUtil.getBytes(out);
            } finally {
                out.release();
            }
            if (status != ReliableConnection.SENT) {
                // Messages built lazily: describe() formats both engines' stats, too costly per packet.
                assertTrue(frames.length == 0, () -> describe(peer.name + " wrote bytes but did not report SENT"));
                return;
            }
            assertTrue(frames.length > 0 && frames.length <= ROOM,
                    () -> describe(peer.name + " wrote a packet of " + frames.length + " bytes"));
            peer.datagramsSent++;
            boolean padding = true;
            for (byte x : frames) {
                padding &= x == 0;
            }
            if (padding) {
                peer.paddingOnly++;
            }
            transmit(peer, pn, frames);
        }
    }

    private void transmit(Peer from, long pn, byte[] frames) {
        if (from.silent || from.other.silent || random.nextDouble() < profile.loss) {
            return;
        }
        long departure = now;
        if (bottleneck != null) {
            departure = throughBottleneck(from.other, frames.length + OVERHEAD);
            if (departure < 0) {
                return;
            }
        }
        schedule(from.other, pn, frames, departure);
        if (random.nextDouble() < profile.duplicate) {
            schedule(from.other, pn, frames, departure);
        }
    }

    /** Queues a datagram at the bottleneck towards {@code to}: when it leaves the link, or -1 if dropped. */
    private long throughBottleneck(Peer to, int size) {
        long start = Math.max(now, to.linkFreeAtNanos);
        long waiting = start - now;
        long queuedBytes = (long) (waiting * (bottleneck.rateBytesPerSecond() / 1e9));
        if (queuedBytes + size > bottleneck.queueBytes()) {
            to.bottleneckDrops++;
            return -1;
        }
        to.linkFreeAtNanos = start + (long) (size * 1e9 / bottleneck.rateBytesPerSecond());
        if (now >= queueStatsFromNanos) {
            to.queueDelaySumNanos += waiting;
            to.queueDelaySamples++;
            to.maxQueueDelayNanos = Math.max(to.maxQueueDelayNanos, waiting);
        }
        return to.linkFreeAtNanos + bottleneck.oneWayDelayNanos();
    }

    private void schedule(Peer to, long pn, byte[] frames, long departure) {
        long delay = profile.delayNanos + (profile.jitterNanos > 0 ? (long) (random.nextDouble() * profile.jitterNanos) : 0);
        long at;
        if (random.nextDouble() < profile.reorder) {
            // this one is held back and overtaken by later packets
            at = departure + delay + (long) (random.nextDouble() * 2 * profile.delayNanos);
        } else {
            // jitter varies the delay but a path does not reorder by itself
            at = Math.max(departure + delay, to.lastArrival);
            to.lastArrival = at;
        }
        queue.add(new Arrival(at, seq++, to, pn, frames));
    }

    /**
     * Advances to the next arrival or timer and handles it. Returns false when nothing at all is
     * pending (both engines quiet and the network empty).
     */
    boolean step() {
        long ta = a.conn.nextTimeout();
        long tb = b.conn.nextTimeout();
        Arrival next = queue.peek();
        long tq = next == null ? Long.MAX_VALUE : next.time;
        long t = Math.min(tq, Math.min(ta, tb));
        if (t == Long.MAX_VALUE) {
            return false;
        }
        events++;
        stepsAtThisTime = t > now ? 0 : stepsAtThisTime + 1;
        if (stepsAtThisTime > 100_000) {
            fail(describe("time stopped: 100000 steps without the clock moving"));
        }
        now = Math.max(now, t);
        if (now > maxTimeNanos || events > maxEvents) {
            fail(describe("simulation bound exceeded (max " + maxTimeNanos / S + " s, " + maxEvents + " events)"));
        }
        if (tq <= Math.min(ta, tb)) {
            queue.poll();
            ByteBuf packet = Unpooled.wrappedBuffer(next.frames.clone());
            try {
                next.to.conn.onPacket(next.pn, packet, next.frames.length + OVERHEAD, now);
            } finally {
                packet.release();
            }
            flush(next.to);
        } else {
            Peer p = ta <= tb ? a : b;
            p.conn.onTimeout(now);
            flush(p);
        }
        return true;
    }

    /** Runs until {@code done} holds; fails with the seed and profile if the bounds are hit first. */
    void runUntil(BooleanSupplier done, String what) {
        while (!done.getAsBoolean()) {
            if (!step()) {
                fail(describe("everything went quiet before " + what));
            }
        }
    }

    /** Runs for {@code nanos} of simulated time (or until nothing is pending). */
    void runFor(long nanos) {
        long end = now + nanos;
        while (true) {
            long ta = a.conn.nextTimeout();
            long tb = b.conn.nextTimeout();
            Arrival next = queue.peek();
            long t = Math.min(next == null ? Long.MAX_VALUE : next.time, Math.min(ta, tb));
            if (t > end) {
                now = end;
                return;
            }
            step();
        }
    }

    /** Ends both engines and releases whatever the network still carries. */
    void shutdown() {
        a.conn.abort(RudpErrorCode.ENDPOINT_CLOSED, "test over", now);
        b.conn.abort(RudpErrorCode.ENDPOINT_CLOSED, "test over", now);
        queue.clear();
    }
}
