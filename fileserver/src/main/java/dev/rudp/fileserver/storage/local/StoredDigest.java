package dev.rudp.fileserver.storage.local;

import dev.rudp.fileserver.storage.KnownDigests;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The SHA-256 of a file's content, kept beside the file in a user extended attribute
 * ({@code user.rudp.sha256}) when an upload completes, so that downloads, resumed downloads and
 * {@code sha256sum} need not read and hash the whole file again on the server: hashing every
 * download was a fifth of the server's CPU per byte sent, and a resumed download re-read its whole
 * prefix just to rebuild the digest. An upload also records
 * the file's CRC32C beside it: a download checks the file against that instead of the SHA-256 when
 * the client asks (docs/protocol.md, GET), which costs the client a tenth of the hashing. An upload
 * whose client needed no SHA-256 records the CRC32C alone ({@code v3}); the SHA-256 is added by the
 * first {@code checksum} or download that needs it.
 *
 * <p>The attribute also records the file's identity (device and inode), size and modification time
 * in nanoseconds, and is believed only while all four still match: any write through the file
 * system moves the modification time, so an edit made beside the server is noticed, as rsync's quick
 * check notices it. A rename or move keeps the attribute valid (same inode, same times); a copy
 * makes a new file without one. Where the file system keeps no user attributes, nothing is stored
 * and every caller falls back to hashing. The attribute moves with the file, so nothing outside the
 * account's tree has to be kept in step.
 */
public final class StoredDigest {
    static final String NAME = "rudp.sha256";
    /**
     * {@code v1 <size> <mtime nanos> <file key> <sha256 hex>}; {@code v2} with the file's CRC32C (8 hex
     * digits) after it; {@code v3} with the CRC32C alone, from an upload whose client needed no SHA-256
     * ({@code Op.FLAG_NO_SHA256}). A file key has no spaces. Groups: version, size, time, key, SHA-256,
     * the CRC32C after it, the CRC32C alone.
     */
    private static final Pattern VALUE = Pattern.compile(
            "v([123]) (\\d+) (-?\\d+) (\\S+) (?:([0-9a-f]{64})(?: ([0-9a-f]{8}))?|([0-9a-f]{8}))");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern CRC_HEX = Pattern.compile("[0-9a-fA-F]{8}");
    private static final int MAX_VALUE = 256;

    private StoredDigest() {
    }

    /**
     * Records {@code sha256} (hex) as the digest of {@code file} as it is now. Call once the content
     * is final and flushed. Best effort: returns false (and stores nothing) where the file system
     * keeps no user attributes or the file has no identity to check later.
     */
    public static boolean store(Path file, String sha256) {
        return store(file, sha256, null, null);
    }

    /**
     * As {@link #store(Path, String)}, with the file's CRC32C ({@code crc32c} null: none); with
     * {@code sha256} null, the CRC32C alone.
     */
    public static boolean store(Path file, String sha256, String crc32c) {
        return store(file, sha256, crc32c, null);
    }

    /**
     * As {@link #store(Path, String)}, for a digest computed by reading the file rather than while
     * writing it: stored only if the file is still as {@code seen} describes it (taken before the
     * read began), so a file changed during the read gets no digest of the mix that was read.
     */
    public static boolean storeIfUnchanged(Path file, String sha256, Stamp seen) {
        return storeIfUnchanged(file, sha256, null, seen);
    }

    /** As {@link #storeIfUnchanged(Path, String, Stamp)}, with the file's CRC32C ({@code crc32c} null: none). */
    public static boolean storeIfUnchanged(Path file, String sha256, String crc32c, Stamp seen) {
        return seen != null && store(file, sha256, crc32c, seen);
    }

    /** What {@link #lookup} checks of a file: its identity, size and modification time. */
    public record Stamp(Object key, long size, long mtimeNanos) {
        static Stamp of(BasicFileAttributes a) {
            return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
        }
    }

