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

/**
 * Several flows through one shared bottleneck, on a manual clock: the dumbbell of congestion
 * control studies. Flow {@code i} is a backlogged sender and its receiver, each a {@link
 * ReliableConnection}. Every data-direction datagram of every flow goes through one drop-tail
 * queue served at the bottleneck rate, then a one-way delay; acknowledgements come back over a
 * path with the same delay and no rate limit (they are small, and a shared reverse queue would
 * mix ACK compression into what is measured). Like {@link Sim}, no threads and no randomness:
 * a run is an exact function of its parameters.
 */
final class Dumbbell {
    static final long MS = 1_000_000;
    static final long S = 1_000_000_000;
    /** The codec's default datagram and ack delay, as the file service runs them. */
    static final int DATAGRAM = 1452;
    static final long MAX_ACK_DELAY = 5 * MS;
    static final int OVERHEAD = PacketHeader.DATA_HEADER_SIZE + Checksum.SIZE;
    static final int ROOM = DATAGRAM - OVERHEAD;
    private static final byte[] PAYLOAD = new byte[64 * 1024];

    private record Arrival(long time, long seq, ReliableConnection to, Flow flow, long pn, byte[] frames) {
    }

    /** One sender-receiver pair. */
    final class Flow implements ReliableConnection.Listener {
        final int index;
        final CongestionControl cc;
        final long startNanos;
        final long oneWayDelayNanos;
        ReliableConnection sender;
        ReliableConnection receiver;
        /** Payload bytes delivered to the receiving application inside the measurement window. */
        long measuredBytes;
        long deliveredBytes;
        long lastArrivalAtReceiver;
        long lastArrivalAtSender;
        /** Why the connection ended before the run did, or null: a starved flow can be closed by its peer. */
        String closed;

        Flow(int index, CongestionControl cc, long startNanos, long oneWayDelayNanos) {
            this.index = index;
            this.cc = cc;
            this.startNanos = startNanos;
            this.oneWayDelayNanos = oneWayDelayNanos;
        }

        boolean started() {
            return sender != null;
        }

        void start() {
            EngineConfig config = config();
            sender = new ReliableConnection(config, cc.create(DATAGRAM), UnpooledByteBufAllocator.DEFAULT,
                    new ReliableConnection.Listener() {
                        @Override
                        public void onMessage(ByteBuf message, boolean ordered) {
                            message.release();
                        }

                        @Override
                        public void onClosed(RudpErrorCode code, String reason, boolean byPeer) {
                            if (!shuttingDown && closed == null) {
                                closed = "sender closed at " + now / MS + " ms: " + code + " " + reason;
                            }
                        }
                    }, now);
            receiver = new ReliableConnection(config, cc.create(DATAGRAM), UnpooledByteBufAllocator.DEFAULT, this, now);
        }

        /** The application always has more to send: top the queue up as it drains. */
        void refill() {
            if (sender.state() == ReliableConnection.State.OPEN && sender.unsentBytes() < 1 << 20) {
                try {
                    while (sender.unsentBytes() < 2 << 20) {
                        // A read-only view: the engine only reads payloads, and a 64 KiB wrapper per message costs nothing.
                        sender.send(Unpooled.wrappedBuffer(PAYLOAD).asReadOnly(), false);
                    }
                } catch (Exception e) {
                    throw new AssertionError(describe("flow " + index + " send failed"), e);
                }
            }
        }

        @Override
        public void onMessage(ByteBuf message, boolean ordered) {
            try {
                int n = message.readableBytes();
                deliveredBytes += n;
                if (now >= measureFromNanos && now < measureToNanos) {
                    measuredBytes += n;
                }
                receiver.onConsumed(n);
            } finally {
                message.release();
            }
        }

        @Override
        public void onClosed(RudpErrorCode code, String reason, boolean byPeer) {
            if (!shuttingDown && closed == null) {
                closed = "receiver closed at " + now / MS + " ms: " + code + " " + reason;
            }
        }

