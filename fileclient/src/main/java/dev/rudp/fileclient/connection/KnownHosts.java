package dev.rudp.fileclient.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.StringTokenizer;

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
            // words split at whitespace (\\s) without a regular expression, a one-shot command's first
            StringTokenizer f = new StringTokenizer(l, " \t\n\u000B\f\r");
            if (f.countTokens() >= 2 && f.nextToken().equals(key)) {
                found = f.nextToken();
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Pins {@code fingerprint} for {@code key}, creating the file (and its folder, owner-only) if needed.
     * The line goes on a line of its own even when the file's last line has no newline (a hand-edited file).
     *
     * @throws IllegalArgumentException when the key or fingerprint is empty or holds a blank or control
     *     character: it would not read back as itself, and could pin something for another server
     */
    public synchronized void add(String key, String fingerprint) throws IOException {
        if (!isWord(key) || !isWord(fingerprint) || key.startsWith("#")) {
            throw new IllegalArgumentException("cannot pin " + key.replaceAll("\\p{Cntrl}", "?")
                    + " in the known-hosts file: a server's name and fingerprint are single words");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
        }
        String line = key + " " + fingerprint + "\n";
        if (endsWithoutNewline()) {
            line = "\n" + line;
        }
        Files.writeString(file, line, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Whether the file exists, is not empty and its last byte is not a line end. */
    private boolean endsWithoutNewline() throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            ch.read(last, size - 1);
            return last.get(0) != '\n' && last.get(0) != '\r';
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Non-empty, without white space or control characters: what one field of a line reads back as. */
    private static boolean isWord(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                return false;
            }
        }
        return true;
    }
}