    /** The file's {@link Stamp} now, or null when it has none (no file key, not a regular file). */
    public static Stamp stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.fileKey() == null || !a.isRegularFile() ? null : Stamp.of(a);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean store(Path file, String sha256, String crc32c, Stamp seen) {
        if (sha256 == null ? crc32c == null : !HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256 in hex: " + sha256);
        }
        if (crc32c != null && !CRC_HEX.matcher(crc32c).matches()) {
            throw new IllegalArgumentException("not a CRC32C in hex: " + crc32c);
        }
        try {
            UserDefinedFileAttributeView view = view(file);
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (view == null || a.fileKey() == null || !a.isRegularFile()) {
                return false;
            }
            if (seen != null && !seen.equals(Stamp.of(a))) {
                return false;
            }
            String value = (sha256 == null ? "v3 " : crc32c == null ? "v1 " : "v2 ") + a.size() + " "
                    + a.lastModifiedTime().to(TimeUnit.NANOSECONDS) + " " + key(a)
                    + (sha256 == null ? "" : " " + sha256.toLowerCase(Locale.ROOT))
                    + (crc32c == null ? "" : " " + crc32c.toLowerCase(Locale.ROOT));
            view.write(NAME, StandardCharsets.US_ASCII.encode(value));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * The stored digest of {@code file} (lower-case hex) if it still describes the file, else null.
     *
     * @param identity the {@link BasicFileAttributes#fileKey()} the caller saw before opening the
     *     file ({@link #identity}), or null to take it here; a different key afterwards means the path
     *     now names another file
     * @param size the size of the file the caller opened, or -1 for no such check
     */
    public static String lookup(Path file, Object identity, long size) {
        KnownDigests k = lookupAll(file, identity, size);
        return k == null ? null : k.sha256();
    }

    /**
     * As {@link #lookup}, both digests (the CRC32C null where none was recorded, the SHA-256 null where
     * only the CRC32C was).
     */
    public static KnownDigests lookupAll(Path file, Object identity, long size) {
        try {
            UserDefinedFileAttributeView view = view(file);
            if (view == null) {
                return null;
            }
            // The identity seen before the attribute is read must still be the file's afterwards: the
            // attribute and the times then come from the same file.
            Object expected = identity != null ? identity : identity(file);
            if (expected == null) {
                return null;
            }
            // A missing attribute, or one longer than any this class writes, makes the read throw.
            ByteBuffer buf = ByteBuffer.allocate(MAX_VALUE);
            view.read(NAME, buf);
            buf.flip();
            var m = VALUE.matcher(StandardCharsets.US_ASCII.decode(buf));
            if (!m.matches()) {
                return null;
            }
            String sha = m.group(5);
            String crc = m.group(6) != null ? m.group(6) : m.group(7);
            boolean asVersionSays = switch (m.group(1)) {
                case "1" -> sha != null && crc == null;
                case "2" -> sha != null && crc != null;
                default -> sha == null;
            };
            if (!asVersionSays) {
                return null;
            }
            BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            boolean same = after.isRegularFile()
                    && expected.equals(after.fileKey())
                    && (size < 0 || size == after.size())
                    && Long.parseLong(m.group(2)) == after.size()
                    && Long.parseLong(m.group(3)) == after.lastModifiedTime().to(TimeUnit.NANOSECONDS)
                    && m.group(4).equals(key(after));
            return same ? new KnownDigests(sha, crc) : null;
        } catch (IOException | RuntimeException e) {
            return null; // unreadable or foreign attribute: hash the file instead
        }
    }

    /** The identity {@link #lookup} checks: call before opening the file. Null when there is none. */
    public static Object identity(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Null where the platform has no such view. Where the file system lacks user attributes the view's
     * calls throw instead ({@code FileStore.supportsFileAttributeView} guesses from mount options and
     * reads the mount table on every call, so it is not asked).
     */
    private static UserDefinedFileAttributeView view(Path file) {
        return Files.getFileAttributeView(file, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    }

    private static String key(BasicFileAttributes a) {
        return Objects.toString(a.fileKey()).replace(' ', '_');
    }
}
