package dev.rudp.fileserver.storage.local;

import dev.rudp.fileserver.storage.SystemRecords;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Records as files in the data folder ({@code DATA/accounts}, {@code DATA/authorized_keys},
 * {@code DATA/server-key.pem}, ...), where they always were. A write goes to a temporary file created
 * owner-only (mode 600) and renamed over the old one atomically. The version is the file's identity,
 * size and modification time, so an edit beside the server is noticed.
 */
public final class LocalRecords implements SystemRecords {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

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
        Path tmp = dir.resolve(name + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp); // not a POSIX file system: the default permissions
        }
        Files.write(tmp, content);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public String version(String name) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file(name), BasicFileAttributes.class);
            return a.fileKey() + " " + a.size() + " " + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }

    private Path file(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a record name: " + name);
        }
        return dir.resolve(name);
    }
}
