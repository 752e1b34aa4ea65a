package dev.rudp.dtls;

import dev.rudp.wire.ByteCopy;
import dev.rudp.wire.WireReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;

/**
 * Record protection and unprotection for established sessions, on the event loop.
 *
 * <p>With the JDK record path ({@link GcmRecords}, the default for AES-GCM suites): an application
 * record is sealed from the plaintext buffer straight into the direct buffer written to the socket, and
 * an epoch-1 application record is opened into an array of its own and handed up as a heap buffer
 * ({@link GcmRecords#open}). Every other record of a datagram (alerts, handshake
 * retransmissions) goes to BouncyCastle alone, one record at a time.
 *
 * <p>Without it (other suites, or {@link DtlsConfig#JDK_RECORDS_PROPERTY} off), BouncyCastle's record
 * layer, with one copy into its {@code byte[]} world and one copy out:
 * <ul>
 * <li>in: the datagram's bytes are copied straight into BouncyCastle's record buffer
 *     ({@link PeerTransport#setCurrent}); BouncyCastle decrypts each application record into the array
 *     of a pooled heap {@link ByteBuf}, which is fired as a {@link DatagramPacket} (a small record is
 *     copied into a buffer of its size first);</li>
 * <li>out: a heap plaintext's backing array goes to {@code DTLSTransport.send} as it is (a direct one is
 *     copied into a scratch array); the sealed record is copied into a direct {@link ByteBuf} and written.</li>
 * </ul>
 * With {@link DtlsHandler#wholeDatagrams()}, a plaintext larger than a record is sealed as several records
 * gathered into one datagram (on either path), and a datagram's application records are handed up joined:
 * on the JDK path each is opened straight into one buffer for the whole datagram, and one record failing
 * drops the datagram; on BouncyCastle's path the records' plaintexts are copied together.
 * BouncyCastle is never allowed to wait: {@link PeerTransport} throws when the datagram is used up.
 * Records written on the event loop are flushed by {@link #flushIfNeeded()} (at the end of a read burst,
 * or when the handler above flushes), so a burst leaves in one flush (sendmmsg on epoll).
 *
 * <p>Event loop only, except the {@code write} methods, which handshake threads call as well.
 */
final class RecordPath implements PeerTransport.RecordWriter {
    private static final int MAX_PLAINTEXT = 1 << 14;
    /** Any positive wait: in event-loop mode the transport never waits, it throws when empty. */
    private static final int NO_WAIT_MILLIS = 60_000;
    /**
     * BouncyCastle's records at least this large are handed up in the pooled buffer they were decrypted
     * into; smaller ones are copied out, so a few bytes do not pin 16 KiB while they wait in reassembly.
     * Pooled rather than a fresh array per record: no zeroing and no garbage per record, and the buffers
     * stay warm in the cache. (The JDK path hands every record up in an array of its own, which
     * the cipher writes in any case.)
     */
    private static final int HAND_OVER_BYTES = MAX_PLAINTEXT / 4;

    private final ChannelHandlerContext ctx;
    /** For records nobody waits on: a failed datagram write is a lost datagram, not a pipeline exception. */
    private final VoidChannelPromise quiet;
    private final byte[] scratch;
    /** {@link DtlsHandler#wholeDatagrams()}: a datagram is one message, whatever its number of records. */
    private final boolean whole;
    /** While BouncyCastle seals the records of one whole datagram: where they are gathered. */
    private ByteBuf gathering;
    /**
     * The pooled buffer the next record is decrypted into; kept when the datagram runs out of records
     * or the record was small, so a datagram costs one buffer, not one plus one for the final empty read.
     */
    private ByteBuf spare;
    /** The promise of the plaintext write being protected, for the one record BouncyCastle sends for it. */
    private ChannelPromise sendingPromise;
    private boolean flushNeeded;

    RecordPath(ChannelHandlerContext ctx, int maxRecordPlaintext, boolean whole) {
        this.ctx = ctx;
        this.whole = whole;
        this.quiet = new VoidChannelPromise(ctx.channel(), false);
        this.scratch = new byte[Math.max(1, maxRecordPlaintext)];
    }

