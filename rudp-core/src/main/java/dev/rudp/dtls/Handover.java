package dev.rudp.dtls;

import java.util.Arrays;

/**
 * What BouncyCastle's record layer wrote and read in epoch 1 while it ran the handshake, as seen from
 * its {@link PeerTransport}, so that {@link GcmRecords} can take over the epoch's records without a
 * gap or an overlap:
 * <ul>
 * <li>the highest epoch-1 sequence number BouncyCastle sealed (its Finished, and any retransmission
 *     of it): the JDK path's first record uses the next one, so no nonce is used twice;</li>
 * <li>the last epoch-1 record it sealed and the last {@link #CANDIDATES} epoch-1 records it was given
 *     (the peer's Finished among them): {@link GcmRecords#start} opens them with its own keys to prove
 *     that they are BouncyCastle's before it seals anything;</li>
 * <li>the sequence numbers of epoch-1 application records BouncyCastle was given (rare: a peer's data
 *     that came before the handshake returned): the JDK path's replay check refuses them as already
 *     seen. Beyond {@link #MAX_EARLY_RECORDS} of them the session stays on BouncyCastle's path.</li>
 * </ul>
 * Written on the handshake thread, read on the event loop once the handshake returned (the hand-off
 * through the event loop's queue orders the two); synchronized all the same, as the cost is nil.
 */
final class Handover {
    static final int CANDIDATES = 4;
    static final int MAX_EARLY_RECORDS = 16;

    private long highestSent = -1;
    private byte[] sentSample;
    private final byte[][] received = new byte[CANDIDATES][];
    private int receivedCount;
    private final long[] early = new long[MAX_EARLY_RECORDS];
    private int earlyCount;
    private boolean tooManyEarly;

    /** BouncyCastle sends {@code buf[off, off + len)}: one or more DTLS records. */
    synchronized void sent(byte[] buf, int off, int len) {
        for (int at = off, end = off + len; end - at >= RecordGuard.RECORD_HEADER; ) {
            int next = at + RecordGuard.RECORD_HEADER + uint16(buf, at + 11);
            if (next > end) {
                return;
            }
            if (uint16(buf, at + 3) == GcmRecords.EPOCH) {
                highestSent = Math.max(highestSent, sequence(buf, at));
                sentSample = Arrays.copyOfRange(buf, at, next);
            }
            at = next;
        }
    }

    /** BouncyCastle is given {@code datagram} while it runs the handshake. */
    synchronized void received(byte[] datagram) {
        for (int at = 0, end = datagram.length; end - at >= RecordGuard.RECORD_HEADER; ) {
            int next = at + RecordGuard.RECORD_HEADER + uint16(datagram, at + 11);
            if (next > end) {
                return;
            }
            if (uint16(datagram, at + 3) == GcmRecords.EPOCH) {
                if ((datagram[at] & 0xFF) == RecordGuard.APPLICATION_DATA) {
                    if (earlyCount < MAX_EARLY_RECORDS) {
                        early[earlyCount++] = sequence(datagram, at);
                    } else {
                        tooManyEarly = true;
                    }
                } else {
                    received[receivedCount++ % CANDIDATES] = Arrays.copyOfRange(datagram, at, next);
                }
            }
            at = next;
        }
    }

    synchronized long highestSent() {
        return highestSent;
    }

    /** A copy of the last epoch-1 record BouncyCastle sealed, or null. */
    synchronized byte[] sentSample() {
        return sentSample == null ? null : sentSample.clone();
    }

    /** Copies of the last epoch-1 records (not application data) BouncyCastle was given. */
    synchronized byte[][] receivedSamples() {
        int n = Math.min(receivedCount, CANDIDATES);
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            out[i] = received[i].clone();
        }
        return out;
    }

    /** Sequence numbers of epoch-1 application records BouncyCastle was given; null when too many to keep. */
    synchronized long[] earlyApplicationRecords() {
        return tooManyEarly ? null : Arrays.copyOf(early, earlyCount);
    }

    private static int uint16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    /** The 48-bit sequence number of the record at {@code at}. */
    private static long sequence(byte[] b, int at) {
        long s = 0;
        for (int i = 5; i < 11; i++) {
            s = s << 8 | b[at + i] & 0xFF;
        }
        return s;
    }
}
