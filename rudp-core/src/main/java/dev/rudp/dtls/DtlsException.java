package dev.rudp.dtls;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;

/**
 * The one exception type of the DTLS layer: a handshake or session failed, with the {@link Reason}
 * saying why and a message meant for a person. Built through the static factories.
 */
public final class DtlsException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why a DTLS handshake or session ended. */
    public enum Reason {
        /**
         * The peer stayed silent for {@link DtlsConfig#handshakeTimeoutMillis()} during the handshake, or the
         * handshake passed {@link DtlsConfig#handshakeCapMillis()}.
         */
        HANDSHAKE_TIMEOUT,
        /** The handshake failed for a reason not listed here (alert, protocol error); see the message. */
        HANDSHAKE_FAILED,
        /** A certificate was refused: by this side's {@link ServerCertificateVerifier}, or by the peer. */
        CERTIFICATE_REJECTED,
        /** The server does not know the client's pre-shared key identity. */
        PSK_UNKNOWN,
        /** The handler already runs {@link DtlsConfig#maxConcurrentHandshakes()} handshakes, or the executor refused. */
        TOO_MANY_HANDSHAKES,
        /** A plaintext datagram is larger than one record can carry ({@link DtlsHandler#plaintextLimit()}). */
        RECORD_TOO_LARGE,
        /** A server was asked to send to a peer it has no session with (only clients start handshakes). */
        NO_SESSION,
        /** The session sent its record limit on one key and was closed so that a new handshake rekeys. */
        KEY_LIMIT_REACHED,
        /** No record went either way for {@link DtlsConfig#idleTimeoutMillis()}. */
        IDLE_TIMEOUT,
        /** The peer closed the session, or sent a fatal alert after the handshake. */
        CLOSED_BY_PEER,
        /** This side closed the session ({@link DtlsHandler#closeSession}, or the channel closed). */
        CLOSED
    }

    private final Reason reason;

    private DtlsException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the handshake or session ended. */
    public Reason reason() {
        return reason;
    }

    public static DtlsException handshakeTimeout(InetSocketAddress peer, long millis, String hint) {
        return new DtlsException(Reason.HANDSHAKE_TIMEOUT, "DTLS handshake with " + peer + " timed out after "
                + millis + " ms" + (hint == null ? "" : " (" + hint + ")"), null);
    }

    public static DtlsException handshakeFailed(String message, Throwable cause) {
        return new DtlsException(Reason.HANDSHAKE_FAILED, message, cause);
    }

    public static DtlsException certificateRejected(String message) {
        return new DtlsException(Reason.CERTIFICATE_REJECTED, message, null);
    }

    public static DtlsException certificateRejected(String message, Throwable cause) {
        return new DtlsException(Reason.CERTIFICATE_REJECTED, message, cause);
    }

    public static DtlsException pskUnknown(String message, Throwable cause) {
        return new DtlsException(Reason.PSK_UNKNOWN, message, cause);
    }

    public static DtlsException tooManyHandshakes(InetSocketAddress peer, int limit) {
        return new DtlsException(Reason.TOO_MANY_HANDSHAKES,
                "DTLS handshake with " + peer + " refused: " + limit + " handshakes already running", null);
    }

    public static DtlsException recordTooLarge(int size, int limit) {
        return new DtlsException(Reason.RECORD_TOO_LARGE,
                "plaintext datagram of " + size + " bytes exceeds the DTLS record limit of " + limit + " bytes", null);
    }

    public static DtlsException noSession(InetSocketAddress peer) {
        return new DtlsException(Reason.NO_SESSION, "no DTLS session with " + peer, null);
    }

    public static DtlsException keyLimitReached(InetSocketAddress peer, long records) {
        return new DtlsException(Reason.KEY_LIMIT_REACHED, "DTLS session with " + peer + " closed after " + records
                + " records on one key; a new handshake rekeys", null);
    }

    public static DtlsException idle(InetSocketAddress peer, long millis) {
        return new DtlsException(Reason.IDLE_TIMEOUT,
                "DTLS session with " + peer + " idle for " + millis + " ms", null);
    }

    public static DtlsException closedByPeer(InetSocketAddress peer, Throwable cause) {
        return new DtlsException(Reason.CLOSED_BY_PEER, "DTLS session closed by " + peer
                + (cause == null ? "" : ": " + describe(cause)), cause);
    }

    public static DtlsException closed(InetSocketAddress peer, String why) {
        return new DtlsException(Reason.CLOSED, "DTLS session with " + peer + " closed: " + why, null);
    }

    /**
     * The exception to report for a failed handshake: a {@code DtlsException} found in {@code failure}'s
     * cause chain (a verifier's refusal) as it is, otherwise one mapped from BouncyCastle's exception.
     */
    static DtlsException fromHandshake(Throwable failure, InetSocketAddress peer, long timeoutMillis,
            String timeoutHint) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DtlsException) {
                return (DtlsException) t;
            }
        }
        String with = "DTLS handshake with " + peer + " failed: ";
        if (failure instanceof TlsTimeoutException) {
            return handshakeTimeout(peer, timeoutMillis, timeoutHint);
        }
        if (failure instanceof TlsFatalAlertReceived) {
            short alert = ((TlsFatalAlertReceived) failure).getAlertDescription();
            String text = with + "the peer sent the fatal alert " + AlertDescription.getText(alert);
            return forAlert(alert, text, failure, true);
        }
        if (failure instanceof TlsFatalAlert) {
            short alert = ((TlsFatalAlert) failure).getAlertDescription();
            String text = with + "raised the fatal alert " + AlertDescription.getText(alert)
                    + (failure.getMessage() == null ? "" : " (" + failure.getMessage() + ")");
            return forAlert(alert, text, failure, false);
        }
        return handshakeFailed(with + describe(failure), failure);
    }

    private static DtlsException forAlert(short alert, String text, Throwable cause, boolean fromPeer) {
        switch (alert) {
            case AlertDescription.unknown_psk_identity:
                return pskUnknown(text + (fromPeer ? ": the server does not know this PSK identity" : ""), cause);
            case AlertDescription.bad_certificate:
            case AlertDescription.unsupported_certificate:
            case AlertDescription.certificate_revoked:
            case AlertDescription.certificate_expired:
            case AlertDescription.certificate_unknown:
            case AlertDescription.unknown_ca:
                return certificateRejected(text, cause);
            case AlertDescription.decrypt_error:
            case AlertDescription.bad_record_mac:
                return handshakeFailed(text + ": the keys differ (wrong pre-shared key?)", cause);
            default:
                return handshakeFailed(text, cause);
        }
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
