package dev.rudp.fileserver.storage.s3;

import dev.rudp.fileserver.storage.Sha256;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * The whole-file SHA-256 of an upload whose state can be stored after each part and continued on any
 * server, in BouncyCastle's encoded-state format ({@link SHA256Digest#getEncodedState}, which uploads
 * stored before this class used too).
 *
 * <p>Why not BouncyCastle's digest alone: it is plain Java, 4.2 CPU-s per GiB here, where the JDK's
 * runs on the CPU's SHA instructions at 0.6, and on an S3 put that was half of the server's CPU. The
 * JDK's digest has no public way to export its state, so this class reads and sets it by reflection
 * ({@code MessageDigest$Delegate.digestSpi}, {@code SHA2.state}, {@code DigestBase.bytesProcessed} and
 * {@code bufOfs}; the same in JDK 17 and 25), which needs
 * {@code --add-opens java.base/java.security=ALL-UNNAMED --add-opens java.base/sun.security.provider=ALL-UNNAMED}
 * (fileserver.jar's manifest has them as {@code Add-Opens}, which {@code java -jar} honours; an
 * embedding application passes the flags itself). A self-test at class load checks a state carried from one
 * implementation to the other against a one-shot digest; without the flags, or if the JDK's
 * internals ever differ, every digest is BouncyCastle's, as before.
 *
 * <p>A state is exported only at a 64-byte block boundary (parts are whole MiB), where the JDK's
 * digest holds no buffered bytes; {@link #encodedState} answers null elsewhere. Not thread-safe.
 */
final class ResumableSha256 {
    /** BouncyCastle's encoded state at a block boundary: xBuf(4) xBufOff(4) byteCount(8) H1-H8(32) xOff(4) purpose(1). */
    static final int ENCODED_LENGTH = 53;
    private static final int COUNT_AT = 8;
    private static final int H_AT = 16;
    private static final int X_OFF_AT = 48;
    private static final JdkState JDK = JdkState.probe();

    private final MessageDigest jdk;
    private final SHA256Digest bc;

    private ResumableSha256(MessageDigest jdk, SHA256Digest bc) {
        this.jdk = jdk;
        this.bc = bc;
    }

    /** A digest of nothing yet. */
    static ResumableSha256 fresh() {
        return JDK != null ? new ResumableSha256(Sha256.newDigest(), null) : new ResumableSha256(null, new SHA256Digest());
    }

    /** Continues from {@code encoded} (BouncyCastle's format); throws IllegalArgumentException if it is not one. */
    static ResumableSha256 resume(byte[] encoded) {
        SHA256Digest parsed = new SHA256Digest(encoded); // validates the format
        if (JDK != null && atBoundary(encoded)) {
            MessageDigest md = Sha256.newDigest();
            JDK.set(md, encoded);
            return new ResumableSha256(md, null);
        }
        return new ResumableSha256(null, parsed);
    }

    /** Whether the JDK's digest is in use (the reflective access works). */
    static boolean usesJdk() {
        return JDK != null;
    }

    void update(byte[] b, int off, int len) {
        if (jdk != null) {
            jdk.update(b, off, len);
        } else {
            bc.update(b, off, len);
        }
    }

    /** The state in BouncyCastle's format, or null when it cannot be taken here (not at a block boundary). */
    byte[] encodedState() {
        if (bc != null) {
            return bc.getEncodedState();
        }
        return JDK.encode(jdk);
    }

    /** The digest (32 bytes); this object is spent. */
    byte[] digest() {
        if (jdk != null) {
            return jdk.digest();
        }
        byte[] out = new byte[bc.getDigestSize()];
        bc.doFinal(out, 0);
        return out;
    }

    private static boolean atBoundary(byte[] encoded) {
        ByteBuffer b = ByteBuffer.wrap(encoded);
        return encoded.length == ENCODED_LENGTH && b.getInt(4) == 0 && b.getInt(X_OFF_AT) == 0
                && (b.getLong(COUNT_AT) & 63) == 0;
    }

    /** Reflective access to a JDK SHA-256 digest's state, or null from {@link #probe} when it does not work. */
    private static final class JdkState {
        private final Field spi;
        private final Field state;
        private final Field bytes;
        private final Field bufOfs;
        private final byte purpose;

        private JdkState(Field spi, Field state, Field bytes, Field bufOfs, byte purpose) {
            this.spi = spi;
            this.state = state;
            this.bytes = bytes;
            this.bufOfs = bufOfs;
            this.purpose = purpose;
        }

        static JdkState probe() {
            try {
                Field spi = Class.forName("java.security.MessageDigest$Delegate").getDeclaredField("digestSpi");
                Field state = Class.forName("sun.security.provider.SHA2").getDeclaredField("state");
                Class<?> base = Class.forName("sun.security.provider.DigestBase");
                Field bytes = base.getDeclaredField("bytesProcessed");
                Field bufOfs = base.getDeclaredField("bufOfs");
                for (Field f : new Field[] {spi, state, bytes, bufOfs}) {
                    f.setAccessible(true);
                }
                byte[] fresh = new SHA256Digest().getEncodedState();
                JdkState s = new JdkState(spi, state, bytes, bufOfs, fresh[fresh.length - 1]);
                return s.selfTest() ? s : null;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null; // no --add-opens, or internals that differ: BouncyCastle's digest then
            }
        }

        /** A state carried JDK -> BouncyCastle and BouncyCastle -> JDK gives the one-shot digest. */
        private boolean selfTest() throws ReflectiveOperationException {
            byte[] data = new byte[3 * 64 * 17 + 64];
            new Random(16).nextBytes(data);
            byte[] expected = Sha256.newDigest().digest(data);
            int cut = 64 * 17;
            MessageDigest a = Sha256.newDigest();
            a.update(data, 0, cut);
            SHA256Digest b = new SHA256Digest(encode(a));
            b.update(data, cut, cut);
            MessageDigest c = Sha256.newDigest();
            set(c, b.getEncodedState());
            c.update(data, 2 * cut, data.length - 2 * cut);
            return Arrays.equals(expected, c.digest());
        }

        byte[] encode(MessageDigest md) {
            try {
                Object spiObject = spi.get(md);
                if (bufOfs.getInt(spiObject) != 0) {
                    return null;
                }
                int[] h = (int[]) state.get(spiObject);
                ByteBuffer out = ByteBuffer.allocate(ENCODED_LENGTH);
                out.putLong(COUNT_AT, bytes.getLong(spiObject));
                for (int i = 0; i < 8; i++) {
                    out.putInt(H_AT + 4 * i, h[i]);
                }
                out.put(ENCODED_LENGTH - 1, purpose);
                return out.array();
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Sets {@code md}'s state from BouncyCastle's encoded state at a block boundary. */
        void set(MessageDigest md, byte[] encoded) {
            try {
                Object spiObject = spi.get(md);
                int[] h = (int[]) state.get(spiObject);
                ByteBuffer b = ByteBuffer.wrap(encoded);
                for (int i = 0; i < 8; i++) {
                    h[i] = b.getInt(H_AT + 4 * i);
                }
                bytes.setLong(spiObject, b.getLong(COUNT_AT));
                bufOfs.setInt(spiObject, 0);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