    /**
     * Unprotects the records of {@code datagram} (null: only datagrams left in the inbox from the
     * handshake) and fires each application record's plaintext as a datagram from the peer.
     * {@code oneRecord}: the datagram holds exactly one record (as every data-path datagram does). Once
     * that record was delivered nothing is left, neither in the transport nor queued inside BouncyCastle
     * (it queues only the records after the first of a datagram), so no further receive is made: each
     * one costs BouncyCastle a record-sized array it allocates before asking the transport, and the
     * transport an {@link PeerTransport.Empty} throw.
     *
     * @return how many application records were delivered
     * @throws IOException when the session failed (a fatal alert from the peer)
     */
    int unprotect(DtlsSession s, ByteBuf datagram, boolean oneRecord, InetSocketAddress recipient) throws IOException {
        GcmRecords gcm = s.gcm();
        if (gcm == null) {
            return unprotectWithBouncyCastle(s, datagram, oneRecord, recipient);
        }
        int delivered = 0;
        byte[] queued;
        while (isOpen(s) && (queued = s.transport.pollInbox()) != null) {
            ByteBuf left = Unpooled.wrappedBuffer(queued);
            try {
                delivered += unprotectRecords(s, gcm, left, recipient);
            } finally {
                left.release();
            }
        }
        if (datagram != null) {
            delivered += unprotectRecords(s, gcm, datagram, recipient);
        }
        return delivered;
    }

    private static boolean isOpen(DtlsSession s) {
        return s.state() == DtlsSession.State.ESTABLISHED && !s.transport.isClosed();
    }

    /**
     * The JDK path: opens each epoch-1 application record of {@code datagram} into an array of its own
     * and fires its plaintext; hands every other record to BouncyCastle on its own.
     */
    private int unprotectRecords(DtlsSession s, GcmRecords gcm, ByteBuf datagram, InetSocketAddress recipient)
            throws IOException {
        WireReader d = WireReader.of(datagram);
        if (whole && jdkRecordsIn(d) > 1) {
            return unprotectWhole(s, gcm, d, recipient);
        }
        int delivered = 0;
        int end = d.limit();
        for (int at = d.position(); end - at >= RecordGuard.RECORD_HEADER && isOpen(s); ) {
            int next = at + RecordGuard.RECORD_HEADER + d.getUnsignedShort(at + 11);
            if (next > end) {
                break;
            }
            if (isJdkRecord(d, at)) {
                ByteBuf out = gcm.open(d, at);
                if (out != null) {
                    delivered++;
                    s.touch(System.nanoTime());
                    ctx.fireChannelRead(new DatagramPacket(out, recipient, s.peer));
                }
            } else {
                delivered += unprotectWithBouncyCastle(s, datagram.slice(at, next - at), true, recipient);
            }
            at = next;
        }
        return delivered;
    }

    /** Whether the record at {@code at} is one the JDK path opens: application data of epoch 1. */
    private static boolean isJdkRecord(WireReader datagram, int at) {
        return datagram.getUnsignedByte(at) == RecordGuard.APPLICATION_DATA
                && datagram.getUnsignedShort(at + 3) == GcmRecords.EPOCH;
    }

    /** The epoch-1 application records of the datagram (complete ones). */
    private static int jdkRecordsIn(WireReader datagram) {
        int count = 0;
        int end = datagram.limit();
        for (int at = datagram.position(); end - at >= RecordGuard.RECORD_HEADER; ) {
            int next = at + RecordGuard.RECORD_HEADER + datagram.getUnsignedShort(at + 11);
            if (next > end) {
                break;
            }
            if (isJdkRecord(datagram, at)) {
                count++;
            }
            at = next;
        }
        return count;
    }

    /**
     * The JDK path for a whole datagram of several application records: each is opened straight into one
     * buffer, which goes up as one plaintext when every one of them authenticated; other records of the
     * datagram go to BouncyCastle on their own.
     */
    private int unprotectWhole(DtlsSession s, GcmRecords gcm, WireReader datagram, InetSocketAddress recipient)
            throws IOException {
        int end = datagram.limit();
        int total = 0;
        for (int at = datagram.position(); end - at >= RecordGuard.RECORD_HEADER; ) {
            int length = datagram.getUnsignedShort(at + 11);
            if (at + RecordGuard.RECORD_HEADER + length > end) {
                break;
            }
            if (isJdkRecord(datagram, at)) {
                total += Math.max(0, length - GcmRecords.EXPLICIT_NONCE - GcmRecords.TAG);
            }
            at += RecordGuard.RECORD_HEADER + length;
        }
        ByteBuf joined = ctx.alloc().directBuffer(total, total);
        int opened = 0;
        boolean intact = true;
        int delivered = 0;
        try {
            for (int at = datagram.position(); end - at >= RecordGuard.RECORD_HEADER && isOpen(s); ) {
                int next = at + RecordGuard.RECORD_HEADER + datagram.getUnsignedShort(at + 11);
                if (next > end) {
                    break;
                }
                if (!isJdkRecord(datagram, at)) {
                    delivered += unprotectWithBouncyCastle(s, datagram.buffer().slice(at, next - at), true, recipient);
                } else if (intact && gcm.openInto(datagram, at, joined) >= 0) {
                    opened++;
                } else {
                    intact = false; // one record lost makes the datagram's message useless: drop it whole
                }
                at = next;
            }
            if (intact && opened > 0 && isOpen(s)) {
                s.touch(System.nanoTime());
                ctx.fireChannelRead(new DatagramPacket(joined, recipient, s.peer));
                joined = null;
                delivered += opened;
            }
        } finally {
            if (joined != null) {
                joined.release();
            }
        }
        return delivered;
    }

