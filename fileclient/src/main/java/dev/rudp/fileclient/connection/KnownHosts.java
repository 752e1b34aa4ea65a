package dev.rudp.fileclient.connection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The servers this user trusts, as ssh's {@code known_hosts}: one line per server,
 * {@code host:port SHA256:<base64>} ({@code [v6addr]:port} for IPv6 literals); blank lines and lines
 * starting with {@code #} are ignored. The default file is {@code ~/.fileclient/known_hosts}.
 * Read on every lookup, appended to when a server is pinned.
 */
public final class KnownHosts {
    private final Path file;

    public KnownHosts(Path file) {
        this.file = file;
    }

    /** {@code ~/.fileclient/known_hosts}. */
    public static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".fileclient", "known_hosts");
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The key of a server in the file: {@code host:port}, the host as given, lower case. */
    public static String key(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        return (h.indexOf(':') >= 0 && !h.startsWith("[") ? "[" + h + "]" : h) + ":" + port;
    }

    /** The fingerprint pinned for {@code key}, if any (the last line for it wins). */
    public synchronized Optional<String> lookup(String key) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String found = null;
        for (String line : lines) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("\\s+");
            if (f.length >= 2 && f[0].equals(key)) {
                found = f[1];
            }
        }
        return Optional.ofNullable(found);
    }

    /** Pins {@code fingerprint} for {@code key}, creating the file (and its folder, owner-only) if needed. */
    public synchronized void add(String key, String fingerprint) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
        }
        Files.writeString(file, key + " " + fingerprint + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }
}
