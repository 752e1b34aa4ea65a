package dev.rudp.fileserver.storage.s3;

import java.io.IOException;
import java.util.Objects;

/**
 * A failure to use an S3 store, with a one-line message meant for an operator (no stack trace
 * needed) and the {@link Reason} a caller can act on. Never carries a secret.
 */
public final class S3StoreException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, as far as the client can tell. */
    public enum Reason {
        /** No connection, no answer in time, or an unknown host. */
        UNREACHABLE,
        /** No credentials found, or the store does not accept them (unknown key, wrong secret). */
        BAD_CREDENTIALS,
        /** The credentials are accepted but the bucket is off limits to them. */
        ACCESS_DENIED,
        /** The bucket does not exist. */
        NO_BUCKET,
        /** Anything else the store answered (its error code is in the message). */
        FAILED
    }

    private final Reason reason;

    S3StoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the store could not be used. */
    public Reason reason() {
        return reason;
    }
}