    private int unprotectWithBouncyCastle(DtlsSession s, ByteBuf datagram, boolean oneRecord,
            InetSocketAddress recipient) throws IOException {
        if (whole && !oneRecord && datagram != null) {
            return unprotectWholeWithBouncyCastle(s, datagram, recipient);
        }
        s.transport.setCurrent(datagram);
        int delivered = 0;
        int bound = PeerTransport.INBOX_CAPACITY + 1
                + (datagram == null ? 0 : datagram.readableBytes() / RecordGuard.RECORD_HEADER);
        try {
            for (int i = 0; i < bound && s.state() == DtlsSession.State.ESTABLISHED; i++) {
                if (spare == null) {
                    spare = ctx.alloc().heapBuffer(MAX_PLAINTEXT);
                }
                int n = s.dtls().receive(spare.array(), spare.arrayOffset(), MAX_PLAINTEXT, NO_WAIT_MILLIS);
                if (n < 0) {
                    break;
                }
                delivered++;
                s.touch(System.nanoTime());
                ByteBuf out;
                if (n >= HAND_OVER_BYTES) {
                    out = spare.writerIndex(n);
                    spare = null;
                } else {
                    out = ByteCopy.append(ctx.alloc().buffer(n), spare, 0, n);
                }
                ctx.fireChannelRead(new DatagramPacket(out, recipient, s.peer));
                if (oneRecord && datagram != null && s.transport.drained()) {
                    break;
                }
            }
        } catch (PeerTransport.Empty nothingLeft) {
            // every record of the datagram was processed
        } finally {
            s.transport.setCurrent(null);
        }
        return delivered;
    }

    /**
     * BouncyCastle's path for a whole datagram: datagrams left from the handshake first, each on its own;
     * then this datagram's application records, joined into one plaintext when all of them came through.
     */
    private int unprotectWholeWithBouncyCastle(DtlsSession s, ByteBuf datagram, InetSocketAddress recipient)
            throws IOException {
        int delivered = 0;
        if (!s.transport.drained()) {
            delivered += unprotectWithBouncyCastle(s, null, false, recipient);
        }
        int expected = jdkRecordsIn(WireReader.of(datagram));
        java.util.List<ByteBuf> parts = new java.util.ArrayList<>(Math.max(1, expected));
        s.transport.setCurrent(datagram);
        try {
            // BouncyCastle takes the datagram on the first call and queues the records after the first
            // inside itself: ask until each record came, or the transport says nothing is left.
            int bound = datagram.readableBytes() / RecordGuard.RECORD_HEADER + 1;
            int filled = 0;
            for (int i = 0; i < bound && filled < expected && s.state() == DtlsSession.State.ESTABLISHED; i++) {
                ByteBuf part = ctx.alloc().heapBuffer(MAX_PLAINTEXT);
                parts.add(part);
                int n = s.dtls().receive(part.array(), part.arrayOffset(), MAX_PLAINTEXT, NO_WAIT_MILLIS);
                if (n < 0) {
                    break;
                }
                part.writerIndex(n);
                filled++;
            }
        } catch (PeerTransport.Empty nothingLeft) {
            // every record of the datagram was processed
        } finally {
            s.transport.setCurrent(null);
        }
        int total = 0;
        int filled = 0;
        for (ByteBuf part : parts) {
            if (part.isReadable()) {
                total += part.readableBytes();
                filled++;
            }
        }
        if (filled > 0 && filled == expected && s.state() == DtlsSession.State.ESTABLISHED) {
            ByteBuf joined = ctx.alloc().buffer(total, total);
            for (ByteBuf part : parts) {
                ByteCopy.append(joined, part, part.readerIndex(), part.readableBytes());
            }
            s.touch(System.nanoTime());
            ctx.fireChannelRead(new DatagramPacket(joined, recipient, s.peer));
            delivered += filled;
        }
        for (ByteBuf part : parts) {
            part.release();
        }
        return delivered;
    }

