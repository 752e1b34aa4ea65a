package dev.rudp.dtls;

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
 * an epoch-1 application record is opened in place in the datagram it arrived in and handed up as a
 * slice of it (a small one is copied out). Every other record of a datagram (alerts, handshake
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
     * Records at least this large are handed up in the pooled buffer they were decrypted into; smaller
     * ones are copied out, so a few bytes do not pin 16 KiB while they wait in reassembly. Pooled rather
     * than a fresh array per record: no zeroing and no garbage per record, and the buffers stay warm in
     * the cache.
     */
    private static final int HAND_OVER_BYTES = MAX_PLAINTEXT / 4;

    private final ChannelHandlerContext ctx;
    /** For records nobody waits on: a failed datagram write is a lost datagram, not a pipeline exception. */
    private final VoidChannelPromise quiet;
    private final byte[] scratch;
    /**
     * The pooled buffer the next record is decrypted into; kept when the datagram runs out of records
     * or the record was small, so a datagram costs one buffer, not one plus one for the final empty read.
     */
    private ByteBuf spare;
    /** The promise of the plaintext write being protected, for the one record BouncyCastle sends for it. */
    private ChannelPromise sendingPromise;
    private boolean flushNeeded;

    RecordPath(ChannelHandlerContext ctx, int maxRecordPlaintext) {
        this.ctx = ctx;
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
     * The JDK path: opens each epoch-1 application record of {@code datagram} in place and fires its
     * plaintext; hands every other record to BouncyCastle on its own.
     */
    private int unprotectRecords(DtlsSession s, GcmRecords gcm, ByteBuf datagram, InetSocketAddress recipient)
            throws IOException {
        int delivered = 0;
        int end = datagram.writerIndex();
        for (int at = datagram.readerIndex(); end - at >= RecordGuard.RECORD_HEADER && isOpen(s); ) {
            int next = at + RecordGuard.RECORD_HEADER + datagram.getUnsignedShort(at + 11);
            if (next > end) {
                break;
            }
            if (datagram.getUnsignedByte(at) == RecordGuard.APPLICATION_DATA
                    && datagram.getUnsignedShort(at + 3) == GcmRecords.EPOCH) {
                int n = gcm.open(datagram, at);
                if (n >= 0) {
                    delivered++;
                    s.touch(System.nanoTime());
                    int from = at + GcmRecords.BODY;
                    ByteBuf out = n >= HAND_OVER_BYTES ? datagram.retainedSlice(from, n)
                            : ctx.alloc().buffer(n).writeBytes(datagram, from, n);
                    ctx.fireChannelRead(new DatagramPacket(out, recipient, s.peer));
                }
            } else {
                delivered += unprotectWithBouncyCastle(s, datagram.slice(at, next - at), true, recipient);
            }
            at = next;
        }
        return delivered;
    }

    private int unprotectWithBouncyCastle(DtlsSession s, ByteBuf datagram, boolean oneRecord,
            InetSocketAddress recipient) throws IOException {
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
                    out = ctx.alloc().buffer(n).writeBytes(spare, 0, n);
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
     * Sends {@code plaintext} as one record, completing {@code promise} with the record's write. Does not
     * release {@code plaintext}.
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
        byte[] array = scratch;
        int off = 0;
        if (plaintext.hasArray() && len > 0) {
            array = plaintext.array();
            off = plaintext.arrayOffset() + plaintext.readerIndex();
        } else {
            plaintext.getBytes(plaintext.readerIndex(), scratch, 0, len);
        }
        sendingPromise = promise;
        try {
            s.dtls().send(array, off, len);
            s.recordSent();
        } finally {
            if (sendingPromise != null) {
                sendingPromise.trySuccess(); // nothing was written: the transport was closed, as if lost
                sendingPromise = null;
            }
        }
    }

    /** The JDK path: seals {@code plaintext} into the direct buffer that is written. */
    private void seal(DtlsSession s, GcmRecords gcm, ByteBuf plaintext, ChannelPromise promise) throws IOException {
        if (s.transport.isClosed()) {
            promise.trySuccess(); // as BouncyCastle does once the transport closed: as if lost
            return;
        }
        ByteBuf out = ctx.alloc().directBuffer(GcmRecords.BODY + plaintext.readableBytes() + GcmRecords.TAG);
        try {
            gcm.seal(RecordGuard.APPLICATION_DATA, plaintext, out);
        } catch (GeneralSecurityException | RuntimeException e) {
            out.release();
            throw new IOException("sealing a record failed: " + e, e);
        }
        s.recordSent();
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