        double goodputMbps() {
            return measuredBytes * 8 / ((measureToNanos - measureFromNanos) / 1e9) / 1e6;
        }

        @Override
        public String toString() {
            return "flow " + index + " " + cc + (closed != null ? " " + closed : "")
                    + (started() ? " " + sender.stats() : " (not started)");
        }
    }

    final long rateBytesPerSecond;
    final long queueBytes;
    final List<Flow> flows = new ArrayList<>();
    long measureFromNanos;
    long measureToNanos;
    long now;
    long events;
    private long seq;
    private long linkFreeAtNanos;
    /** Bottleneck statistics over the measurement window. */
    long drops;
    long linkBytes;
    long queueDelaySumNanos;
    long queueDelaySamples;
    long maxQueueDelayNanos;
    private boolean shuttingDown;
    private final PriorityQueue<Arrival> queue = new PriorityQueue<>(
            (x, y) -> x.time != y.time ? Long.compare(x.time, y.time) : Long.compare(x.seq, y.seq));

    Dumbbell(long rateBytesPerSecond, long queueBytes) {
        this.rateBytesPerSecond = rateBytesPerSecond;
        this.queueBytes = queueBytes;
    }

    static long mbps(double megabits) {
        return (long) (megabits * 1e6 / 8);
    }

    /** Codec defaults, with flow control far above the BDP so that only congestion control limits a flow. */
    static EngineConfig config() {
        return new EngineConfig(DATAGRAM, MAX_ACK_DELAY, 333 * MS, 30 * S, 10 * S, 16 << 20, 64 << 20, 1 << 20,
                65_536, 16 << 20, 1 << 20);
    }

    Flow add(CongestionControl cc, long startNanos, long rttNanos) {
        Flow f = new Flow(flows.size(), cc, startNanos, rttNanos / 2);
        flows.add(f);
        return f;
    }

    String describe(String what) {
        StringBuilder sb = new StringBuilder(what).append(" [t=").append(now / MS).append("ms events=").append(events)
                .append(']');
        for (Flow f : flows) {
            sb.append("\n  ").append(f);
        }
        return sb.toString();
    }

    /** Runs every flow from time 0 until {@code endNanos}, measuring from {@code fromNanos} on. */
    void run(long fromNanos, long endNanos) {
        measureFromNanos = fromNanos;
        measureToNanos = endNanos;
        long stepsAtThisTime = 0;
        // 100 Mbit/s of 1452-byte datagrams is ~8,600 per second each way plus timers; far above any real run.
        long maxEvents = (endNanos / S + 1) * 200_000L * Math.max(1, flows.size());
        while (true) {
            long t = Long.MAX_VALUE;
            ReliableConnection timerOwner = null;
            Flow timerFlow = null;
            for (Flow f : flows) {
                if (!f.started()) {
                    if (f.startNanos < t) {
                        t = f.startNanos;
                        timerOwner = null;
                        timerFlow = f;
                    }
                    continue;
                }
                long ts = f.sender.nextTimeout();
                if (ts < t) {
                    t = ts;
                    timerOwner = f.sender;
                    timerFlow = f;
                }
                long tr = f.receiver.nextTimeout();
                if (tr < t) {
                    t = tr;
                    timerOwner = f.receiver;
                    timerFlow = f;
                }
            }
            Arrival next = queue.peek();
            boolean arrival = next != null && next.time <= t;
            if (arrival) {
                t = next.time;
            }
            if (t >= endNanos) {
                now = endNanos;
                return;
            }
            stepsAtThisTime = t > now ? 0 : stepsAtThisTime + 1;
            if (stepsAtThisTime > 100_000) {
                fail(describe("time stopped: 100000 steps without the clock moving; "
                        + (arrival ? "arrivals" : "timer of flow " + timerFlow.index + (timerOwner == timerFlow.sender
                                ? " sender" : " receiver") + " due at " + t + ", now " + now)));
            }
            if (++events > maxEvents) {
                fail(describe("more than " + maxEvents + " events"));
            }
            now = Math.max(now, t);
            if (arrival) {
                queue.poll();
                ByteBuf packet = Unpooled.wrappedBuffer(next.frames);
                try {
                    next.to.onPacket(next.pn, packet, next.frames.length + OVERHEAD, now);
                } finally {
                    packet.release();
                }
                flush(next.flow, next.to);
            } else if (timerOwner == null) {
                timerFlow.start();
                timerFlow.refill();
                flush(timerFlow, timerFlow.sender);
            } else {
                timerOwner.onTimeout(now);
                flush(timerFlow, timerOwner);
            }
        }
    }

