package dev.rudp.dtls;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
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
 */
final class PeerTransport implements DatagramTransport {
    /** Datagrams held for a handshaking peer; beyond this they are dropped (the peer retransmits). */
    static final int INBOX_CAPACITY = 256;
    /** Largest datagram the handshake accepts: the largest UDP payload over IPv4. */
    static final int MAX_DATAGRAM = 65_507;

    /** Writes one DTLS datagram to the peer. */
    interface RecordWriter {
        void write(InetSocketAddress peer, byte[] buf, int off, int len);
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

    private final InetSocketAddress peer;
    /** Read by BouncyCastle through {@link #getSendLimit()}, on the handshake thread or the event loop. */
    private volatile int sendLimit;
    private final int recordLimit;
    private final RecordWriter writer;
    private final BlockingQueue<byte[]> inbox = new ArrayBlockingQueue<>(INBOX_CAPACITY);
    private final Empty empty = new Empty();
    private volatile boolean eventLoopMode;
    private volatile boolean closed;
    /** Handshake thread only: records of the current flight not yet sent; null in event-loop mode. */
    private byte[] flight;
    private int flightLength;
    /** Event-loop mode only: the datagram at hand, not owned (the handler releases it). */
    private ByteBuf current;
    /** Event-loop mode only: the size of the last datagram handed over; records still queued in BC fit in it. */
    private int lastSize = RecordGuard.RECORD_HEADER;

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

    /** Hands a copied datagram to a handshaking peer; false when the inbox is full or the transport closed. */
    boolean offer(byte[] datagram) {
        return !closed && inbox.offer(datagram);
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
        return copy(datagram, buf, off, len);
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
