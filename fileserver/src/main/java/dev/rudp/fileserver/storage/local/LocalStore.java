package dev.rudp.fileserver.storage.local;

import dev.rudp.fileserver.protocol.FileEntry;
import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.Crc32c;
import dev.rudp.fileserver.storage.KnownDigests;
import dev.rudp.fileserver.storage.PathRules;
import dev.rudp.fileserver.storage.PrefixDigest;
import dev.rudp.fileserver.storage.ReadHandle;
import dev.rudp.fileserver.storage.Sha256;
import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.UploadSink;
import dev.rudp.fileserver.storage.UserPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One account's tree in a folder on this machine. A {@link UserPath} is the folder's entry at its
 * segments; before every use the deepest existing ancestor is resolved to its real path and refused
 * when a symbolic link leads outside the home (or dangles), so links inside the home work and links
 * out never do. Recursive operations never follow links. Interrupted uploads live in a separate
 * folder ({@code partials}), named by the SHA-256 of the target's relative path, and count towards
 * the quota.
 */
public final class LocalStore implements Store {
    private final Path root;
    private final Path partials;
    private final long quota;

    /**
     * A store over the existing folder {@code home} (its real path is the root), keeping interrupted
     * uploads in the existing folder {@code partials}, with {@code quota} bytes (-1: none).
     */
    public LocalStore(Path home, Path partials, long quota) throws IOException {
        this.root = home.toRealPath();
        this.partials = partials;
        this.quota = quota;
    }

    /** The real path of the home folder. */
    public Path root() {
        return root;
    }

