package dev.rudp.dtls;

import java.util.Arrays;
import org.bouncycastle.tls.EncryptionAlgorithm;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsSecret;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * The AES-GCM record keys and fixed IVs of one established DTLS 1.2 session, as RFC 5246 section 6.3
 * lays out the key block: {@code PRF(master_secret, "key expansion", server_random + client_random)}
 * cut into client_write_key, server_write_key, client_write_IV, server_write_IV (RFC 5288: 4-byte
 * implicit IVs, no MAC keys). This is the same computation BouncyCastle's {@code TlsAEADCipher} makes
 * when it sets up the record cipher; {@link GcmRecords#start} proves the result against the
 * Finished records BouncyCastle sealed and opened before it is used.
 *
 * <p>Why derived here, from {@code TlsPeer.notifyHandshakeComplete()}: that callback is public API, runs
 * once per handshake on the peer object the handler made for that session (so the keys need no lookup
 * to find their session), and sees the session's master secret before BouncyCastle clears it. Wrapping
 * the {@code TlsCrypto}'s cipher factory instead would tie this layer to BouncyCastle's internal
 * {@code TlsAEADCipherImpl} calls and to a crypto object shared by every session of a config. The RFC 5705
 * exporter is no substitute: it derives other keys.
 *
 * <p>Key material: never logged, {@link #toString()} shows none; {@link #destroy()} zeroes the arrays.
 */
final class RecordKeys {
    /** RFC 5288 implicit nonce part. */
    static final int FIXED_IV = 4;

    final byte[] writeKey;
    final byte[] readKey;
    final byte[] writeIv;
    final byte[] readIv;

    private RecordKeys(byte[] writeKey, byte[] readKey, byte[] writeIv, byte[] readIv) {
        this.writeKey = writeKey;
        this.readKey = readKey;
        this.writeIv = writeIv;
        this.readIv = readIv;
    }

    /**
     * The record keys of the handshake that just completed on {@code context}, or null when its records
     * are not ones {@link GcmRecords} seals: anything but DTLS 1.2 with AES-128-GCM or AES-256-GCM, a
     * connection ID, or a FIPS nonce generator (its explicit nonces are not the sequence numbers).
     * Never throws: a failure here only keeps the session on BouncyCastle's record path.
     */
    static RecordKeys derive(TlsContext context) {
        try {
            SecurityParameters p = context.getSecurityParametersConnection();
            if (p == null || !ProtocolVersion.DTLSv12.equals(p.getNegotiatedVersion())
                    || p.getConnectionIDLocal() != null && p.getConnectionIDLocal().length > 0
                    || p.getConnectionIDPeer() != null && p.getConnectionIDPeer().length > 0
                    || context.getCrypto() instanceof JcaTlsCrypto
                            && ((JcaTlsCrypto) context.getCrypto()).getFipsGCMNonceGeneratorFactory() != null) {
                return null;
            }
            int keySize;
            switch (TlsUtils.getEncryptionAlgorithm(p.getCipherSuite())) {
                case EncryptionAlgorithm.AES_128_GCM:
                    keySize = 16;
                    break;
                case EncryptionAlgorithm.AES_256_GCM:
                    keySize = 32;
                    break;
                default:
                    return null;
            }
            TlsSecret master = p.getMasterSecret();
            if (master == null || !master.isAlive()) {
                return null;
            }
            byte[] seed = new byte[64];
            System.arraycopy(p.getServerRandom(), 0, seed, 0, 32);
            System.arraycopy(p.getClientRandom(), 0, seed, 32, 32);
            byte[] block = master.deriveUsingPRF(p.getPRFAlgorithm(), ExporterLabel.key_expansion, seed,
                    2 * keySize + 2 * FIXED_IV).extract();
            try {
                byte[] clientKey = Arrays.copyOfRange(block, 0, keySize);
                byte[] serverKey = Arrays.copyOfRange(block, keySize, 2 * keySize);
                byte[] clientIv = Arrays.copyOfRange(block, 2 * keySize, 2 * keySize + FIXED_IV);
                byte[] serverIv = Arrays.copyOfRange(block, 2 * keySize + FIXED_IV, 2 * keySize + 2 * FIXED_IV);
                return context.isServer() ? new RecordKeys(serverKey, clientKey, serverIv, clientIv)
                        : new RecordKeys(clientKey, serverKey, clientIv, serverIv);
            } finally {
                Arrays.fill(block, (byte) 0);
            }
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Zeroes the key material (the JDK's key objects made from it hold their own copies). */
    void destroy() {
        Arrays.fill(writeKey, (byte) 0);
        Arrays.fill(readKey, (byte) 0);
        Arrays.fill(writeIv, (byte) 0);
        Arrays.fill(readIv, (byte) 0);
    }

    @Override
    public String toString() {
        return "RecordKeys[AES-" + writeKey.length * 8 + "-GCM]";
    }
}
