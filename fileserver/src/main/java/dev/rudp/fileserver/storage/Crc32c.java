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
}
