package dev.rudp.fileserver.storage;

import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.protocol.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;

/**
 * One account's file tree, whatever holds it: a folder on this machine ({@code storage.local}) or
 * a key prefix in an object store bucket ({@code storage.s3}). Every backend gives the same replies
 * and the same errors (the conformance suite checks both). Paths come from {@link PathRules}; the
 * {@code shown} arguments are the paths as the client wrote them, for messages. Errors are
 * {@link ProtocolException}s with clear one-line messages ({@link #map} for I/O failures).
 * Blocking: never call on an event loop. Thread-safe: a session's control operations, uploads and
 * downloads call it from several threads.
 */
public interface Store {

    /** One entry of {@link #walk}: its path and attributes (the entry's name is its last segment). */
    record Walked(UserPath path, FileEntry entry) {
    }

    /** The quota in bytes, or -1 for none. */
    long quota();

    /**
     * The entries of a folder sorted by name (complete, however many), or the one entry of a file
     * (named as {@code p}'s last segment).
     */
    List<FileEntry> list(UserPath p, String shown) throws ProtocolException;

    /** The attributes of one path (for the home: a folder). NOT_FOUND when there is nothing. */
    FileEntry stat(UserPath p, String shown) throws ProtocolException;

    /** Whether {@code p} is an existing folder (the home always is). */
    boolean isDirectory(UserPath p) throws ProtocolException;

    /** Creates a folder, with its missing parents when {@code parents}; EXISTS when a file is in the way. */
    void mkdir(UserPath p, String shown, boolean parents) throws ProtocolException;

    /**
     * Renames or moves a file or folder; when {@code to} is an existing folder the source moves into
     * it. Returns where it landed. Refuses the home and a folder moved into itself. Where the backend
     * cannot move a folder atomically it copies everything first and deletes after, so an interrupted
     * move loses nothing and running it again finishes it.
     */
    UserPath move(UserPath from, String fromShown, UserPath to, String toShown) throws ProtocolException;

    /** Deletes a file or empty folder; a whole tree when {@code recursive}. Returns the entries removed. */
    long delete(UserPath p, String shown, boolean recursive) throws ProtocolException;

    /**
     * Copies a file, or a tree when {@code recursive} (IS_DIRECTORY otherwise); into {@code to} when
     * it is a folder. Checks the quota first. Returns where the copy landed.
     */
    UserPath copy(UserPath from, String fromShown, UserPath to, String toShown, boolean recursive)
            throws ProtocolException;

    /** The SHA-256 of a file, lower-case hex: the recorded one while it still holds, else computed. */
    String sha256(UserPath p, String shown) throws ProtocolException;

    /** Bytes used by the account, interrupted uploads included (may be cached; the backend says how stale). */
    long usage() throws ProtocolException;

    /** Bytes that can still be stored, or -1 when the backend cannot tell (an object store). */
    long freeSpace() throws ProtocolException;

    /** Refuses with QUOTA_EXCEEDED when adding {@code more} bytes would exceed the quota (the same rule everywhere). */
    default void checkQuota(long more) throws ProtocolException {
        long quota = quota();
        if (quota < 0) {
            return;
        }
        long used = usage();
        if (used + more > quota) {
            throw ProtocolException.of(Status.QUOTA_EXCEEDED, "quota exceeded: " + used + " of " + quota
                    + " bytes used, " + more + " more requested");
        }
    }

    /** Total size of the files under {@code p} (or of the file {@code p}). */
    long sizeOf(UserPath p, String shown) throws ProtocolException;

    /**
     * {@code p} and everything below it, depth first in name order ({@code p} first), at most
     * {@code limit} entries (for {@code find} and {@code du}). Links are not followed.
     */
    List<Walked> walk(UserPath p, String shown, int limit) throws ProtocolException;

    /**
     * Opens a file for a download from {@code offset} (0 ... size; BAD_REQUEST beyond). IS_DIRECTORY
     * for a folder, NOT_FOUND when missing. The caller closes the handle.
     */
    ReadHandle openRead(UserPath p, String shown, long offset) throws ProtocolException;

    /** A file's bytes as a stream (for {@code cat} and {@code head}); the caller closes it. */
    default InputStream openStream(UserPath p, String shown) throws ProtocolException {
        return ReadHandle.asStream(openRead(p, shown, 0));
    }

    /**
     * Starts or resumes an upload of {@code size} bytes to {@code p}. Checks that {@code p} is not a
     * folder (IS_DIRECTORY), that its folder exists (NOT_FOUND) and the quota (counting what this
     * upload replaces and what it already holds). With {@code resume}, the sink starts after the
     * part an earlier, interrupted upload of the same file kept (by this server or, on a shared
     * store, another); otherwise that part is dropped. Nothing is visible under {@code p} until
     * {@link UploadSink#finish} verified the whole file.
     */
    UploadSink openUpload(UserPath p, String shown, long size, boolean resume) throws ProtocolException;

    /**
     * Maps an I/O exception to a protocol error naming {@code shown}: the {@code java.nio.file}
     * exceptions to NOT_FOUND, EXISTS, NOT_EMPTY, NOT_DIRECTORY and PERMISSION_DENIED, anything else
     * to IO_ERROR with the exception's type (never its message, which may hold server paths).
     */
    static ProtocolException map(IOException e, String shown) {
        if (e instanceof ProtocolException pe) {
            return pe;
        }
        if (e instanceof NoSuchFileException) {
            return ProtocolException.of(Status.NOT_FOUND, "no such file: " + shown);
        }
        if (e instanceof FileAlreadyExistsException) {
            return ProtocolException.of(Status.EXISTS, "file exists: " + shown);
        }
        if (e instanceof DirectoryNotEmptyException) {
            return ProtocolException.of(Status.NOT_EMPTY, "folder not empty: " + shown);
        }
        if (e instanceof NotDirectoryException) {
            return ProtocolException.of(Status.NOT_DIRECTORY, "not a folder: " + shown);
        }
        if (e instanceof AccessDeniedException) {
            return ProtocolException.of(Status.PERMISSION_DENIED, "permission denied: " + shown);
        }
        return ProtocolException.of(Status.IO_ERROR, "I/O error on " + shown + ": " + e.getClass().getSimpleName());
    }
}
