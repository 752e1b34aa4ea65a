package dev.rudp.fileserver.auth;

import dev.rudp.fileserver.storage.SystemRecords;
import dev.rudp.fileserver.storage.local.LocalRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The public keys registered per account, in the record {@code authorized_keys} beside
 * {@code accounts} (a file in the data folder, or an object in the bucket every server shares): one
 * line per key, {@code NAME ed25519 BASE64 [comment]} (see {@link Ed25519Key}).
 * Blank lines and {@code #} comments are kept; a line that does not parse is kept as it is (never
 * silently dropped on a rewrite) and never matches. Writes replace the record atomically (a file
 * created owner-only, mode 600).
 *
 * <p>The record is read again when its version changed (size, modification time and inode; an
 * object's ETag), so keys
 * added with {@code fileserver addkey} while the server runs count at the next login; a write first
 * reads the latest file, so a command line change and a change from a session do not undo each
 * other unless they race within the same instant. Thread-safe.
 */
public final class AuthorizedKeys {
    /** The file name in the data folder. */
    public static final String FILE = "authorized_keys";
    /** Most keys one account may register. */
    public static final int MAX_KEYS_PER_ACCOUNT = 64;

    /** One line of the file: a key of an account, or a line kept verbatim. */
    private record Entry(String user, Ed25519Key key, String verbatim) {
    }

    private final SystemRecords records;
    private final List<Entry> entries = new ArrayList<>();
    private String loadedVersion;
    private boolean loaded;

    private AuthorizedKeys(SystemRecords records) {
        this.records = records;
    }

    /** The keys of data folder {@code dataDir} (no file yet: none). */
    public static AuthorizedKeys open(Path dataDir) throws IOException {
        return open(new LocalRecords(dataDir));
    }

    /** The keys kept in {@code records} (no record yet: none). */
    public static AuthorizedKeys open(SystemRecords records) throws IOException {
        AuthorizedKeys k = new AuthorizedKeys(records);
        synchronized (k) {
            k.refresh();
        }
        return k;
    }

    /**
     * The registered key of {@code user} equal to {@code key}, or empty (also for unknown users and
     * when the file cannot be read).
     */
    public synchronized Optional<Ed25519Key> find(String user, Ed25519Key key) {
        try {
            refresh();
        } catch (IOException e) {
            return Optional.empty();
        }
        for (Entry e : entries) {
            if (e.key != null && e.user.equals(user) && e.key.sameKey(key)) {
                return Optional.of(e.key);
            }
        }
        return Optional.empty();
    }

    /** The keys of {@code user}, in the order they were added. */
    public synchronized List<Ed25519Key> list(String user) throws IOException {
        refresh();
        List<Ed25519Key> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.key != null && e.user.equals(user)) {
                out.add(e.key);
            }
        }
        return out;
    }

    /**
     * Registers {@code key} for {@code user}; false when that key was registered already (its
     * comment is then left as it was).
     *
     * @throws IllegalArgumentException for an invalid account name, or when the account has
     *     {@link #MAX_KEYS_PER_ACCOUNT} keys
     */
    public synchronized boolean add(String user, Ed25519Key key) throws IOException {
        if (!Account.validName(user)) {
            throw new IllegalArgumentException("invalid account name: " + user);
        }
        refresh();
        int count = 0;
        for (Entry e : entries) {
            if (e.key != null && e.user.equals(user)) {
                if (e.key.sameKey(key)) {
                    return false;
                }
                count++;
            }
        }
        if (count >= MAX_KEYS_PER_ACCOUNT) {
            throw new IllegalArgumentException(user + " has " + count + " keys already (at most "
                    + MAX_KEYS_PER_ACCOUNT + "); remove one first");
        }
        entries.add(new Entry(user, key, null));
        save();
        return true;
    }

    /**
     * Removes the key of {@code user} whose fingerprint ({@code SHA256:...}) or key text
     * ({@code ed25519 BASE64}) is {@code which}; returns the removed key, or empty when none matched.
     */
    public synchronized Optional<Ed25519Key> remove(String user, String which) throws IOException {
        refresh();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.key != null && e.user.equals(user) && matches(e.key, which)) {
                entries.remove(i);
                save();
                return Optional.of(e.key);
            }
        }
        return Optional.empty();
    }

    /** Removes every key of {@code user} (the account is being deleted); returns how many. */
    public synchronized int removeAll(String user) throws IOException {
        refresh();
        int before = entries.size();
        entries.removeIf(e -> e.key != null && e.user.equals(user));
        int removed = before - entries.size();
        if (removed > 0) {
            save();
        }
        return removed;
    }

    private static boolean matches(Ed25519Key key, String which) {
        String w = which.strip();
        if (w.startsWith("SHA256:")) {
            return key.fingerprint().equals(w);
        }
        try {
            return key.sameKey(Ed25519Key.parse(w));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Reads the record again when it is not the version last read or written. */
    private void refresh() throws IOException {
        String version = records.version(FILE);
        if (loaded && Objects.equals(version, loadedVersion)) {
            return;
        }
        byte[] content = version == null ? null : records.read(FILE);
        entries.clear();
        if (content != null) {
            String text = new String(content, StandardCharsets.UTF_8);
            for (String line : text.isEmpty() ? new String[0] : text.split("\n", -1)) {
                entries.add(parseLine(line));
            }
            if (!entries.isEmpty() && text.endsWith("\n")) {
                entries.remove(entries.size() - 1); // the empty string after the last newline
            }
        }
        loadedVersion = version;
        loaded = true;
    }

    private static Entry parseLine(String line) {
        String s = line.strip();
        int sp = s.indexOf(' ');
        if (s.isEmpty() || s.startsWith("#") || sp < 0) {
            return new Entry(null, null, line);
        }
        String user = s.substring(0, sp);
        if (!Account.validName(user)) {
            return new Entry(null, null, line);
        }
        try {
            return new Entry(user, Ed25519Key.parse(s.substring(sp + 1)), null);
        } catch (IllegalArgumentException e) {
            return new Entry(null, null, line);
        }
    }

    private void save() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            sb.append(e.key != null ? e.user + " " + e.key.line() : e.verbatim).append('\n');
        }
        records.write(FILE, sb.toString().getBytes(StandardCharsets.UTF_8));
        loadedVersion = records.version(FILE);
    }
}
