package dev.rudp.fileserver.storage;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.zip.CRC32C;

/**
 * CRC32C (RFC 3720) as a {@link MessageDigest} of 4 bytes, big-endian, so that the code written for
 * digests ({@link ReadHandle#read}, {@link PrefixDigest}, {@link FileChunks#hashRange}) computes it
 * too. The work is the JDK's {@link CRC32C}, on the CPU's CRC32 instruction: about a tenth of a
 * SHA-256's cost per byte. It catches accidental damage (a flipped bit, a torn or misplaced write, a
 * file that rotted at rest) with a chance of 2^-32 of missing one, not a forgery: the transfer's check
 * where the file's SHA-256 was recorded by the same upload (see docs/protocol.md, GET).
 */
public final class Crc32c extends MessageDigest {
    private final CRC32C crc = new CRC32C();

    public Crc32c() {
        super("CRC32C");
    }

    @Override
    protected void engineUpdate(byte input) {
        crc.update(input);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        crc.update(input, offset, len);
    }

    @Override
    protected void engineUpdate(ByteBuffer input) {
        crc.update(input); // direct buffers too, without a copy
    }

    @Override
    protected int engineGetDigestLength() {
        return 4;
    }

    @Override
    protected byte[] engineDigest() {
        int v = (int) crc.getValue();
        crc.reset();
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    @Override
    protected void engineReset() {
        crc.reset();
    }

    /** The CRC32C polynomial, bit-reversed (as the table-free update shifts right). */
    private static final int POLY = 0x82F63B78;

    /**
     * The CRC32C of {@code A || B} from the CRC32C {@code crcA} of A and {@code crcB} of B, which has
     * {@code lengthB} bytes, without the bytes: what lets an upload stored in parts by several servers
     * (each part's CRC computed where it arrived) carry a whole-file CRC32C. The JDK has none. Works by
     * advancing {@code crcA} over {@code lengthB} zero bytes with a 32x32 bit matrix over GF(2), squared
     * for each bit of the length (the method of zlib's {@code crc32_combine}); about 30 us whatever the
     * length.
     */
    public static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB < 0) {
            throw new IllegalArgumentException("negative length " + lengthB);
        }
        // operator for one zero bit, then square it up to one zero byte (8 bits)
        int[] op = new int[32];
        op[0] = POLY;
        for (int n = 1; n < 32; n++) {
            op[n] = 1 << (n - 1);
        }
        for (int i = 0; i < 3; i++) {
            op = square(op);
        }
        int crc = crcA;
        for (long len = lengthB; len != 0; len >>>= 1) {
            if ((len & 1) != 0) {
                crc = times(op, crc);
            }
            if (len > 1) {
                op = square(op);
            }
        }
        return crc ^ crcB;
    }

    private static int times(int[] matrix, int vector) {
        int sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) {
            if ((vector & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }

    private static int[] square(int[] matrix) {
        int[] out = new int[32];
        for (int n = 0; n < 32; n++) {
            out[n] = times(matrix, matrix[n]);
        }
        return out;
    }
}
