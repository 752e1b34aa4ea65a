package dev.rudp.dtls;

import dev.rudp.wire.WireReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * DTLS 1.2 AES-GCM records of epoch 1 sealed and opened with the JDK's {@code AES/GCM/NoPadding}, byte
 * for byte as BouncyCastle (and OpenSSL) seal them, without BouncyCastle's per-record arrays: a record
 * is sealed from the plaintext into the outgoing buffer, and opened into an array of its own (or into a
 * buffer of the caller's), through arrays, which the cipher runs fastest on.
 * <pre>
 * record: type(1) version(2) epoch(2) sequence(6) length(2) | explicit nonce(8) | ciphertext | tag(16)
 * nonce:  fixed IV(4, from the key block) | epoch(2) sequence(6)          (RFC 5288 section 3, RFC 6347 4.1.2.1)
 * AAD:    epoch(2) sequence(6) type(1) version(2) plaintext length(2)  (RFC 5246 6.2.3.3, RFC 6347 4.1.2.1)
 * </pre>
 * Hand-over from BouncyCastle ({@link #start}): this object exists only once the handshake returned and
 * its keys were proven on the Finished records BouncyCastle sealed and opened. From then on every
 * epoch-1 record this side sends carries this object's sequence number, which continues
 * BouncyCastle's: application data is sealed here, and what BouncyCastle still seals itself (alerts, a
 * retransmitted Finished) is opened and sealed again by {@link #reseal} before it leaves, so no nonce
 * goes out twice. Every epoch-1 application record received is opened here, with this object's replay
 * window; other records (alerts, handshake retransmissions, other epochs) stay with BouncyCastle, whose
 * own window guards them. A record's content type is authenticated, so no record can pass both windows.
 * Records that fail authentication or the replay check are dropped silently (RFC 6347 section 4.1.2.7).
 *
 * <p>Not thread-safe: one per session, used on its event loop.
 */
final class GcmRecords {
    static final int EPOCH = 1;
    static final int HEADER = RecordGuard.RECORD_HEADER;
    static final int EXPLICIT_NONCE = 8;
    static final int TAG = 16;
    /** Where the plaintext (or ciphertext) starts in a record: header plus explicit nonce. */
    static final int BODY = HEADER + EXPLICIT_NONCE;
    /** Largest plaintext a record may carry (RFC 6347 section 4.1: 2^14). */
    static final int MAX_PLAINTEXT = 1 << 14;
    /** Sequence numbers are 48 bits wide; the per-key record limit closes a session long before. */
    static final long MAX_SEQUENCE = (1L << 48) - 1;
    private static final int VERSION_DTLS12 = 0xFEFD;
    /**
     * Two arrays per thread (a session is used on its event loop only), in and out of the cipher, for
     * records not already in an array (a received one is: {@link DtlsHandler} reads each datagram from
     * an array). JDK 17's AES-GCM runs its fused AES and GHASH intrinsic on arrays only; on direct
     * buffers GHASH runs apart: copying a record into an array and back measured 18-20% less CPU per
     * record, 1.4 KiB and 16 KiB alike. Per thread, not per session, so 10,000 sessions do not hold
     * 320 MiB of them.
     */
    private static final FastThreadLocal<byte[][]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[][] initialValue() {
            return new byte[][] {new byte[MAX_PLAINTEXT + TAG], new byte[MAX_PLAINTEXT + TAG]};
        }
    };

    private final SecretKeySpec writeKey;
    private final SecretKeySpec readKey;
    private final byte[] writeIv;
    private final byte[] readIv;
    private final Cipher sealer;
    private final Cipher opener;
    private final byte[] nonce = new byte[RecordKeys.FIXED_IV + EXPLICIT_NONCE];
    private final byte[] aad = new byte[13];
    private final ReplayWindow window = new ReplayWindow();
    /** Sequence numbers of application records BouncyCastle was given before the hand-over. */
    private final long[] early;
    private long nextSequence;

    private GcmRecords(RecordKeys keys, long firstSequence, long[] early) throws GeneralSecurityException {
        this.writeKey = new SecretKeySpec(keys.writeKey, "AES");
        this.readKey = new SecretKeySpec(keys.readKey, "AES");
        this.writeIv = keys.writeIv.clone();
        this.readIv = keys.readIv.clone();
        this.sealer = Cipher.getInstance("AES/GCM/NoPadding");
        this.opener = Cipher.getInstance("AES/GCM/NoPadding");
        this.nextSequence = firstSequence;
        this.early = early;
    }

    /**
     * Takes over epoch 1's application records from BouncyCastle, or returns null (the session then stays
     * on BouncyCastle's path) when there are no keys, when BouncyCastle sealed no epoch-1 record, when
     * too many application records reached it early, or when the keys do not open both the last record
     * BouncyCastle sealed and one it opened: the proof that they are the session's keys and that the
     * nonce and AAD are laid out as BouncyCastle lays them out.
     */
    static GcmRecords start(RecordKeys keys, Handover handover) {
        if (keys == null) {
            return null;
        }
        try {
            long[] early = handover.earlyApplicationRecords();
            byte[] sent = handover.sentSample();
            if (early == null || sent == null || handover.highestSent() >= MAX_SEQUENCE) {
                return null;
            }
            GcmRecords records = new GcmRecords(keys, handover.highestSent() + 1, early);
            WireReader sample = WireReader.of(Unpooled.wrappedBuffer(sent));
            if (records.decrypt(records.sealer, records.writeKey, records.writeIv, sample, 0) < 0) {
                return null;
            }
            for (byte[] candidate : handover.receivedSamples()) {
                if (records.decrypt(records.opener, records.readKey, records.readIv,
                        WireReader.of(Unpooled.wrappedBuffer(candidate)), 0) >= 0) {
                    return records;
                }
            }
            return null;
        } catch (GeneralSecurityException | RuntimeException e) {
            return null;
        } finally {
            keys.destroy();
        }
    }

    /** The sequence number the next sealed record gets. */
    long nextSequence() {
        return nextSequence;
    }

    /**
     * Seals the readable bytes of {@code plaintext} (not consumed) as one record of {@code type}, written
     * at {@code out}'s writer index.
     *
     * @return the record's length
     */
    int seal(int type, ByteBuf plaintext, ByteBuf out) throws GeneralSecurityException {
        int length = plaintext.readableBytes();
        if (length > MAX_PLAINTEXT) {
            throw new IllegalArgumentException("a record carries at most " + MAX_PLAINTEXT + " bytes, not " + length);
        }
        if (nextSequence > MAX_SEQUENCE) {
            throw new IllegalStateException("DTLS sequence numbers of epoch " + EPOCH + " used up");
        }
        long sequence = nextSequence++;
        long epochAndSequence = (long) EPOCH << 48 | sequence;
        int recordLength = BODY + length + TAG;
        out.ensureWritable(recordLength);
        int at = out.writerIndex();
        out.setByte(at, type);
        out.setShort(at + 1, VERSION_DTLS12);
        out.setLong(at + 3, epochAndSequence);
        out.setShort(at + 11, EXPLICIT_NONCE + length + TAG);
        out.setLong(at + HEADER, epochAndSequence);
        setNonce(writeIv, epochAndSequence);
        setAad(epochAndSequence, type, VERSION_DTLS12, length);
        sealer.init(Cipher.ENCRYPT_MODE, writeKey, new GCMParameterSpec(TAG * 8, nonce));
        sealer.updateAAD(aad);
        byte[][] scratch = SCRATCH.get();
        plaintext.getBytes(plaintext.readerIndex(), scratch[0], 0, length);
        int sealed = sealer.doFinal(scratch[0], 0, length, scratch[1], 0);
        out.setBytes(at + BODY, scratch[1], 0, sealed);
        out.writerIndex(at + recordLength);
        return recordLength;
    }

    /**
     * Opens the epoch-1 application record at {@code at} in {@code datagram} into an array of its own,
     * handed back as a heap buffer; the datagram is left as it was. The record must lie within the
     * datagram's readable bytes ({@link RecordGuard} checked that).
     *
     * <p>An array per record rather than the plaintext written back into the datagram: the cipher
     * writes an array anyway, so this saves a copy per record, and the codec above reads the packet
     * from that array ({@link WireReader}) rather than through Netty's calls on a slice of a pooled
     * buffer, which were a fifth of a client's event loop at Ethernet-sized packets.
     *
     * @return the plaintext, or null when the record was dropped (replayed, too old, malformed or
     *     failing authentication)
     */
    ByteBuf open(WireReader datagram, int at) {
        long sequence = freshSequence(datagram, at);
        int length = sequence < 0 ? -1 : plaintextLength(datagram, at, Integer.MAX_VALUE);
        if (length < 0) {
            return null;
        }
        byte[] plain = new byte[length];
        if (!decrypt(opener, readKey, readIv, datagram, at, length, plain, 0)) {
            return null;
        }
        window.accept(sequence);
        return Unpooled.wrappedBuffer(plain);
    }

    /**
     * Opens the epoch-1 application record at {@code at} in {@code datagram} into {@code dest} at its
     * writer index, which moves past the plaintext; the datagram is left as it was. Otherwise as
     * {@link #open}.
     *
     * @return the plaintext length, or -1 when the record was dropped; {@code dest} is then unchanged
     *     (though bytes past its writer index may have been written)
     */
    int openInto(WireReader datagram, int at, ByteBuf dest) {
        long sequence = freshSequence(datagram, at);
        if (sequence < 0) {
            return -1;
        }
        int n = decrypt(opener, readKey, readIv, datagram, at, dest, dest.writerIndex());
        if (n >= 0) {
            window.accept(sequence);
            dest.writerIndex(dest.writerIndex() + n);
        }
        return n;
    }

    /**
     * A record BouncyCastle sealed in epoch 1 after the hand-over (an alert, a retransmitted Finished),
     * opened with this side's write key and sealed again with the next sequence number of this object.
     * The record BouncyCastle made never leaves the process, so its reused nonce is never seen.
     *
     * @return the record to send, or null when it does not open (it is then dropped)
     */
    ByteBuf reseal(ByteBufAllocator alloc, byte[] buf, int off, int len) throws GeneralSecurityException {
        ByteBuf in = alloc.heapBuffer(len).writeBytes(buf, off, len);
        try {
            int n = decrypt(sealer, writeKey, writeIv, WireReader.of(in), 0);
            if (n < 0) {
                return null;
            }
            ByteBuf out = alloc.directBuffer(BODY + n + TAG);
            try {
                seal(in.getUnsignedByte(0), in.slice(BODY, n), out);
                return out;
            } catch (GeneralSecurityException | RuntimeException e) {
                out.release();
                throw e;
            }
        } finally {
            in.release();
        }
    }

    /**
     * The sequence number of the record at {@code at}, or -1 when the replay window has seen it or it is one
     * BouncyCastle was given before the hand-over.
     */
    private long freshSequence(WireReader datagram, int at) {
        long sequence = datagram.getBigEndian(at + 3, 8) & MAX_SEQUENCE;
        return window.isFresh(sequence) && !isEarly(sequence) ? sequence : -1;
    }

    private boolean isEarly(long sequence) {
        for (long e : early) {
            if (e == sequence) {
                return true;
            }
        }
        return false;
    }

    /** Decrypts the record at {@code at} in place; the plaintext length, or -1 when it does not authenticate. */
    private int decrypt(Cipher cipher, SecretKeySpec key, byte[] iv, WireReader b, int at) {
        return decrypt(cipher, key, iv, b, at, b.buffer(), at + BODY);
    }

    /**
     * Decrypts the record at {@code at} in {@code b} into {@code dst} from {@code dstIndex} (the same place
     * for in place); the plaintext length, or -1 when it does not authenticate or does not fit.
     */
    private int decrypt(Cipher cipher, SecretKeySpec key, byte[] iv, WireReader b, int at, ByteBuf dst, int dstIndex) {
        int length = plaintextLength(b, at, dst.capacity() - dstIndex);
        if (length < 0) {
            return -1;
        }
        byte[] out = SCRATCH.get()[1];
        if (!decrypt(cipher, key, iv, b, at, length, out, 0)) {
            return -1;
        }
        dst.setBytes(dstIndex, out, 0, length);
        return length;
    }

    /**
     * The plaintext length the record at {@code at} in {@code b} declares, or -1 when it is not a DTLS 1.2
     * record that lies within {@code b}'s written bytes and has at most {@code room} bytes of plaintext.
     */
    private static int plaintextLength(WireReader b, int at, int room) {
        int version = b.getUnsignedShort(at + 1);
        int recordLength = b.getUnsignedShort(at + 11);
        int length = recordLength - EXPLICIT_NONCE - TAG;
        if (version != VERSION_DTLS12 || length < 0 || length > MAX_PLAINTEXT || length > room
                || at + HEADER + recordLength > b.limit()) {
            return -1;
        }
        return length;
    }

    /**
     * Decrypts the record at {@code at} in {@code b}, of {@code length} bytes of plaintext as
     * {@link #plaintextLength} checked, into {@code out} from {@code outAt}; false when it does not
     * authenticate.
     */
    private boolean decrypt(Cipher cipher, SecretKeySpec key, byte[] iv, WireReader b, int at, int length, byte[] out,
            int outAt) {
        int type = b.getUnsignedByte(at);
        setNonce(iv, b.getBigEndian(at + HEADER, 8));
        setAad(b.getBigEndian(at + 3, 8), type, VERSION_DTLS12, length);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
            cipher.updateAAD(aad);
            byte[] in = b.array();
            int inAt;
            if (in != null) {
                inAt = b.arrayIndex(at + BODY);
            } else {
                in = SCRATCH.get()[0];
                inAt = 0;
                b.getBytes(at + BODY, in, 0, length + TAG);
            }
            return cipher.doFinal(in, inAt, length + TAG, out, outAt) == length;
        } catch (GeneralSecurityException | IllegalStateException e) {
            return false; // AEADBadTagException above all: dropped, as DTLS requires
        }
    }

    private void setNonce(byte[] iv, long explicit) {
        System.arraycopy(iv, 0, nonce, 0, RecordKeys.FIXED_IV);
        for (int i = 0; i < EXPLICIT_NONCE; i++) {
            nonce[RecordKeys.FIXED_IV + i] = (byte) (explicit >>> (56 - 8 * i));
        }
    }

    private void setAad(long epochAndSequence, int type, int version, int length) {
        for (int i = 0; i < 8; i++) {
            aad[i] = (byte) (epochAndSequence >>> (56 - 8 * i));
        }
        aad[8] = (byte) type;
        aad[9] = (byte) (version >>> 8);
        aad[10] = (byte) version;
        aad[11] = (byte) (length >>> 8);
        aad[12] = (byte) length;
    }
}
