package dev.rudp.dtls;

import dev.rudp.wire.WireReader;
import io.netty.buffer.ByteBuf;

/**
 * Looks at a datagram's DTLS records before BouncyCastle does (RFC 6347 section 4.1 record header,
 * section 4.2.2 handshake header), without copying or consuming it:
 * <pre>
 * record:    type(1) version(2) epoch(2) sequence(6) length(2) | fragment(length)
 * handshake: msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3) | body
 * </pre>
 * A datagram is {@link Verdict#GARBAGE} unless it is a sequence of whole records with a known content
 * type and a DTLS version (major byte 0xFE). It is {@link Verdict#TOO_LONG_FRAGMENT} when an epoch-0
 * handshake fragment declares a message longer than {@link #MAX_HANDSHAKE_MESSAGE} bytes: bctls 1.84
 * allocates a reassembly buffer of the declared length before any authentication (CVE-2026-59646,
 * fixed in 1.85, which is not on Maven Central), and its reassembly costs quadratic CPU in the length.
 * Handshake messages this layer exchanges are a few KiB at most (a certificate chain).
 *
 * <p>Not thread-safe: one instance per handler, used on its event loop; the results of the last
 * {@link #scan} stay readable until the next.
 */
final class RecordGuard {
    /** Largest handshake message accepted in epoch 0: 32 KiB. */
    static final int MAX_HANDSHAKE_MESSAGE = 32 * 1024;
    static final int RECORD_HEADER = 13;
    static final int HANDSHAKE_HEADER = 12;

    static final int CHANGE_CIPHER_SPEC = 20;
    static final int ALERT = 21;
    static final int HANDSHAKE = 22;
    static final int APPLICATION_DATA = 23;
    static final int HEARTBEAT = 24;
    static final int CLIENT_HELLO = 1;

    enum Verdict { OK, GARBAGE, TOO_LONG_FRAGMENT }

    private int applicationRecords;
    private int records;
    private boolean clientHello;
    /** Reused for each datagram scanned. */
    private final WireReader reader = new WireReader();

    /** Checks the readable bytes of {@code datagram}. */
    Verdict scan(ByteBuf datagram) {
        return scan(reader.reset(datagram));
    }

    private Verdict scan(WireReader datagram) {
        applicationRecords = 0;
        records = 0;
        clientHello = false;
        int at = datagram.position();
        int end = datagram.limit();
        if (at == end) {
            return Verdict.GARBAGE;
        }
        boolean first = true;
        while (at < end) {
            if (end - at < RECORD_HEADER) {
                return Verdict.GARBAGE;
            }
            int type = datagram.getUnsignedByte(at);
            int major = datagram.getUnsignedByte(at + 1);
            int epoch = datagram.getUnsignedShort(at + 3);
            int length = datagram.getUnsignedShort(at + 11);
            int body = at + RECORD_HEADER;
            if (major != 0xFE || type < CHANGE_CIPHER_SPEC || type > HEARTBEAT || length > end - body) {
                return Verdict.GARBAGE;
            }
            if (type == APPLICATION_DATA && epoch != 0) {
                applicationRecords++;
            }
            if (type == HANDSHAKE && epoch == 0) {
                if (first && length > 0 && datagram.getUnsignedByte(body) == CLIENT_HELLO) {
                    clientHello = true;
                }
                if (!fragmentsWithinBound(datagram, body, body + length)) {
                    return Verdict.TOO_LONG_FRAGMENT;
                }
            }
            first = false;
            records++;
            at = body + length;
        }
        return Verdict.OK;
    }

    /** Whether every handshake fragment header in {@code [from, to)} declares at most 32 KiB. */
    private static boolean fragmentsWithinBound(WireReader datagram, int from, int to) {
        int at = from;
        while (to - at >= HANDSHAKE_HEADER) {
            int messageLength = (int) datagram.getBigEndian(at + 1, 3);
            int fragmentLength = (int) datagram.getBigEndian(at + 9, 3);
            if (messageLength > MAX_HANDSHAKE_MESSAGE) {
                return false;
            }
            at += HANDSHAKE_HEADER + fragmentLength;
        }
        return true;
    }

    /** Application-data records (epoch above 0) in the last scanned datagram. */
    int applicationRecords() {
        return applicationRecords;
    }

    /** Records in the last scanned datagram (all of them, when it was {@link Verdict#OK}). */
    int records() {
        return records;
    }

    /** Whether the last scanned datagram starts with an epoch-0 ClientHello fragment. */
    boolean isClientHello() {
        return clientHello;
    }
}
