package dev.rudp.fileserver.storage.local;

import dev.rudp.fileserver.protocol.ProtocolException;
import dev.rudp.fileserver.protocol.Status;
import dev.rudp.fileserver.storage.Store;
import dev.rudp.fileserver.storage.StoreBackend;
import dev.rudp.fileserver.storage.SystemRecords;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

/**
 * The data folder on this machine, the default backend: {@code DATA/home/USER/} holds each
 * account's files, {@code DATA/partial/USER/} its interrupted uploads, and the records
 * ({@code accounts}, {@code authorized_keys}, the DTLS key) are files directly in {@code DATA}
 * ({@link LocalRecords}). Nothing to release on close.
 */
public final class LocalBackend implements StoreBackend {
    private final Path data;
    private final LocalRecords records;

    /** The backend over data folder {@code data} (created when first needed). */
    public LocalBackend(Path data) {
        this.data = data;
        this.records = new LocalRecords(data);
    }

    /** The folder holding {@code user}'s files. */
    public Path home(String user) {
        return data.resolve("home").resolve(user);
    }

    /** The folder holding {@code user}'s interrupted uploads. */
    public Path partials(String user) {
        return data.resolve("partial").resolve(user);
    }

    @Override
    public Store open(String user, long quota) throws ProtocolException {
        try {
            Path home = Files.createDirectories(home(user));
            return new LocalStore(home, Files.createDirectories(partials(user)), quota);
        } catch (IOException e) {
            throw ProtocolException.of(Status.IO_ERROR, "cannot open your home folder");
        }
    }

    @Override
    public SystemRecords records() {
        return records;
    }

    /** Deletes the partial files (of every account) whose last write is older than {@code maxAge}. */
    @Override
    public int expireUploads(Duration maxAge) throws ProtocolException {
        Path all = data.resolve("partial");
        FileTime before = FileTime.from(Instant.now().minus(maxAge));
        int removed = 0;
        try (DirectoryStream<Path> users = Files.newDirectoryStream(all)) {
            for (Path user : users) {
                if (!Files.isDirectory(user, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (DirectoryStream<Path> parts = Files.newDirectoryStream(user, "*.part")) {
                    for (Path part : parts) {
                        if (Files.isRegularFile(part, LinkOption.NOFOLLOW_LINKS)
                                && Files.getLastModifiedTime(part, LinkOption.NOFOLLOW_LINKS).compareTo(before) < 0
                                && Files.deleteIfExists(part)) {
                            removed++;
                        }
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return removed; // no upload was ever interrupted
        } catch (IOException e) {
            throw Store.map(e, "partial uploads");
        }
        return removed;
    }

    @Override
    public String describe() {
        return data.toAbsolutePath().toString();
    }

    @Override
    public void close() {
        // files only: nothing held open
    }
}
