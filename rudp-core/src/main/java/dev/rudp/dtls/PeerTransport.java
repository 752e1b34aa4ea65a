package dev.rudp.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * The {@link DatagramTransport} BouncyCastle's record layer reads from and writes to for one peer.
 * It works in two modes:
 * <ul>
 * <li><b>blocking</b>, during the handshake, on the handshake thread: {@link #receive} waits up to
 *     BouncyCastle's {@code waitMillis} for a datagram that the event loop {@link #offer}ed into a bounded
 *     inbox of {@link #INBOX_CAPACITY} datagrams;</li>
 * <li><b>event loop</b>, after {@link #enterEventLoopMode()}: the handler sets the datagram at hand with
 *     {@link #setCurrent} and calls {@code DTLSTransport.receive}; when nothing is left, {@link #receive}
 *     throws a preallocated {@link Empty}, an {@link InterruptedIOException} that BouncyCastle passes up
 *     without failing the connection, so the call returns at once instead of waiting or spinning.</li>
 * </ul>
 * Sends go to a {@link RecordWriter}. During the handshake the records of a flight are packed into as
 * few datagrams as fit {@link #getSendLimit()} (RFC 6347 section 4.1.1 allows several records per
 * datagram; BouncyCastle sends each record alone): the packed datagram goes out when BouncyCastle next
 * waits in {@link #receive}, or on {@link #flushFlight()} once the handshake returned. Fewer datagrams
 * per flight means a flight survives loss more often: at 30% loss a 3-record flight sent as 3 datagrams
 * arrives whole 34% of the time, packed into one 70%. After {@link #abort} or {@link #close} sends are
 * dropped and a blocked {@link #receive} throws.
 *
 * <p>While the handshake runs the transport notes what BouncyCastle seals and opens in epoch 1
 * ({@link #handover()}); once {@link GcmRecords} took over the epoch ({@link #useGcmRecords}), every
 * epoch-1 record BouncyCastle still sends is sealed again with the JDK path's sequence number.
 */
final class PeerTransport implements DatagramTransport {
    /** Datagrams held for a handshaking peer; beyond this they are dropped (the peer retransmits). */
    static final int INBOX_CAPACITY = 256;
    /** Largest datagram the handshake accepts: the largest UDP payload over IPv4. */
    static final int MAX_DATAGRAM = 65_507;

    /** Writes one DTLS datagram to the peer. */
    interface RecordWriter {
        void write(InetSocketAddress peer, byte[] buf, int off, int len);

        /** Writes one DTLS datagram held in {@code datagram}, which it releases. */
        default void write(InetSocketAddress peer, ByteBuf datagram) {
            try {
                write(peer, ByteBufUtil.getBytes(datagram), 0, datagram.readableBytes());
            } finally {
                datagram.release();
            }
        }
    }

    /** Thrown by {@link #receive} in event-loop mode when there is nothing to read; stackless, one per transport. */
    static final class Empty extends InterruptedIOException {
        private static final long serialVersionUID = 1L;

        Empty() {
            super("no datagram pending");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private static final byte[] WAKE_UP = new byte[0];
    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(PeerTransport.class);

    private final InetSocketAddress peer;
    /** Read by BouncyCastle through {@link #getSendLimit()}, on the handshake thread or the event loop. */
    private volatile int sendLimit;
    private final int recordLimit;
    private final RecordWriter writer;
    private final BlockingQueue<byte[]> inbox = new ArrayBlockingQueue<>(INBOX_CAPACITY);
    private final Empty empty = new Empty();
    private volatile boolean eventLoopMode;
    /** Whether the next handshake send starts a new flight (none sent yet, or the peer was heard since). */
    private volatile boolean owesFlight = true;
    private volatile boolean sentAny;
    private volatile Runnable newFlight;
    private volatile boolean closed;
    /** Handshake thread only: records of the current flight not yet sent; null in event-loop mode. */
    private byte[] flight;
    private int flightLength;
    /** Event-loop mode only: the datagram at hand, not owned (the handler releases it). */
    private ByteBuf current;
    /** Event-loop mode only: the size of the last datagram handed over; records still queued in BC fit in it. */
    private int lastSize = RecordGuard.RECORD_HEADER;
    /** Handshake thread: what BouncyCastle sealed and opened in epoch 1, for the JDK path's hand-over. */
    private final Handover handover = new Handover();
    /** Event loop: the JDK record path once it took over epoch 1, else null. */
    private GcmRecords gcm;

    /**
     * @param flightLimit the largest handshake datagram: its plaintext limit plus the record overhead
     * @param recordLimit the largest application-data datagram, once {@link #useRecordLimit()} was called
     */
    PeerTransport(InetSocketAddress peer, int flightLimit, int recordLimit, RecordWriter writer) {
        this.peer = peer;
        this.sendLimit = flightLimit;
        this.recordLimit = recordLimit;
        this.writer = writer;
        this.flight = new byte[flightLimit];
    }

    /**
     * Handshake done: from now on BouncyCastle may send records up to the record limit. Flights stay
     * small because no path MTU is known while they fly; application data goes as large as the
     * rudp codec's path MTU discovery has proven.
     */
    void useRecordLimit() {
        sendLimit = recordLimit;
    }

    /** What BouncyCastle sealed and opened in epoch 1 during the handshake. */
    Handover handover() {
        return handover;
    }

    /**
     * Event-loop mode: {@code records} took over epoch 1, so every epoch-1 record BouncyCastle sends from
     * now on is sealed again by it (with its sequence number) before it leaves.
     */
    void useGcmRecords(GcmRecords records) {
        this.gcm = records;
    }

    /** Event-loop mode: the next datagram left in the inbox from the handshake, or null. */
    byte[] pollInbox() {
        byte[] queued = inbox.poll();
        return queued == WAKE_UP ? null : queued;
    }

    /** Hands a copied datagram to a handshaking peer; false when the inbox is full or the transport closed. */
    boolean offer(byte[] datagram) {
        if (closed || !inbox.offer(datagram)) {
            return false;
        }
        owesFlight = true;
        return true;
    }

    /**
     * {@code callback} runs (on the handshake thread) when the handshake sends the first record of a new
     * flight: its first, and the first after each datagram from the peer ({@link #offer}); not for
     * retransmissions. The time a side spends computing its next flight is then not the peer's silence.
     */
    void onNewFlight(Runnable callback) {
        this.newFlight = callback;
    }

    /** Whether the handshake sent anything yet. */
    boolean sentAny() {
        return sentAny;
    }

    /**
     * Switches to event-loop mode; datagrams still in the inbox are read first. Call after the handshake
     * thread's {@link #flushFlight()}.
     */
    void enterEventLoopMode() {
        eventLoopMode = true;
        flight = null;
    }

    /** Handshake thread: sends the records packed so far, if any. */
    void flushFlight() {
        if (flightLength > 0 && !closed) {
            writer.write(peer, flight, 0, flightLength);
        }
        flightLength = 0;
    }

    /** Event-loop mode: the datagram the next {@code DTLSTransport.receive} reads (null: none). */
    void setCurrent(ByteBuf datagram) {
        current = datagram;
    }

    /**
     * Event-loop mode: whether the datagram at hand was read and no handshake datagram waits, so the
     * transport has nothing more to give.
     */
    boolean drained() {
        return current == null && inbox.isEmpty();
    }

    boolean isClosed() {
        return closed;
    }

    /** Ends the transport without a close_notify: drops later sends, wakes and fails a blocked receive. */
    void abort() {
        closed = true;
        inbox.clear();
        inbox.offer(WAKE_UP);
    }

    @Override
    public int getReceiveLimit() {
        if (!eventLoopMode) {
            return MAX_DATAGRAM;
        }
        byte[] head = inbox.peek();
        int next = head != null ? head.length : current != null ? current.readableBytes() : 0;
        return Math.max(next, lastSize);
    }

    @Override
    public int getSendLimit() {
        return sendLimit;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (eventLoopMode) {
            return receiveNow(buf, off, len);
        }
        flushFlight();
        byte[] datagram;
        try {
            datagram = waitMillis > 0 ? inbox.poll(waitMillis, TimeUnit.MILLISECONDS) : inbox.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DtlsException.closed(peer, "handshake thread interrupted");
        }
        if (closed) {
            throw DtlsException.closed(peer, "handshake aborted");
        }
        if (datagram == null) {
            return -1;
        }
        int n = copy(datagram, buf, off, len);
        if (n > 0) {
            handover.received(datagram);
        }
        return n;
    }

    private int receiveNow(byte[] buf, int off, int len) throws Empty {
        byte[] queued = inbox.poll();
        if (queued != null && queued != WAKE_UP) {
            lastSize = queued.length;
            return copy(queued, buf, off, len);
        }
        ByteBuf datagram = current;
        if (datagram == null || closed) {
            throw empty;
        }
        current = null;
        int n = datagram.readableBytes();
        lastSize = n;
        if (n > len) {
            return -1;
        }
        datagram.getBytes(datagram.readerIndex(), buf, off, n);
        return n;
    }

    private static int copy(byte[] datagram, byte[] buf, int off, int len) {
        if (datagram.length > len) {
            return -1;
        }
        System.arraycopy(datagram, 0, buf, off, datagram.length);
        return datagram.length;
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        if (closed) {
            return;
        }
        if (eventLoopMode && gcm != null && len >= RecordGuard.RECORD_HEADER
                && ((buf[off + 3] & 0xFF) << 8 | buf[off + 4] & 0xFF) == GcmRecords.EPOCH) {
            sendResealed(buf, off, len);
            return;
        }
        if (!eventLoopMode) {
            handover.sent(buf, off, len);
            if (owesFlight) {
                owesFlight = false;
                sentAny = true;
                Runnable r = newFlight;
                if (r != null) {
                    r.run();
                }
            }
        }
        byte[] packing = flight;
        if (eventLoopMode || packing == null || len > packing.length) {
            writer.write(peer, buf, off, len);
            return;
        }
        if (flightLength + len > packing.length) {
            flushFlight();
        }
        System.arraycopy(buf, off, packing, flightLength, len);
        flightLength += len;
    }

    private void sendResealed(byte[] buf, int off, int len) {
        ByteBuf record;
        try {
            record = gcm.reseal(ByteBufAllocator.DEFAULT, buf, off, len);
        } catch (GeneralSecurityException | RuntimeException e) {
            record = null;
            LOG.debug("could not seal a BouncyCastle record to {} again: {}", peer, e.toString());
        }
        if (record != null) {
            writer.write(peer, record);
        }
    }

    /**
     * Called by BouncyCastle after it sent close_notify or a fatal alert: the session is over. On the
     * handshake thread the alert may still be packed: it goes out first.
     */
    @Override
    public void close() {
        if (!eventLoopMode) {
            flushFlight();
        }
        closed = true;
    }
}
