package dev.rudp.fileclient.connection;

/** Progress of one transfer; called from the transferring thread. */
public interface TransferListener {
    /** The transfer of {@code total} bytes starts at {@code start} (non-zero when resumed). */
    default void started(String name, long start, long total) {
    }

    /** {@code done} of {@code total} bytes are through. */
    default void progress(long done, long total) {
    }

    /** The transfer ended, successfully or not. */
    default void finished(boolean ok) {
    }

    /** A listener that ignores everything. */
    TransferListener NONE = new TransferListener() {
    };
}