    private void flush(Flow flow, ReliableConnection conn) {
        if (conn == flow.sender) {
            flow.refill();
        }
        for (int i = 0;; i++) {
            if (i > 100_000) {
                fail(describe("flow " + flow.index + " kept writing packets without end"));
            }
            long pn = conn.nextPacketNumber();
            ByteBuf out = Unpooled.buffer(ROOM);
            byte[] frames;
            int status;
            try {
                status = conn.writePacket(out, ROOM, OVERHEAD, now);
                frames = ByteBufUtil.getBytes(out);
            } finally {
                out.release();
            }
            if (status != ReliableConnection.SENT) {
                return;
            }
            assertTrue(frames.length > 0 && frames.length <= ROOM, () -> describe("bad packet size " + frames.length));
            if (conn == flow.sender) {
                long departure = throughBottleneck(frames.length + OVERHEAD);
                if (departure >= 0) {
                    long at = Math.max(departure + flow.oneWayDelayNanos, flow.lastArrivalAtReceiver);
                    flow.lastArrivalAtReceiver = at;
                    queue.add(new Arrival(at, seq++, flow.receiver, flow, pn, frames));
                }
            } else {
                long at = Math.max(now + flow.oneWayDelayNanos, flow.lastArrivalAtSender);
                flow.lastArrivalAtSender = at;
                queue.add(new Arrival(at, seq++, flow.sender, flow, pn, frames));
            }
        }
    }

    /** Queues a datagram at the shared bottleneck: when it leaves the link, or -1 if the queue is full. */
    private long throughBottleneck(int size) {
        boolean measured = now >= measureFromNanos;
        long start = Math.max(now, linkFreeAtNanos);
        long waiting = start - now;
        long queued = (long) (waiting * (rateBytesPerSecond / 1e9));
        if (queued + size > queueBytes) {
            if (measured) {
                drops++;
            }
            return -1;
        }
        linkFreeAtNanos = start + (long) (size * 1e9 / rateBytesPerSecond);
        if (measured) {
            linkBytes += size;
            queueDelaySumNanos += waiting;
            queueDelaySamples++;
            maxQueueDelayNanos = Math.max(maxQueueDelayNanos, waiting);
        }
        return linkFreeAtNanos;
    }

    /** Jain's fairness index of the flows' measured goodput: 1 is a perfectly even split, 1/n one flow takes all. */
    double jain() {
        double sum = 0;
        double squares = 0;
        for (Flow f : flows) {
            sum += f.measuredBytes;
            squares += (double) f.measuredBytes * f.measuredBytes;
        }
        return squares == 0 ? 0 : sum * sum / (flows.size() * squares);
    }

    /** Share of the link's capacity carried in the measurement window, headers included. */
    double utilisation() {
        return linkBytes / (rateBytesPerSecond * ((measureToNanos - measureFromNanos) / 1e9));
    }

    double meanQueueMs() {
        return queueDelaySumNanos / 1e6 / Math.max(1, queueDelaySamples);
    }

    void shutdown() {
        shuttingDown = true;
        for (Flow f : flows) {
            if (f.started()) {
                f.sender.abort(RudpErrorCode.ENDPOINT_CLOSED, "test over", now);
                f.receiver.abort(RudpErrorCode.ENDPOINT_CLOSED, "test over", now);
            }
        }
        queue.clear();
    }
}
