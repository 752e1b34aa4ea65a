package dev.rudp.fileserver.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.Random;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.junit.jupiter.api.Test;

/**
 * States carried between the JDK's digest and BouncyCastle's, both ways, give the one-shot SHA-256;
 * the tests run with the build's {@code --add-opens}, so the JDK's digest is the one in use.
 */
class ResumableSha256Test {
    private static final int PART = 1 << 20;

    private static byte[] data(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    @Test
    void theJdkDigestIsInUseWithTheBuildsFlags() {
        assertTrue(ResumableSha256.usesJdk(), "run with --add-opens java.base/java.security and sun.security.provider");
    }

    @Test
    void partByPartWithAResumeAfterEachGivesTheOneShotDigest() throws Exception {
        byte[] file = data(5 * PART + 12_345, 1); // whole parts and a short last one
        ResumableSha256 d = ResumableSha256.fresh();
        for (int at = 0; at < file.length; at += PART) {
            d.update(file, at, Math.min(PART, file.length - at));
            if (at + PART < file.length) {
                byte[] state = d.encodedState();
                assertNotNull(state, "a state at the end of part " + (at / PART + 1));
                d = ResumableSha256.resume(state); // as another server would
            }
        }
        assertArrayEquals(sha256(file), d.digest());
    }

    @Test
    void aStateBouncyCastleStoredContinuesHereAndTheOtherWayRound() throws Exception {
        byte[] file = data(3 * PART + 7, 2);
        // an upload begun by a server that hashed with BouncyCastle (as before this class)
        SHA256Digest old = new SHA256Digest();
        old.update(file, 0, PART);
        ResumableSha256 here = ResumableSha256.resume(old.getEncodedState());
        here.update(file, PART, PART);
        // and a state from here read by BouncyCastle itself
        SHA256Digest back = new SHA256Digest(here.encodedState());
        back.update(file, 2 * PART, file.length - 2 * PART);
        byte[] out = new byte[32];
        back.doFinal(out, 0);
        assertArrayEquals(sha256(file), out);
    }

    @Test
    void offABlockBoundaryThereIsNoStateButTheDigestStaysRight() throws Exception {
        byte[] file = data(1000, 3);
        ResumableSha256 d = ResumableSha256.fresh();
        d.update(file, 0, 100);
        assertNull(d.encodedState(), "100 bytes end inside a 64-byte block");
        d.update(file, 100, 900);
        assertArrayEquals(sha256(file), d.digest());
        // a BouncyCastle state off a boundary resumes (on BouncyCastle's digest)
        SHA256Digest bc = new SHA256Digest();
        bc.update(file, 0, 100);
        ResumableSha256 r = ResumableSha256.resume(bc.getEncodedState());
        r.update(file, 100, 900);
        assertArrayEquals(sha256(file), r.digest());
    }

    @Test
    void aDamagedStateIsRefused() {
        assertThrows(RuntimeException.class, () -> ResumableSha256.resume(new byte[7]));
    }
}
