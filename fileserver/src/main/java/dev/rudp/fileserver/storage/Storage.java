package dev.rudp.fileserver.storage;

import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * File operations on one account's tree. Every method takes real locations already confined by a
 * {@link Jail} plus the path as the client wrote it (for messages), and throws
 * {@link ProtocolException}s with clear one-line messages. Blocking: never call on an event loop.
 * Links are never followed by recursive operations.
 */
public final class Storage {
    private final Jail jail;
    private final long quota;
    private final Path alsoCounted;

    /** Storage over {@code jail}'s root with a quota in bytes ({@code -1}: none). */
    public Storage(Jail jail, long quota) {
        this(jail, quota, null);
    }

    /**
     * Storage whose usage also counts the files under {@code alsoCounted} (the account's partial
     * uploads), so interrupted uploads cannot grow past the quota.
     */
    public Storage(Jail jail, long quota, Path alsoCounted) {
        this.jail = jail;
        this.quota = quota;
        this.alsoCounted = alsoCounted;
    }

    public Jail jail() {
        return jail;
    }

    /** The quota in bytes, or -1. */
    public long quota() {
        return quota;
    }

    /** The entries of a folder sorted by name, or the one entry of a file. */
    public List<FileEntry> list(Path p, String shown) throws ProtocolException {
        try {
            if (!Files.isDirectory(p)) {
                return List.of(entry(p, p.getFileName() == null ? shown : p.getFileName().toString()));
            }
            List<FileEntry> out = new ArrayList<>();
            try (Stream<Path> s = Files.list(p)) {
                for (Path c : (Iterable<Path>) s.sorted()::iterator) {
                    out.add(entry(c, c.getFileName().toString()));
                }
            }
            return out;
        } catch (IOException e) {
            throw map(e, shown);
        }
    }

    /** The attributes of one path (links not followed). */
    public FileEntry stat(Path p, String shown) throws ProtocolException {
        try {
            return entry(p, shown);
        } catch (IOException e) {
            throw map(e, shown);
        }
    }

