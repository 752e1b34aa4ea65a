package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.storage.Crc32c;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The whole-file digests of an upload into the bucket, computed in part order and resumable by any
 * server from the state stored after a part ({@link S3Uploads#writeDigest}): the SHA-256
 * ({@link ResumableSha256}) and the CRC32C, which the client may check the upload by
 * ({@link dev.rudp.fileserver.storage.UploadSink#finishByCrc32c}). Each part's CRC32C is computed on
 * its own and joined to the running one ({@link Crc32c#combine}), so that the running value is all a
 * resume needs.
 *
 * <p>State format: the SHA-256's (BouncyCastle's encoded format), then the CRC32C so far as 4 bytes,
 * big-endian. Servers before the CRC32C wrote the SHA-256's alone: an upload resumed from such a state
 * is checked by its SHA-256 only.
 */
final class UploadDigests {
    private final ResumableSha256 sha;
    /** The CRC32C of every byte so far, valid only while {@link #crcKnown}. */
    private int crc;
    private final boolean crcKnown;
    private final CRC32C part = new CRC32C();

    private UploadDigests(ResumableSha256 sha, int crc, boolean crcKnown) {
        this.sha = sha;
        this.crc = crc;
        this.crcKnown = crcKnown;
    }

    /** Digests of nothing yet. */
    static UploadDigests fresh() {
        return new UploadDigests(ResumableSha256.fresh(), 0, true);
    }

    /** Continues from a stored state; throws IllegalArgumentException if it is not one. */
    static UploadDigests resume(byte[] state) {
        int shaLength = ResumableSha256.ENCODED_LENGTH;
        if (state.length == shaLength + 4) {
            return new UploadDigests(ResumableSha256.resume(Arrays.copyOf(state, shaLength)),
                    ByteBuffer.wrap(state, shaLength, 4).getInt(), true);
        }
        return new UploadDigests(ResumableSha256.resume(state), 0, false);
    }

    /** Adds one part's bytes (the parts come in order). */
    void update(byte[] b, int off, int len) {
        sha.update(b, off, len);
        if (crcKnown) {
            part.reset();
            part.update(b, off, len);
            crc = Crc32c.combine(crc, (int) part.getValue(), len);
        }
    }

    /** Whether the CRC32C is known: the state it began from carried one. */
    boolean crcKnown() {
        return crcKnown;
    }

    /** The state to store, or null when it cannot be taken here (see {@link ResumableSha256#encodedState}). */
    byte[] encodedState() {
        byte[] s = sha.encodedState();
        if (s == null || !crcKnown) {
            return s;
        }
        return ByteBuffer.allocate(s.length + 4).put(s).putInt(crc).array();
    }

    /** The CRC32C so far, 8 lower-case hex digits; only when {@link #crcKnown}. */
    String crc32c() {
        if (!crcKnown) {
            throw new IllegalStateException("this upload's CRC32C is not known");
        }
        return String.format("%08x", crc);
    }

    /** The SHA-256 (32 bytes); the SHA-256 state is spent. */
    byte[] sha256() {
        return sha.digest();
    }
}
