package dev.rudp.fileserver.shared;

/** The shared store could not answer (unreachable, timed out, refused); the message is one line for a user or log. */
public final class SharedStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    SharedStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