    static FileEntry entry(Path p, String name) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        char type = a.isDirectory() ? 'd' : a.isSymbolicLink() ? 'l' : a.isRegularFile() ? 'f' : 'o';
        int mode = 0;
        try {
            Set<PosixFilePermission> perms = Files.readAttributes(p, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).permissions();
            for (PosixFilePermission perm : perms) {
                mode |= 1 << (8 - perm.ordinal());
            }
        } catch (UnsupportedOperationException e) {
            mode = 0;
        }
        return new FileEntry(name, type, a.size(), a.lastModifiedTime().toMillis(), mode);
    }

    /** Creates a folder, with its missing parents when {@code parents}. */
    public void mkdir(Path p, String shown, boolean parents) throws ProtocolException {
        try {
            if (parents) {
                if (Files.exists(p) && !Files.isDirectory(p)) {
                    throw ProtocolException.of(Status.EXISTS, "file exists: " + shown);
                }
                Files.createDirectories(p);
            } else {
                Files.createDirectory(p);
            }
        } catch (IOException e) {
            throw map(e, shown);
        }
    }

    /** Renames or moves; when {@code to} is an existing folder the source moves into it. */
    public Path move(Path from, String fromShown, Path to, String toShown) throws ProtocolException {
        refuseRoot(from, fromShown);
        if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
            throw ProtocolException.of(Status.NOT_FOUND, "no such file: " + fromShown);
        }
        Path target = Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS) ? to.resolve(from.getFileName()) : to;
        if (target.startsWith(from) && !target.equals(from)) {
            throw ProtocolException.of(Status.BAD_REQUEST, "cannot move a folder into itself: " + fromShown);
        }
        try {
            Files.move(from, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw map(e, e instanceof FileAlreadyExistsException ? toShown : fromShown);
        }
    }

    /** Deletes a file, link or empty folder; a whole tree when {@code recursive}. */
    public long delete(Path p, String shown, boolean recursive) throws ProtocolException {
        refuseRoot(p, shown);
        try {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw ProtocolException.of(Status.NOT_FOUND, "no such file: " + shown);
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !recursive) {
                try (Stream<Path> s = Files.list(p)) {
                    if (s.findAny().isPresent()) {
                        throw ProtocolException.of(Status.NOT_EMPTY, "folder not empty (use rm -r): " + shown);
                    }
                }
            }
            long[] count = {0};
            Files.walkFileTree(p, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    Files.delete(f);
                    count[0]++;
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(d);
                    count[0]++;
                    return FileVisitResult.CONTINUE;
                }
            });
            return count[0];
        } catch (IOException e) {
            throw map(e, shown);
        }
    }

    /** Copies a file, or a tree when {@code recursive}; into {@code to} when it is a folder. Checks the quota. */
    public Path copy(Path from, String fromShown, Path to, String toShown, boolean recursive) throws ProtocolException {
        try {
            if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
                throw ProtocolException.of(Status.NOT_FOUND, "no such file: " + fromShown);
            }
            boolean dir = Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS);
            if (dir && !recursive) {
                throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder (use cp -r): " + fromShown);
            }
            Path target = Files.isDirectory(to) ? to.resolve(from.getFileName()) : to;
            if (dir && target.startsWith(from)) {
                throw ProtocolException.of(Status.BAD_REQUEST, "cannot copy a folder into itself: " + fromShown);
            }
            checkQuota(sizeOf(from));
            if (!dir) {
                Files.copy(from, target, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
                return target;
            }
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                    Files.createDirectories(target.resolve(from.relativize(d)));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    Files.copy(f, target.resolve(from.relativize(f)), StandardCopyOption.REPLACE_EXISTING,
                            LinkOption.NOFOLLOW_LINKS);
                    return FileVisitResult.CONTINUE;
                }
            });
            return target;
        } catch (IOException e) {
            throw map(e, fromShown);
        }
    }

    /** The SHA-256 of a regular file, lower-case hex: the {@link StoredDigest} if it still holds. */
    public String sha256(Path p, String shown) throws ProtocolException {
        if (Files.isDirectory(p)) {
            throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder: " + shown);
        }
        String stored = StoredDigest.lookup(p, null, -1);
        if (stored != null) {
            return stored;
        }
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = sha256();
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw map(e, shown);
        }
    }

    /** Bytes used by the account (regular files, links not followed; partial uploads included). */
    public long usage() throws ProtocolException {
        try {
            return sizeOf(jail.root()) + (alsoCounted == null || !Files.isDirectory(alsoCounted) ? 0
                    : sizeOf(alsoCounted));
        } catch (IOException e) {
            throw map(e, "~");
        }
    }

    /** Usable bytes on the disk holding the root. */
    public long freeSpace() throws ProtocolException {
        try {
            return Files.getFileStore(jail.root()).getUsableSpace();
        } catch (IOException e) {
            throw map(e, "~");
        }
    }

    /** Refuses when adding {@code more} bytes would exceed the quota. */
    public void checkQuota(long more) throws ProtocolException {
        if (quota < 0) {
            return;
        }
        long used = usage();
        if (used + more > quota) {
            throw ProtocolException.of(Status.QUOTA_EXCEEDED, "quota exceeded: " + used + " of " + quota
                    + " bytes used, " + more + " more requested");
        }
    }

    /** Total size of regular files under {@code p} (links not followed). */
    public static long sizeOf(Path p) throws IOException {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : 0;
        }
        long[] total = {0};
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                if (a.isRegularFile()) {
                    total[0] += a.size();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    /** Sorted paths under {@code p} (for find), links not followed, at most {@code limit}. */
    public static List<Path> walk(Path p, int limit) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            return s.sorted(Comparator.naturalOrder()).limit(limit).toList();
        }
    }

    private void refuseRoot(Path p, String shown) throws ProtocolException {
        if (p.equals(jail.root())) {
            throw ProtocolException.of(Status.PERMISSION_DENIED, "refusing to remove or move your home folder: "
                    + shown);
        }
    }

    /** A new SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Maps an I/O exception to a protocol error naming {@code shown}. */
    public static ProtocolException map(IOException e, String shown) {
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
