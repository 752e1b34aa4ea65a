package dev.rudp.dtls;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Cipher;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.tls.TlsUtils;

/**
 * Sets up, once per JVM and on a thread of its own, what a new JVM's first DTLS client handshake
 * would otherwise set up on its own critical path, in the interpreter: the JDK's default random (its
 * provider's tables), BouncyCastle's service registrar (which starts {@code java.util.logging}, whose
 * start scans every jar of the class path for a logging backend), BouncyCastle's TLS tables (a few
 * hundred object identifiers), and last the JDK's AES-GCM that the records take over with
 * ({@link GcmRecords}: the JCA's provider list and the JCE's policy). A one-shot client that starts
 * this first thing in {@code main} finds them ready: they ran beside its own start (reading keys,
 * setting up the transport) on the other core. Any JVM that makes DTLS clients may call it early;
 * the first client handshake starts it anyway.
 */
public final class DtlsWarmup {
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** Opened once BouncyCastle's part is done. */
    private static final CountDownLatch BOUNCY_CASTLE = new CountDownLatch(1);
    /** A warm-up stuck for longer than this is not waited for. */
    private static final long WAIT_MILLIS = 2_000;

    private DtlsWarmup() {
    }

    /** Starts the warm-up, unless this JVM already did. Returns at once. */
    public static void start() {
        if (STARTED.compareAndSet(false, true)) {
            Thread t = new Thread("rudp-dtls-warmup") { // not a lambda, as in NativeTransport.chooseAside
                @Override
                public void run() {
                    warmUp();
                }
            };
            t.setDaemon(true);
            t.start();
        }
    }

    private static void warmUp() {
        // A failure here is left for the handshake to meet and report, not printed by a thread nobody reads.
        try {
            new SecureRandom().nextInt();
            new SHA256Digest();
            TlsUtils.isValidUint8(0);
        } catch (RuntimeException | LinkageError e) {
            // the handshake meets it again
        } finally {
            BOUNCY_CASTLE.countDown();
        }
        try {
            Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException | RuntimeException | LinkageError e) {
            // GcmRecords meets it again and the session stays on BouncyCastle's records
        }
    }

    /**
     * Waits (at most two seconds) for BouncyCastle's part of a started warm-up: a handshake that began
     * initialising BouncyCastle's classes while the warm-up does could otherwise meet it half-way in
     * two class initialisers that need each other. Returns at once when no warm-up was started.
     */
    static void awaitBouncyCastle() {
        if (!STARTED.get()) {
            return;
        }
        try {
            BOUNCY_CASTLE.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
