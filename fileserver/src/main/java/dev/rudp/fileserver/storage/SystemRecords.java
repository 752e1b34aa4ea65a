package dev.rudp.fileserver.storage;

import java.io.IOException;

/**
 * Small named records beside the users' files ({@code accounts}, {@code authorized_keys}, the DTLS
 * key and certificate): files in the data folder, or objects under the bucket's prefix. Names are
 * fixed by the callers (letters, digits, dots, dashes, underscores); never user input.
 */
public interface SystemRecords {

    /** The record's content, or null when there is none. */
    byte[] read(String name) throws IOException;

    /**
     * Replaces the record: readers see the old or the new content, never a mix. Owner-only where the
     * backend has permissions (files are written 0600).
     */
    void write(String name, byte[] content) throws IOException;

    /**
     * A token that changes whenever the record does (size and modification time, or an ETag), null
     * when it does not exist; cheap, so readers can cache a record and re-read it only on change.
     */
    String version(String name) throws IOException;
}
