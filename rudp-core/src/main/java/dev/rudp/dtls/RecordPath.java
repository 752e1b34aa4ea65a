package dev.rudp.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Record protection and unprotection for established sessions, on the event loop, with one copy into
 * BouncyCastle's {@code byte[]} world and one copy out:
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
 * <p>Event loop only, except {@link #writeRecord}, which handshake threads call as well.
 */
final class RecordPath {
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

    /** {@link PeerTransport.RecordWriter}: writes one DTLS datagram; from BouncyCastle, on any thread. */
    void writeRecord(InetSocketAddress peer, byte[] buf, int off, int len) {
        ByteBuf out = ctx.alloc().directBuffer(len).writeBytes(buf, off, len);
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