    /**
     * Where {@code p} lives, after the link check: refused when the deepest existing ancestor of the
     * location (or the location itself) is a link that leads outside the home or dangles.
     */
    public Path path(UserPath p, String shown) throws ProtocolException {
        Path location = p.isRoot() ? root : root.resolve(p.relative());
        Path existing = location;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw PathRules.refused(shown, "outside your home folder");
        }
        if (Files.isSymbolicLink(existing) && !Files.exists(existing)) {
            throw PathRules.refused(shown, "a dangling symbolic link");
        }
        Path real;
        try {
            real = existing.toRealPath();
        } catch (IOException e) {
            throw PathRules.refused(shown, "cannot be resolved");
        }
        if (!real.startsWith(root)) {
            throw PathRules.refused(shown, "a symbolic link leads outside your home folder");
        }
        return location;
    }

    @Override
    public long quota() {
        return quota;
    }

    /*
     * A path through a file ("file/x") fails here with a bare FileSystemException (ENOTDIR), which
     * would map to IO_ERROR. The object store answers such paths from what its keys say, so the
     * statuses both give are defined by the conformance suite: looked up, NOT_FOUND; created with
     * a file as the parent, NOT_DIRECTORY; deeper under a file, NOT_FOUND like a missing parent.
     */

    /** Whether {@code e} is the bare exception of ENOTDIR (its subclasses say more and map as they are). */
    private static boolean bare(IOException e) {
        return e.getClass() == FileSystemException.class;
    }

    /** Whether some ancestor of {@code f} inside the home is a file. */
    private boolean underAFile(Path f) {
        for (Path a = f.getParent(); a != null && a.startsWith(root) && !a.equals(root); a = a.getParent()) {
            if (Files.isRegularFile(a, LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
        }
        return false;
    }

    /** A failed lookup of {@code f}: a path through a file is not found, as on the object store. */
    private ProtocolException lookupFailed(IOException e, Path f, String shown) {
        if (bare(e) && underAFile(f)) {
            return ProtocolException.of(Status.NOT_FOUND, "no such file: " + shown);
        }
        return Store.map(e, shown);
    }

    @Override
    public List<FileEntry> list(UserPath p, String shown) throws ProtocolException {
        Path f = path(p, shown);
        try {
            if (!Files.isDirectory(f)) {
                return List.of(entry(f, p.name()));
            }
            List<FileEntry> out = new ArrayList<>();
            try (Stream<Path> s = Files.list(f)) {
                for (Path c : (Iterable<Path>) s.sorted()::iterator) {
                    out.add(entry(c, c.getFileName().toString()));
                }
            }
            return out;
        } catch (IOException e) {
            throw lookupFailed(e, path(p, shown), shown);
        }
    }

    @Override
    public FileEntry stat(UserPath p, String shown) throws ProtocolException {
        try {
            return entry(path(p, shown), shown);
        } catch (IOException e) {
            throw lookupFailed(e, path(p, shown), shown);
        }
    }

    @Override
    public boolean isDirectory(UserPath p) throws ProtocolException {
        return Files.isDirectory(path(p, p.display()));
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

    @Override
    public void mkdir(UserPath p, String shown, boolean parents) throws ProtocolException {
        Path f = path(p, shown);
        try {
            if (parents) {
                if (Files.exists(f) && !Files.isDirectory(f)) {
                    throw ProtocolException.of(Status.EXISTS, "file exists: " + shown);
                }
                Files.createDirectories(f);
            } else {
                Files.createDirectory(f);
            }
        } catch (IOException e) {
            if (bare(e) && underAFile(f)) {
                throw parents || Files.isRegularFile(f.getParent(), LinkOption.NOFOLLOW_LINKS)
                        ? ProtocolException.of(Status.NOT_DIRECTORY, "not a folder: " + shown)
                        : ProtocolException.of(Status.NOT_FOUND, "no such file: " + shown);
            }
            throw Store.map(e, shown);
        }
    }

    @Override
    public UserPath move(UserPath from, String fromShown, UserPath to, String toShown) throws ProtocolException {
        refuseRoot(from, fromShown);
        Path src = path(from, fromShown);
        Path dst = path(to, toShown);
        if (!Files.exists(src, LinkOption.NOFOLLOW_LINKS)) {
            throw ProtocolException.of(Status.NOT_FOUND, "no such file: " + fromShown);
        }
        UserPath target = Files.isDirectory(dst, LinkOption.NOFOLLOW_LINKS) ? to.child(from.name()) : to;
        if (target.startsWith(from) && !target.equals(from)) {
            throw ProtocolException.of(Status.BAD_REQUEST, "cannot move a folder into itself: " + fromShown);
        }
        Path out = path(target, toShown);
        try {
            Files.move(src, out, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            if (bare(e)) {
                if (Files.isRegularFile(out.getParent(), LinkOption.NOFOLLOW_LINKS)
                        || Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS)) {
                    throw ProtocolException.of(Status.NOT_DIRECTORY, "not a folder: " + toShown);
                }
                if (underAFile(out)) {
                    throw ProtocolException.of(Status.NOT_FOUND, "no such file: " + fromShown);
                }
            }
            throw Store.map(e, e instanceof FileAlreadyExistsException ? toShown : fromShown);
        }
    }

    @Override
    public long delete(UserPath p, String shown, boolean recursive) throws ProtocolException {
        refuseRoot(p, shown);
        Path f = path(p, shown);
        try {
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                throw ProtocolException.of(Status.NOT_FOUND, "no such file: " + shown);
            }
            if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS) && !recursive) {
                try (Stream<Path> s = Files.list(f)) {
                    if (s.findAny().isPresent()) {
                        throw ProtocolException.of(Status.NOT_EMPTY, "folder not empty (use rm -r): " + shown);
                    }
                }
            }
            long[] count = {0};
            Files.walkFileTree(f, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path x, BasicFileAttributes a) throws IOException {
                    // a large file is freed on a background thread, not inside the unlink (ReplacedFiles)
                    FileChannel held = ReplacedFiles.hold(x, a);
                    try {
                        Files.delete(x);
                    } finally {
                        ReplacedFiles.release(held);
                    }
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
            throw Store.map(e, shown);
        }
    }

    @Override
    public UserPath copy(UserPath from, String fromShown, UserPath to, String toShown, boolean recursive)
            throws ProtocolException {
        Path src = path(from, fromShown);
        Path dst = path(to, toShown);
        try {
            if (!Files.exists(src, LinkOption.NOFOLLOW_LINKS)) {
                throw ProtocolException.of(Status.NOT_FOUND, "no such file: " + fromShown);
            }
            boolean dir = Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS);
            if (dir && !recursive) {
                throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder (use cp -r): " + fromShown);
            }
            UserPath target = Files.isDirectory(dst) ? to.child(from.name()) : to;
            if (dir && target.startsWith(from)) {
                throw ProtocolException.of(Status.BAD_REQUEST, "cannot copy a folder into itself: " + fromShown);
            }
            Path out = path(target, toShown);
            if (Files.isRegularFile(out.getParent(), LinkOption.NOFOLLOW_LINKS)) {
                throw ProtocolException.of(Status.NOT_DIRECTORY, "not a folder: " + toShown);
            }
            if (underAFile(out)) {
                throw ProtocolException.of(Status.NOT_FOUND, "no such file: " + fromShown);
            }
            checkQuota(sizeOf(src));
            if (!dir) {
                copyFile(src, out);
                return target;
            }
            Files.walkFileTree(src, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                    Files.createDirectories(out.resolve(src.relativize(d)));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    copyFile(f, out.resolve(src.relativize(f)));
                    return FileVisitResult.CONTINUE;
                }
            });
            return target;
        } catch (IOException e) {
            throw Store.map(e, fromShown);
        }
    }

    /**
     * Copies one file so that {@code to} is at every moment the old file or the whole copy, never a
     * part of it (a crash mid-copy must not leave a truncated file where a user finds it): the bytes
     * go to a temporary file among the account's partial uploads (same file system, invisible to the
     * user, expired with them), which is then renamed over {@code to}. Links are copied as links.
     */
    private void copyFile(Path from, Path to) throws IOException {
        if (Files.isSymbolicLink(from)) {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            return;
        }
        Files.createDirectories(partials); // the backend makes it at login; a store made directly may lack it
        Path tmp = partials.resolve("copy-" + java.util.UUID.randomUUID() + ".part");
        try {
            Files.copy(from, tmp, LinkOption.NOFOLLOW_LINKS);
            Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String sha256(UserPath p, String shown) throws ProtocolException {
        Path f = path(p, shown);
        if (Files.isDirectory(f)) {
            throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder: " + shown);
        }
        String stored = StoredDigest.lookup(f, null, -1);
        if (stored != null) {
            return stored;
        }
        StoredDigest.Stamp stamp = StoredDigest.stamp(f); // before the read: kept only if still so after
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            // the CRC32C beside it costs a tenth more, and keeps the one an upload may have recorded alone
            List<String> digests = new PrefixDigest(ch, Sha256.newDigest(), new Crc32c()).finishAll(ch.size());
            StoredDigest.storeIfUnchanged(f, digests.get(0), digests.get(1), stamp);
            return digests.get(0);
        } catch (IOException e) {
            throw lookupFailed(e, path(p, shown), shown);
        }
    }

    /** Regular files under the home and the account's partial uploads (links not followed); not cached. */
    @Override
    public long usage() throws ProtocolException {
        try {
            return sizeOf(root) + (Files.isDirectory(partials) ? sizeOf(partials) : 0);
        } catch (IOException e) {
            throw Store.map(e, "~");
        }
    }

    /** Usable bytes on the disk holding the home. */
    @Override
    public long freeSpace() throws ProtocolException {
        try {
            return Files.getFileStore(root).getUsableSpace();
        } catch (IOException e) {
            throw Store.map(e, "~");
        }
    }

    @Override
    public long sizeOf(UserPath p, String shown) throws ProtocolException {
        try {
            Path f = path(p, shown);
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                throw ProtocolException.of(Status.NOT_FOUND, "no such file: " + shown);
            }
            return sizeOf(f);
        } catch (IOException e) {
            throw Store.map(e, shown);
        }
    }

    /** Total size of regular files under {@code p} (links not followed). */
    static long sizeOf(Path p) throws IOException {
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

    /**
     * {@inheritDoc} Entries whose names no client path can name (a control character, put there
     * beside the server) are left out, with what lies below them.
     */
    @Override
    public List<Walked> walk(UserPath p, String shown, int limit) throws ProtocolException {
        Path base = path(p, shown);
        List<Walked> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(base)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                UserPath at = p;
                try {
                    for (Path seg : base.relativize(f)) {
                        if (!seg.toString().isEmpty()) {
                            at = at.child(seg.toString());
                        }
                    }
                } catch (IllegalArgumentException e) {
                    continue;
                }
                out.add(new Walked(at, entry(f, at.name())));
            }
        } catch (IOException e) {
            throw lookupFailed(e, path(p, shown), shown);
        } catch (UncheckedIOException e) {
            throw Store.map(e.getCause(), shown);
        }
        out.sort((a, b) -> a.path().compareTo(b.path()));
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }

    @Override
    public ReadHandle openRead(UserPath p, String shown, long offset) throws ProtocolException {
        Path f = path(p, shown);
        if (Files.isDirectory(f)) {
            throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder: " + shown);
        }
        FileChannel ch = null;
        try {
            // the stamp is taken before opening: a digest read afterwards must describe the file opened
            StoredDigest.Stamp stamp = StoredDigest.stamp(f);
            ch = FileChannel.open(f, StandardOpenOption.READ);
            long size = ch.size();
            if (offset < 0 || offset > size) {
                throw ProtocolException.of(Status.BAD_REQUEST, "cannot resume " + shown + " at " + offset
                        + ": the remote file has only " + size + " bytes");
            }
            KnownDigests known = stamp == null ? null : StoredDigest.lookupAll(f, stamp.key(), size);
            LocalReadHandle h = new LocalReadHandle(ch, size, known, f, stamp);
            ch = null;
            return h;
        } catch (IOException e) {
            throw lookupFailed(e, path(p, shown), shown);
        } finally {
            closeQuietly(ch);
        }
    }

    /** A plain stream over the file (no direct buffers: {@code cat} and {@code head} read little). */
    @Override
    public InputStream openStream(UserPath p, String shown) throws ProtocolException {
        Path f = path(p, shown);
        if (Files.isDirectory(f)) {
            throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder: " + shown);
        }
        try {
            return Files.newInputStream(f);
        } catch (IOException e) {
            throw Store.map(e, shown);
        }
    }

    /**
     * {@inheritDoc} The partial file is {@code partials/<sha256 of the relative path>.part}; a
     * resume continues the part it holds. The verified digest is kept with the landed file
     * ({@link StoredDigest}).
     */
    @Override
    public UploadSink openUpload(UserPath p, String shown, long size, boolean resume) throws ProtocolException {
        Path target = path(p, shown);
        if (p.isRoot() || Files.isDirectory(target)) {
            throw ProtocolException.of(Status.IS_DIRECTORY, "is a folder: " + shown);
        }
        if (!Files.isDirectory(target.getParent())) {
            throw ProtocolException.of(Status.NOT_FOUND, "no such folder: " + shown);
        }
        Path partial = partials.resolve(Sha256.hex(p.relative()) + ".part");
        try {
            long existing = Files.isRegularFile(target) ? Files.size(target) : 0;
            long partialNow = Files.isRegularFile(partial) ? Files.size(partial) : 0;
            // usage counts partial uploads too; this upload replaces the target and reuses its own partial
            checkQuota(size - existing - partialNow);
        } catch (IOException e) {
            throw Store.map(e, shown);
        }
        return LocalUploadSink.open(partial, target, shown, size, resume, true);
    }

    private void refuseRoot(UserPath p, String shown) throws ProtocolException {
        if (p.isRoot()) {
            throw ProtocolException.of(Status.PERMISSION_DENIED, "refusing to remove or move your home folder: "
                    + shown);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // already failing
            }
        }
    }
}
