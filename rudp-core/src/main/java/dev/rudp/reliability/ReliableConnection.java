package dev.rudp.reliability;

import dev.rudp.RudpErrorCode;
import dev.rudp.RudpException;
import dev.rudp.RudpStats;
import dev.rudp.wire.CloseFrame;
import dev.rudp.wire.FrameType;
import dev.rudp.wire.MaxDataFrame;
import dev.rudp.wire.MessageFrame;
import dev.rudp.wire.PacketFrames;
import dev.rudp.wire.Varint;
import dev.rudp.wire.WireReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * One reliable connection, without I/O: the caller feeds it received packets and timer ticks and
 * asks it for packets to send. Owns the loss detector, congestion controller, pacer, ack tracker,
 * reassembly and send queue, and the connection's close state machine; {@link PacketSender} fills
 * the packets. Single-threaded.
 *
 * <p>Reference counting: {@link #send} takes ownership of the buffer; buffers handed to
 * {@link Listener#onMessage} belong to the listener.
 */
public final class ReliableConnection implements LossDetector.Listener, InboundAssembler.Sink {

    /** Lifecycle of a connection; see {@link #transitionTo}. */
    public enum State {
        /** Messages flow both ways. */
        OPEN,
        /** The application closed: everything written is being delivered before CLOSE goes out. */
        FINISHING,
        /** CLOSE sent; waiting for the peer's CLOSE or the closing period to end. */
        CLOSING,
        /** The peer closed; our echoing CLOSE is still to be sent. */
        DRAINING,
        /** Nothing more will happen. */
        CLOSED
    }

    /** Receives what the connection produces. */
    public interface Listener {
        /** A complete message; the listener owns {@code message}. */
        void onMessage(ByteBuf message, boolean ordered);

        /** The connection ended; called exactly once. */
        void onClosed(RudpErrorCode code, String reason, boolean byPeer);
    }

    /** {@link #writePacket} wrote a packet. */
    public static final int SENT = 0;
    /** {@link #writePacket} had nothing to send. */
    public static final int IDLE = 1;
    /** {@link #writePacket} has data but the pacer holds it until {@link #nextTimeout}. */
    public static final int PACED = 2;

    private final EngineConfig config;
    private final Listener listener;
    private final RttEstimator rtt;
    private final CongestionController cc;
    private final LossDetector loss;
    private final AckTracker acks;
    private final InboundAssembler inbound;
    private final OutboundQueue outbound;
    private final Pacer pacer;
    private final PathMtu mtu;
    private final SendLimitTracker limits;
    private final PacketSender sender;
    private final PacketFrames framesIn = new PacketFrames();

    /** Ack-only packets after which one is made ack-eliciting. */
    static final int ACK_ONLY_PING_INTERVAL = 32;
    /** How often partial messages are checked for progress. */
    private static final long REASSEMBLY_CHECK_NANOS = 1_000_000_000L;

    private State state = State.OPEN;
    private long lastReassemblyCheckNanos;
    private long lastReceivedNanos;
    private CloseFrame closeFrame;
    private boolean closePending;
    private long closeDeadlineNanos;
    private long closeResendNanos;
    private RudpErrorCode closeCode;
    private String closeReason;
    private boolean closedByPeer;

    private long packetsReceived;
    private long bytesReceived;
    private long packetsLost;
    private long bytesLost;
    private long spurious;
    private long duplicates;
    private long invalid;
    private long probeTimeouts;
    private long messagesDelivered;

    public ReliableConnection(EngineConfig config, CongestionController cc, ByteBufAllocator alloc,
            Listener listener, long nowNanos) {
        this.config = config;
        this.listener = listener;
        this.cc = cc;
        this.rtt = new RttEstimator(config.initialRttNanos());
        this.loss = new LossDetector(rtt, cc, config.maxAckDelayNanos(), this);
        this.acks = new AckTracker(config.maxAckDelayNanos());
        this.inbound = new InboundAssembler(alloc, config.maxMessageSize(), config.initialWindow(),
                config.maxWindow(), config.maxPartialMessages(), this);
        // The peer's reassembly limit is not announced; endpoints are configured alike, so use ours.
        this.outbound = new OutboundQueue(config.peerInitialMaxData(), config.maxPartialMessages());
        this.mtu = new PathMtu(config.baseDatagramSize(), config.maxDatagramSize());
        this.pacer = new Pacer(NewReno.initialWindow(config.baseDatagramSize()), nowNanos);
        this.lastReceivedNanos = nowNanos;
        this.limits = new SendLimitTracker(nowNanos);
        this.sender = new PacketSender(this, rtt, cc, loss, acks, inbound, outbound, pacer, mtu, limits, nowNanos);
    }

    public State state() {
        return state;
    }

    private void transitionTo(State next) {
        boolean allowed;
        switch (state) {
            case OPEN:
                allowed = next != State.OPEN;
                break;
            case FINISHING:
                allowed = next == State.CLOSING || next == State.DRAINING || next == State.CLOSED;
                break;
            case CLOSING:
            case DRAINING:
                allowed = next == State.CLOSED;
                break;
            default:
                allowed = false;
        }
        if (!allowed) {
            throw new IllegalStateException(state + " -> " + next);
        }
        state = next;
    }

    /** Whether the application may still write. */
    public boolean isOpen() {
        return state == State.OPEN;
    }

    /** Bytes of written messages not yet acknowledged: drives channel writability. */
    public long bufferedBytes() {
        return outbound.bufferedBytes();
    }

    /** Bytes of written messages not sent even once: drives channel writability. */
    public long unsentBytes() {
        return outbound.unsentBytes();
    }

    /**
     * Queues a message for delivery; takes ownership of {@code message} (released here on
     * failure too).
     */
    public void send(ByteBuf message, boolean ordered) throws RudpException {
        if (state != State.OPEN) {
            message.release();
            throw RudpException.closed(closeCode == null ? RudpErrorCode.NO_ERROR : closeCode, "cannot write");
        }
        long limit = Math.min(config.peerMaxMessageSize(), config.peerInitialMaxData());
        if (message.readableBytes() > limit) {
            int size = message.readableBytes();
            message.release();
            throw RudpException.messageTooLarge(size, limit);
        }
        outbound.enqueue(message, ordered);
    }

    /** The application consumed {@code bytes} of delivered messages. */
    public void onConsumed(long bytes) {
        inbound.onConsumed(bytes);
    }

    /** The peer announced that it applies ACK_FREQUENCY frames: ask it for fewer ACKs when the window allows. */
    public void peerAppliesAckFrequency() {
        sender.ackFrequency.enable();
    }

    /** The caller has handed over every packet it had received for now (the end of a read burst). */
    public void onReadBatchEnd() {
        acks.onReadBatchEnd();
    }

    /** A datagram for this connection failed its integrity check. */
    public void onInvalidPacket() {
        invalid++;
    }

    /**
     * Processes one received DATA packet's frames ({@code frames} holds everything after the packet
     * number). Malformed packets are dropped and counted; protocol violations close the connection.
     */
    public void onPacket(long packetNumber, ByteBuf frames, int datagramSize, long nowNanos) {
        onPacket(packetNumber, WireReader.of(frames), datagramSize, nowNanos);
    }

    /** As {@link #onPacket(long, ByteBuf, int, long)}, with the frames from the cursor on. */
    public void onPacket(long packetNumber, WireReader frames, int datagramSize, long nowNanos) {
        if (state == State.CLOSED) {
            return;
        }
        if (packetNumber < 0 || packetNumber > Varint.MAX) {
            invalid++; // no ACK frame could acknowledge it: writing the next ACK would throw
            return;
        }
        if (!acks.onPacketNumber(packetNumber)) {
            duplicates++;
            return;
        }
        // First pass validates the whole packet so that a malformed one changes nothing.
        int start = frames.position();
        if (!framesIn.wellFormed(frames)) {
            invalid++;
            return;
        }
        frames.position(start);
        packetsReceived++;
        bytesReceived += datagramSize;
        lastReceivedNanos = nowNanos;
        boolean ackEliciting = false;
        boolean ping = false;
        while (frames.isReadable() && state != State.CLOSED) {
            FrameType type = FrameType.of(frames.readUnsignedByte());
            ackEliciting |= type.ackEliciting();
            RudpErrorCode error = null;
            switch (type) {
                case PADDING:
                    break;
                case PING:
                    ping = true;
                    break;
                case ACK_FREQUENCY:
                    long[] frequency = framesIn.ackFrequency(frames);
                    acks.onAckFrequency(frequency[0], (int) frequency[1]);
                    break;
                case ACK:
                    if (!loss.onAck(framesIn.ack(frames), nowNanos, !outbound.hasSendable())) {
                        error = RudpErrorCode.PROTOCOL_VIOLATION;
                    }
                    break;
                case MESSAGE_ORDERED:
                case MESSAGE_UNORDERED:
                    MessageFrame message = framesIn.message(frames, type == FrameType.MESSAGE_ORDERED);
                    if (state == State.OPEN || state == State.FINISHING) {
                        error = inbound.onFragment(message, nowNanos);
                    }
                    break;
                case MAX_DATA:
                    outbound.onMaxData(MaxDataFrame.decode(frames));
                    break;
                case CLOSE:
                    onPeerClose(CloseFrame.decode(frames), nowNanos);
                    break;
                default:
                    throw new IllegalStateException(type.toString());
            }
            if (error != null) {
                abort(error, "peer sent an invalid " + type + " frame", nowNanos);
                return;
            }
        }
        if (state != State.CLOSED) {
            acks.onPacketProcessed(packetNumber, ackEliciting, ping, nowNanos);
        }
        checkFinished(nowNanos);
    }

    private void onPeerClose(CloseFrame frame, long nowNanos) {
        switch (state) {
            case OPEN:
            case FINISHING:
                transitionTo(State.DRAINING);
                closeFrame = new CloseFrame(RudpErrorCode.NO_ERROR.code(), "");
                closePending = true;
                finish(RudpErrorCode.of(frame.code()), frame.reason(), true, nowNanos, false);
                break;
            case CLOSING:
                finish(closeCode, closeReason, false, nowNanos, true);
                break;
            default:
                break;
        }
    }

    /** Starts a close. {@code NO_ERROR} delivers everything written first; any other code is immediate. */
    public void close(RudpErrorCode code, String reason, long nowNanos) {
        // An error close may cut short a graceful one still delivering (FINISHING); nothing else.
        boolean cutsShortFinishing = state == State.FINISHING && code != RudpErrorCode.NO_ERROR;
        if (state != State.OPEN && !cutsShortFinishing) {
            return;
        }
        closeCode = code;
        closeReason = reason;
        if (code == RudpErrorCode.NO_ERROR) {
            transitionTo(State.FINISHING);
            checkFinished(nowNanos);
        } else {
            startClosing(nowNanos);
        }
    }

    /**
     * Ends the connection at once (idle timeout, reset, endpoint gone, protocol violation). For a
     * violation the peer is told why in one CLOSE; otherwise nothing more is sent.
     */
    public void abort(RudpErrorCode code, String reason, long nowNanos) {
        if (state == State.CLOSED) {
            return;
        }
        boolean tellPeer = code == RudpErrorCode.PROTOCOL_VIOLATION || code == RudpErrorCode.FLOW_CONTROL_ERROR;
        if (tellPeer && (state == State.OPEN || state == State.FINISHING)) {
            closeCode = code;
            closeReason = reason;
            startClosing(nowNanos);
            finish(code, reason, false, nowNanos, false);
        } else {
            finish(code, reason, false, nowNanos, true);
        }
    }

    private void checkFinished(long nowNanos) {
        if (state == State.FINISHING && outbound.isDrained() && !loss.hasAckElicitingOutstanding()) {
            startClosing(nowNanos);
        }
    }

    private void startClosing(long nowNanos) {
        transitionTo(State.CLOSING);
        closeFrame = new CloseFrame(closeCode.code(), closeReason);
        closePending = true;
        long pto = loss.probeTimeout();
        closeDeadlineNanos = nowNanos + 3 * pto;
        closeResendNanos = nowNanos + pto;
    }

    /** Notifies the listener (once) and releases every buffer; moves to CLOSED if {@code toClosed}. */
    private void finish(RudpErrorCode code, String reason, boolean byPeer, long nowNanos, boolean toClosed) {
        if (toClosed && state != State.CLOSED) {
            transitionTo(State.CLOSED);
            limits.stop(nowNanos);
        }
        if (!closedNotified) {
            closedNotified = true;
            closeCode = code;
            closeReason = reason;
            closedByPeer = byPeer;
            releaseAll();
            listener.onClosed(code, reason, byPeer);
        }
    }

    private boolean closedNotified;

    /** Whether a CLOSE frame waits for the next packet ({@link PacketSender}). */
    boolean closePending() {
        return closePending;
    }

    /** Puts the pending CLOSE frame into {@code out}; once the echo of a peer's CLOSE is out, the end. */
    void writeClose(ByteBuf out, long nowNanos) {
        closeFrame.encode(out);
        closePending = false;
        if (state == State.DRAINING) {
            finish(closeCode, closeReason, closedByPeer, nowNanos, true);
        }
    }

    private void releaseAll() {
        outbound.releaseAll(loss.log());
        loss.abandonAll();
        inbound.releaseAll();
    }

    // ---- receiving side callbacks ----

    @Override
    public void deliver(ByteBuf message, boolean ordered) {
        messagesDelivered++;
        listener.onMessage(message, ordered);
    }

    // ---- loss detector callbacks ----

    @Override
    public void onPacketAcked(SentPacket p, long nowNanos) {
        if (p.mtuProbe) {
            if (mtu.onProbeAcked(p.packetNumber, nowNanos)) {
                cc.onDatagramSizeChanged(mtu.current());
                pacer.setMinBurst(NewReno.initialWindow(mtu.current()));
            }
            return;
        }
        outbound.onAcked(p);
    }

    @Override
    public void onPacketLost(SentPacket p, long nowNanos) {
        if (p.mtuProbe) {
            mtu.onProbeLost(p.packetNumber, nowNanos); // too big, most likely: not a loss of the path
            return;
        }
        packetsLost++;
        bytesLost += p.size;
        outbound.onLost(p);
        if (p.hasMaxData) {
            sender.maxDataPending = true;
        }
        if (p.ackFrequencySequence >= 0) {
            sender.ackFrequency.onLost(p.ackFrequencySequence);
        }
    }

    @Override
    public void onSpuriousLoss(SentPacket p) {
        if (p.mtuProbe) {
            return;
        }
        spurious++;
    }

    // ---- timers ----

    /** When {@link #onTimeout} should next run (absolute nanos), or Long.MAX_VALUE. */
    public long nextTimeout() {
        if (state == State.CLOSED) {
            return Long.MAX_VALUE;
        }
        long t = Long.MAX_VALUE;
        if (config.idleTimeoutNanos() > 0) {
            t = lastReceivedNanos + config.idleTimeoutNanos();
        }
        if (state == State.CLOSING) {
            return Math.min(t, Math.min(closeDeadlineNanos, closeResendNanos));
        }
        if (state == State.DRAINING) {
            return t;
        }
        long lossT = loss.timerDeadline();
        if (lossT != 0) {
            t = Math.min(t, lossT);
        }
        long ackT = acks.ackDeadline();
        if (ackT != 0) {
            t = Math.min(t, ackT);
        }
        // Once its PING is pending the keepalive is done: the PING may wait for the pacer, whose
        // wake-up is below, and a deadline left in the past would spin the event loop meanwhile.
        if (config.keepaliveNanos() > 0 && state == State.OPEN && !sender.pingPending) {
            t = Math.min(t, Math.max(lastReceivedNanos, sender.lastAckElicitingSentNanos) + config.keepaliveNanos());
        }
        if (sender.pacingWakeNanos != 0) {
            t = Math.min(t, sender.pacingWakeNanos);
        }
        return t;
    }

    /** Runs due timers; the caller should then send what {@link #writePacket} offers. */
    public void onTimeout(long nowNanos) {
        if (state == State.CLOSED) {
            return;
        }
        if (config.idleTimeoutNanos() > 0 && nowNanos - lastReceivedNanos >= config.idleTimeoutNanos()) {
            abort(RudpErrorCode.IDLE_TIMEOUT, "no packet from the peer for "
                    + config.idleTimeoutNanos() / 1_000_000 + " ms", nowNanos);
            return;
        }
        if (state == State.CLOSING) {
            if (nowNanos >= closeDeadlineNanos) {
                finish(closeCode, closeReason, false, nowNanos, true);
            } else if (nowNanos >= closeResendNanos) {
                closePending = true;
                closeResendNanos = nowNanos + loss.probeTimeout();
            }
            return;
        }
        if (sender.pacingWakeNanos != 0 && nowNanos >= sender.pacingWakeNanos) {
            sender.pacingWakeNanos = 0;
        }
        if (nowNanos - lastReassemblyCheckNanos >= REASSEMBLY_CHECK_NANOS) {
            lastReassemblyCheckNanos = nowNanos;
            // A peer that keeps one message incomplete while sending others pins its memory: the
            // reliable sender would have finished it long ago, so this is a broken or hostile peer.
            long limit = config.idleTimeoutNanos() > 0 ? config.idleTimeoutNanos() : 30_000_000_000L;
            long oldest = inbound.oldestProgressNanos();
            if (oldest != Long.MAX_VALUE && nowNanos - oldest > limit) {
                abort(RudpErrorCode.PROTOCOL_VIOLATION, "a message stalled in reassembly for "
                        + (nowNanos - oldest) / 1_000_000 + " ms", nowNanos);
                return;
            }
        }
        long lossT = loss.timerDeadline();
        if (lossT != 0 && nowNanos >= lossT) {
            if (loss.onTimeout(nowNanos)) {
                probeTimeouts++;
                SentPacket oldest = loss.oldestOutstanding();
                if (oldest == null || !outbound.queueProbe(oldest)) {
                    sender.pingPending = true;
                }
                sender.probesPending = 2;
            }
        }
        if (config.keepaliveNanos() > 0 && state == State.OPEN && nowNanos
                - Math.max(lastReceivedNanos, sender.lastAckElicitingSentNanos) >= config.keepaliveNanos()) {
            sender.pingPending = true;
        }
    }

    // ---- sending (the work is PacketSender's) ----

    /**
     * Writes the frames of the next packet into {@code out}, using at most {@code room} bytes.
     *
     * @param overhead bytes the caller adds around the frames (header and trailer), for accounting
     * @return {@link #SENT}, {@link #IDLE} or {@link #PACED}
     */
    public int writePacket(ByteBuf out, int room, int overhead, long nowNanos) {
        return sender.writePacket(out, room, overhead, nowNanos);
    }

    /** Largest packet (header to trailer, before any security layer) the path is known to carry. */
    public int datagramSize() {
        return mtu.current();
    }

    /**
     * The size of a path MTU probe to send now with {@link #writeProbe}, or 0. Like a probe-timeout
     * probe it goes out beyond the congestion window and the pacer: a window-limited transfer never
     * has a probe's worth of room, and one probe is outstanding at a time, so the excess is one
     * packet no larger than the outgoing interface's MTU.
     */
    public int probeSize(long nowNanos) {
        return sender.probeSize(nowNanos);
    }

    /**
     * Writes a path MTU probe: a PING padded to fill {@code room}. Its acknowledgement raises
     * {@link #datagramSize()}; its loss counts against the size only, never as congestion.
     *
     * @param overhead bytes the caller adds around the frames (header and trailer), for accounting
     * @param packetSize the probed size, as returned by {@link #probeSize}
     */
    public void writeProbe(ByteBuf out, int room, int overhead, int packetSize, long nowNanos) {
        sender.writeProbe(out, room, overhead, packetSize, nowNanos);
    }

    /** The packet number {@link #writePacket} will use next. */
    public long nextPacketNumber() {
        return loss.log().nextPacketNumber();
    }

    /**
     * The caller stopped asking for packets because its datagram channel takes no more writes: time
     * from now counts as socket-limited if data was ready to go, until the next {@link #writePacket}.
     */
    public void onSocketBlocked(long nowNanos) {
        sender.onSocketBlocked(nowNanos);
    }

    /** A snapshot with time accounted up to the latest call and the socket's counters unknown (-1). */
    public RudpStats stats() {
        return stats(limits.latestNanos(), -1, -1, -1, -1);
    }

    /** This side's flow-control window: what the peer may have in flight toward us. */
    public long receiveWindow() {
        return inbound.window();
    }

    /** The smallest round trip measured so far; 0 before the first sample. */
    public long minRttNanos() {
        return rtt.hasSample() ? rtt.minRtt() : 0;
    }

    /** What the congestion controller allows in flight now. */
    public long congestionWindow() {
        return cc.congestionWindow();
    }

    /**
     * A snapshot at {@code nowNanos}; the caller, which owns the socket, adds its figures
     * ({@link RudpStats#socketReceiveDrops}, {@link RudpStats#socketErrors}, the buffers; -1 if unknown).
     */
    public RudpStats stats(long nowNanos, long socketReceiveDrops, long socketErrors, int socketReceiveBuffer,
            int socketSendBuffer) {
        return new RudpStats(rtt.smoothedRtt(), rtt.rttVar(), rtt.minRtt(), cc.congestionWindow(),
                loss.bytesInFlight(), pacer.rate() == Long.MAX_VALUE ? 0 : pacer.rate(), sender.packetsSent, sender.bytesSent,
                packetsReceived, bytesReceived, packetsLost, bytesLost, outbound.retransmittedBytes(), spurious,
                duplicates, invalid, probeTimeouts, outbound.peerMaxData(), inbound.window(), messagesDelivered,
                limits.snapshot(nowNanos), socketReceiveDrops, socketErrors, mtu.current(), socketReceiveBuffer,
                socketSendBuffer);
    }
}
