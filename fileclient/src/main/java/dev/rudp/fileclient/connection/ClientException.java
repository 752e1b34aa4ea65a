package dev.rudp.fileclient.connection;

import dev.rudp.fileserver.protocol.Reply;

/**
 * A client-side failure with the {@link ExitCode} it maps to and a one-line message for the user.
 */
public final class ClientException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ExitCode code;

    public ClientException(ExitCode code, String message) {
        super(message);
        this.code = code;
    }

    /** The exit code of this failure. */
    public ExitCode code() {
        return code;
    }

    /** The failure a server's error reply describes. */
    public static ClientException of(Reply r) {
        return new ClientException(ExitCode.of(r.status()), r.message());
    }
}
