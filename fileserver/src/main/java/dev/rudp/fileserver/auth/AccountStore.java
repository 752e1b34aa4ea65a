package dev.rudp.fileserver.auth;

import dev.rudp.fileserver.storage.SystemRecords;
import dev.rudp.fileserver.storage.local.LocalRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The accounts record {@code accounts} (a file in the data folder, or an object in the bucket every
 * server shares), one line per account: {@code name:admin|user:scrypt$...}. Only hashes are stored.
 * Writes replace the record atomically, readable by the owner only where there are permissions.
 *
 * <p>The record is read again when its version changed, so an account added, changed or removed
 * with {@code fileserver adduser|passwd|deluser} (on this machine, or on another against the same
 * bucket) counts at the next login of a running server. A write first reads the latest record, so
 * two administrators do not undo each other unless they race within the same instant (on an object
 * store the later write of two racing ones wins). Thread-safe.
 */
public final class AccountStore {
    /** The record's name. */
    public static final String RECORD = "accounts";

    private final SystemRecords records;
    private final Map<String, Account> accounts = new LinkedHashMap<>();
    private static final System.Logger LOG = System.getLogger("fileserver");

    private String loadedVersion;
    private boolean loaded;
    /** Whether the last refresh failed (logged once per outage). */
    private boolean unreadable;

    private AccountStore(SystemRecords records) {
        this.records = records;
    }

    /** The accounts of data folder {@code dataDir} (no file yet: no accounts). */
    public static AccountStore open(Path dataDir) throws IOException {
        return open(new LocalRecords(dataDir));
    }

    /** The accounts kept in {@code records} (no record yet: no accounts). */
    public static AccountStore open(SystemRecords records) throws IOException {
        AccountStore s = new AccountStore(records);
        synchronized (s) {
            s.refresh();
        }
        return s;
    }

    /**
     * The account named {@code name}, as the record says now.
     *
     * @throws UncheckedIOException when the record was never read and cannot be read now
     */
    public synchronized Optional<Account> find(String name) {
        refreshUnchecked();
        return Optional.ofNullable(accounts.get(name));
    }

    /** All account names. */
    public synchronized List<String> names() {
        refreshUnchecked();
        return new ArrayList<>(accounts.keySet());
    }

    /** Adds or replaces an account and saves the record. */
    public synchronized void put(Account a) throws IOException {
        if (!Account.validName(a.name())) {
            throw new IllegalArgumentException("invalid account name: " + a.name()
                    + " (use 1-32 of A-Z a-z 0-9 . _ -, not starting with a dot)");
        }
        refresh();
        accounts.put(a.name(), a);
        save();
    }

    /** Removes an account; false when there was none. */
    public synchronized boolean remove(String name) throws IOException {
        refresh();
        if (accounts.remove(name) == null) {
            return false;
        }
        save();
        return true;
    }

    /**
     * Reads the record again if it changed. When it cannot be read (an object store unreachable) the
     * copy read last stays in use, so an outage of the store does not lock everyone out; logged once
     * per outage. Only when nothing was ever read does the lookup fail.
     */
    private void refreshUnchecked() {
        try {
            refresh();
            if (unreadable) {
                unreadable = false;
                LOG.log(System.Logger.Level.WARNING, "accounts record readable again: " + records);
            }
        } catch (IOException | RuntimeException e) {
            if (!loaded) {
                throw new UncheckedIOException("cannot read the accounts: " + e.getMessage(),
                        e instanceof IOException io ? io : new IOException(e));
            }
            if (!unreadable) {
                unreadable = true;
                LOG.log(System.Logger.Level.WARNING, "cannot read the accounts record (" + e.getMessage()
                        + "); using the copy read last until it can be read again");
            }
        }
    }

    private void refresh() throws IOException {
        String version = records.version(RECORD);
        if (loaded && Objects.equals(version, loadedVersion)) {
            return;
        }
        byte[] content = version == null ? null : records.read(RECORD);
        accounts.clear();
        if (content != null) {
            for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.split(":", 3);
                if (f.length == 3 && Account.validName(f[0])) {
                    accounts.put(f[0], new Account(f[0], f[1].equals("admin"), f[2]));
                }
            }
        }
        loadedVersion = version;
        loaded = true;
    }

    private void save() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Account a : accounts.values()) {
            sb.append(a.name()).append(':').append(a.admin() ? "admin" : "user").append(':').append(a.hash())
                    .append('\n');
        }
        records.write(RECORD, sb.toString().getBytes(StandardCharsets.UTF_8));
        loadedVersion = records.version(RECORD);
    }
}