    /**
     * Sends {@code plaintext} as one record (with {@link DtlsHandler#wholeDatagrams()}: as the records it
     * needs, in one datagram), completing {@code promise} with the datagram's write. Does not release
     * {@code plaintext}.
     *
     * @throws IOException when BouncyCastle fails the session
     */
    void protect(DtlsSession s, ByteBuf plaintext, ChannelPromise promise) throws IOException {
        GcmRecords gcm = s.gcm();
        if (gcm != null) {
            seal(s, gcm, plaintext, promise);
            return;
        }
        int len = plaintext.readableBytes();
        if (len > s.sendLimit()) {
            protectGathered(s, plaintext, promise);
            return;
        }
        sendingPromise = promise;
        try {
            sendWithBouncyCastle(s, plaintext, plaintext.readerIndex(), len);
        } finally {
            if (sendingPromise != null) {
                sendingPromise.trySuccess(); // nothing was written: the transport was closed, as if lost
                sendingPromise = null;
            }
        }
    }

    /** One record of {@code len} bytes of {@code plaintext} from {@code from}, sealed by BouncyCastle. */
    private void sendWithBouncyCastle(DtlsSession s, ByteBuf plaintext, int from, int len) throws IOException {
        byte[] array = scratch;
        int off = 0;
        if (plaintext.hasArray() && len > 0) {
            array = plaintext.array();
            off = plaintext.arrayOffset() + from;
        } else {
            plaintext.getBytes(from, scratch, 0, len);
        }
        s.dtls().send(array, off, len);
        s.recordSent();
    }

    /** BouncyCastle's path for a whole datagram: its records are gathered and leave together. */
    private void protectGathered(DtlsSession s, ByteBuf plaintext, ChannelPromise promise) throws IOException {
        int len = plaintext.readableBytes();
        int limit = s.sendLimit();
        ByteBuf gathered = ctx.alloc().directBuffer(len + DtlsHandler.overhead(len, limit));
        gathering = gathered;
        try {
            for (int at = plaintext.readerIndex(), end = plaintext.writerIndex(); at < end; at += limit) {
                sendWithBouncyCastle(s, plaintext, at, Math.min(limit, end - at));
            }
        } catch (IOException | RuntimeException e) {
            gathered.release();
            throw e;
        } finally {
            gathering = null;
        }
        if (!gathered.isReadable()) {
            gathered.release();
            promise.trySuccess(); // the transport was closed: as if lost
            return;
        }
        ctx.write(new DatagramPacket(gathered, s.peer), promise);
        flushNeeded = true;
    }

    /** The JDK path: seals {@code plaintext} into the direct buffer that is written. */
    private void seal(DtlsSession s, GcmRecords gcm, ByteBuf plaintext, ChannelPromise promise) throws IOException {
        if (s.transport.isClosed()) {
            promise.trySuccess(); // as BouncyCastle does once the transport closed: as if lost
            return;
        }
        int len = plaintext.readableBytes();
        int limit = s.sendLimit();
        ByteBuf out = ctx.alloc().directBuffer(len + DtlsHandler.overhead(len, limit));
        try {
            if (len <= limit) {
                gcm.seal(RecordGuard.APPLICATION_DATA, plaintext, out);
                s.recordSent();
            } else {
                for (int at = plaintext.readerIndex(), end = plaintext.writerIndex(); at < end; at += limit) {
                    gcm.seal(RecordGuard.APPLICATION_DATA, plaintext.slice(at, Math.min(limit, end - at)), out);
                    s.recordSent();
                }
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            out.release();
            throw new IOException("sealing a record failed: " + e, e);
        }
        ctx.write(new DatagramPacket(out, s.peer), promise);
        flushNeeded = true;
    }

    /** Writes one DTLS datagram (copied); from BouncyCastle or the cookie exchange, on any thread. */
    @Override
    public void write(InetSocketAddress peer, byte[] buf, int off, int len) {
        write(peer, ctx.alloc().directBuffer(len).writeBytes(buf, off, len));
    }

    /** Writes one DTLS datagram held in {@code out}, which the write releases; on any thread. */
    @Override
    public void write(InetSocketAddress peer, ByteBuf out) {
        if (gathering != null && ctx.executor().inEventLoop()) {
            ByteCopy.append(gathering, out, out.readerIndex(), out.readableBytes());
            out.release();
            return;
        }
        DatagramPacket record = new DatagramPacket(out, peer);
        if (ctx.executor().inEventLoop()) {
            ChannelPromise promise = sendingPromise;
            sendingPromise = null;
            ctx.write(record, promise != null ? promise : quiet);
            flushNeeded = true;
        } else {
            ctx.writeAndFlush(record, quiet);
        }
    }

    /** Gives the spare decryption buffer back (the handler is leaving the pipeline). */
    void release() {
        if (spare != null) {
            spare.release();
            spare = null;
        }
    }

    /** Records that the pipeline was flushed. */
    void flushed() {
        flushNeeded = false;
    }

    void flushIfNeeded() {
        if (flushNeeded) {
            flushNeeded = false;
            ctx.flush();
        }
    }
}
