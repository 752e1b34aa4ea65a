package dev.rudp.fileserver.storage.local;

import dev.rudp.fileserver.storage.SystemRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Records as files directly in the data folder ({@code DATA/accounts}, {@code DATA/authorized_keys},
 * {@code DATA/server-key.pem}, ...), where they always were. A write goes to a temporary file created owner-only
 * (0600 where the file system has POSIX permissions), is fsynced and renamed over the record, so a
 * reader sees the old or the new content and never a file others could read. The version is the
 * file's identity (inode), size and modification time in nanoseconds, so an edit beside the server
 * is noticed.
 */
public final class LocalRecords implements SystemRecords {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

    private final Path dir;

    /** Records in folder {@code dir} (created on the first write). */
    public LocalRecords(Path dir) {
        this.dir = dir;
    }

    /** The folder the records live in. */
    public Path dir() {
        return dir;
    }

    @Override
    public String toString() {
        return dir.toString();
    }

    @Override
    public byte[] read(String name) throws IOException {
        try {
            return Files.readAllBytes(file(name));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void write(String name, byte[] content) throws IOException {
        Path target = file(name);
        Files.createDirectories(dir);
        Path tmp = createOwnerOnly(dir, "." + name);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LocalUploadSink.syncDir(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String version(String name) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file(name), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return a.fileKey() + "-" + a.size() + "-" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private Path file(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a record name: " + name);
        }
        return dir.resolve(name);
    }

    private static Path createOwnerOnly(Path dir, String prefix) throws IOException {
        try {
            FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
            return Files.createTempFile(dir, prefix, ".tmp", ownerOnly);
        } catch (UnsupportedOperationException e) {
            return Files.createTempFile(dir, prefix, ".tmp"); // no POSIX permissions here
        }
    }
}
